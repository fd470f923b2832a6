import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertInstanceOf,
  assertLess,
  assertRejects,
} from "@std/assert";
import {
  fetchJson,
  fetchText,
  httpJson,
  type HttpRetry,
} from "../../lib/io/http.ts";
import { HttpError } from "../../lib/io/http_error.ts";

/** Serves `handler` on a free local port for the length of `body`. */
async function withServer(
  handler: (request: Request, hit: number) => Response | Promise<Response>,
  body: (base: string, hits: () => number) => Promise<void>,
): Promise<void> {
  let hits = 0;
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => handler(request, ++hits),
  );
  try {
    await body(`http://127.0.0.1:${server.addr.port}`, () => hits);
  } finally {
    await server.shutdown();
  }
}

Deno.test("fetchJson() returns the parsed body of a 2xx answer", async () => {
  await withServer(async (request) => {
    const sent = request.method === "POST" ? await request.json() : null;
    return Response.json({
      method: request.method,
      path: new URL(request.url).pathname,
      auth: request.headers.get("authorization"),
      sent,
    }, { status: request.method === "POST" ? 201 : 200 });
  }, async (base) => {
    assertEquals(await fetchJson(`${base}/users/7`), {
      method: "GET",
      path: "/users/7",
      auth: null,
      sent: null,
    });
    assertEquals(
      await fetchJson(new URL("/users", base), {
        method: "post",
        headers: {
          authorization: "Bearer t",
          "content-type": "application/json",
        },
        body: JSON.stringify({ name: "Ada" }),
      }),
      {
        method: "POST",
        path: "/users",
        auth: "Bearer t",
        sent: { name: "Ada" },
      },
    );
  });
});

Deno.test("fetchJson() names the URL when a 2xx body is not JSON", async () => {
  await withServer(() => new Response("<html>"), async (base) => {
    await assertRejects(
      () => fetchJson(`${base}/page`),
      SyntaxError,
      `The answer to GET ${base}/page is not JSON: `,
    );
    assertEquals(await fetchText(`${base}/page`), "<html>");
  });
});

Deno.test("fetchJson() throws an HttpError for a 404, without retrying", async () => {
  await withServer(
    () => new Response("no such user\n", { status: 404 }),
    async (base, hits) => {
      const error = await assertRejects(
        () => fetchJson(`${base}/users/7`),
        HttpError,
        `GET ${base}/users/7 failed: 404 Not Found`,
      );
      assertEquals(error.name, "HttpError");
      assertEquals(
        [error.status, error.statusText, error.url, error.method, error.body],
        [404, "Not Found", `${base}/users/7`, "GET", "no such user"],
      );
      assertEquals(hits(), 1);
    },
  );
});

Deno.test("fetchJson() keeps only the start of a large error body", async () => {
  await withServer(
    () => new Response("e".repeat(1_000_000), { status: 400 }),
    async (base) => {
      const error = await assertRejects(() => fetchText(base), HttpError);
      assertEquals(error.body, `${"e".repeat(200)}…`);
    },
  );
});

Deno.test("fetchJson() retries a 503 and returns the 200 that follows", async () => {
  const retries: HttpRetry[] = [];
  await withServer(
    (_, hit) =>
      hit < 3
        ? new Response("busy", { status: 503 })
        : Response.json({ ok: true }),
    async (base, hits) => {
      const value = await fetchJson(base, {
        maxRetryDelay: 20,
        onRetry: (retry) => retries.push(retry),
      });
      assertEquals(value, { ok: true });
      assertEquals(hits(), 3);
    },
  );
  assertEquals(retries.map((r) => [r.attempt, r.status]), [[1, 503], [2, 503]]);
  assert(retries.every((r) => r.delayMs >= 0 && r.delayMs <= 20));
});

Deno.test("fetchJson() gives up after `retries` and throws the last answer", async () => {
  await withServer(
    (_, hit) => new Response(`busy ${hit}`, { status: 500 }),
    async (base, hits) => {
      const error = await assertRejects(
        () => fetchJson(base, { retries: 2, maxRetryDelay: 1 }),
        HttpError,
      );
      assertEquals([error.status, error.body, hits()], [500, "busy 3", 3]);
      await assertRejects(() => fetchJson(base, { retries: 0 }), HttpError);
      assertEquals(hits(), 4);
    },
  );
});

Deno.test("fetchJson() honours Retry-After in seconds on a 429", async () => {
  const retries: HttpRetry[] = [];
  await withServer(
    (_, hit) =>
      hit === 1
        ? new Response("slow down", {
          status: 429,
          headers: { "retry-after": "1" },
        })
        : Response.json("done"),
    async (base) => {
      const started = performance.now();
      assertEquals(
        await fetchJson(base, {
          maxRetryDelay: "2s",
          onRetry: (retry) => retries.push(retry),
        }),
        "done",
      );
      assertGreaterOrEqual(performance.now() - started, 950);
    },
  );
  assertEquals(retries, [{ attempt: 1, status: 429, delayMs: 1000 }]);
});

Deno.test("fetchJson() caps Retry-After, as seconds or an HTTP date, by maxRetryDelay", async () => {
  const retries: HttpRetry[] = [];
  const later = new Date(Date.now() + 60_000).toUTCString();
  await withServer(
    (_, hit) =>
      hit < 3
        ? new Response(null, {
          status: 503,
          headers: { "retry-after": hit === 1 ? "3600" : later },
        })
        : Response.json(1),
    async (base) => {
      assertEquals(
        await fetchJson(base, {
          maxRetryDelay: "30ms",
          onRetry: (retry) => retries.push(retry),
        }),
        1,
      );
    },
  );
  assertEquals(retries.map((r) => r.delayMs), [30, 30]);
});

Deno.test("fetchJson() stops waiting for a retry when the signal aborts", async () => {
  await withServer(
    () =>
      new Response("down", { status: 503, headers: { "retry-after": "30" } }),
    async (base, hits) => {
      const controller = new AbortController();
      const reason = new Error("run aborted");
      const started = performance.now();
      const fetching = fetchJson(base, {
        signal: controller.signal,
        onRetry: () => setTimeout(() => controller.abort(reason), 20),
      });
      const error = await assertRejects(() => fetching);
      assertEquals(error, reason);
      assertLess(performance.now() - started, 5000);
      assertEquals(hits(), 1);
    },
  );
});

Deno.test("fetchJson() rejects with the reason of a signal aborted before the answer", async () => {
  await withServer(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return Response.json(1);
    },
    async (base) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("gone")), 5);
      await assertRejects(
        () => fetchJson(base, { signal: controller.signal }),
        Error,
        "gone",
      );
    },
  );
});

Deno.test("fetchJson() checks its options", async () => {
  await assertRejects(
    () => fetchJson("http://127.0.0.1:9/", { retries: -1 }),
    RangeError,
    "retries",
  );
  await assertRejects(
    () => fetchJson("http://127.0.0.1:9/", { maxRetryDelay: "soon" as "1s" }),
    RangeError,
    "maxRetryDelay",
  );
});

Deno.test("httpJson() makes a task that fetches per item with the task's signal", async () => {
  await withServer(
    (request) => Response.json({ id: new URL(request.url).pathname.slice(7) }),
    async (base) => {
      const task = httpJson<{ id: number }, { id: string }>(
        (item) => `${base}/users/${item.id}`,
        { headers: { accept: "application/json" } },
      );
      const { signal } = new AbortController();
      assertEquals(await task({ id: 7 }, { signal }), { id: "7" });
      const error = await assertRejects(() =>
        task({ id: 8 }, { signal: AbortSignal.abort(new Error("cancelled")) })
      );
      assertInstanceOf(error, Error);
      assertEquals(error.message, "cancelled");
    },
  );
});
