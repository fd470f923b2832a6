/**
 * Slow clients on `server.ts`: a connection whose request headers do not
 * arrive within `--header-timeout` is closed by the server (a partial
 * header line, or nothing at all), while a normal request, a keep-alive
 * connection in use and an event stream that lasts far longer than the
 * bound are not cut. The bound is short here; the waits that detect a
 * close are generous and only fail the test if the server never closes.
 *
 * @module
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { main } from "../../server/main.ts";
import { readSse } from "./_helpers.ts";

const EXAMPLES = new URL("../../examples/server/workflows", import.meta.url)
  .pathname;
const BOUND = "300ms";
/** How long a test waits for the server to close a connection. */
const GENEROUS_MS = 15_000;

/** Runs `main` on a free loopback port around `body`, then stops it. */
async function withServer(
  args: string[],
  body: (port: number, lines: string[]) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const listening = Promise.withResolvers<number>();
  const lines: string[] = [];
  const served = main([
    "--workflows",
    EXAMPLES,
    "--port",
    "0",
    "--grace",
    "0s",
    ...args,
  ], {
    env: () => undefined,
    print: (line) => lines.push(line),
    signal: stop.signal,
    onListen: (address) => listening.resolve(address.port),
  });
  try {
    await body(await listening.promise, lines);
  } finally {
    stop.abort();
    assertEquals(await served, 0, lines.join("\n"));
  }
}

/**
 * Resolves "closed" once the server closes `conn` (a read ends or fails),
 * "open" if it is still open after `GENEROUS_MS`.
 */
async function closedByServer(conn: Deno.Conn): Promise<"closed" | "open"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = new Promise<"open">((resolve) => {
    timer = setTimeout(() => resolve("open"), GENEROUS_MS);
  });
  const read = (async (): Promise<"closed"> => {
    const buffer = new Uint8Array(1024);
    try {
      while (await conn.read(buffer) !== null) {
        // A 408 or other bytes before the close are fine; wait for the end.
      }
    } catch {
      // Reset by the server: closed too.
    }
    return "closed";
  })();
  try {
    return await Promise.race([read, open]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("server.ts closes connections whose headers do not arrive within --header-timeout", async () => {
  await withServer(["--header-timeout", BOUND], async (port) => {
    const encoder = new TextEncoder();
    const partial = await Promise.all(
      Array.from(
        { length: 5 },
        () => Deno.connect({ hostname: "127.0.0.1", port }),
      ),
    );
    for (const conn of partial) {
      await conn.write(encoder.encode("GET /health HTTP/1.1\r\nHost: lo"));
    }
    const silent = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      const outcomes = await Promise.all(
        [...partial, silent].map(closedByServer),
      );
      assertEquals(outcomes, Array(6).fill("closed"));
    } finally {
      for (const conn of [...partial, silent]) conn.close();
    }
  });
});

Deno.test("server.ts keeps normal requests, a keep-alive connection in use and long event streams open", async () => {
  await withServer(["--header-timeout", BOUND], async (port, lines) => {
    const base = `http://127.0.0.1:${port}`;
    // Several requests on fetch's keep-alive connection, spaced within the bound.
    for (let i = 0; i < 3; i++) {
      const health = await fetch(`${base}/health`);
      assertEquals(await health.json(), { status: "ok" });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A run of 24 checks at 200 ms, eight at a time: its stream lasts
    // several times the bound.
    const created = await fetch(`${base}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        workflow: "checks",
        params: { count: 24, delayMs: 200, failEvery: 0 },
      }),
    });
    assertEquals(created.status, 201, await created.clone().text());
    const { links } = await created.json();
    const started = Date.now();
    const events = await fetch(`${base}${links.events}`);
    assertEquals(events.status, 200);
    const frames = await readSse(
      events,
      (frame) => frame.event === "run-finished",
    );
    const last = frames.at(-1);
    assertEquals(last?.event, "run-finished", JSON.stringify(frames));
    assertStringIncludes(last!.data, '"succeeded"');
    // The stream outlived the bound, so the bound did not cut it.
    assert(Date.now() - started > 300, "the run ended within the bound");
    assert(
      !lines.some((line) => line.includes("Warning")),
      lines.join("\n"),
    );
  });
});

Deno.test("main refuses a --header-timeout that is not a positive duration", async () => {
  for (const value of ["0s", "soon", "-1s"]) {
    const lines: string[] = [];
    const code = await main(
      ["--workflows", EXAMPLES, `--header-timeout=${value}`],
      {
        env: () => undefined,
        print: (line) => lines.push(line),
        signal: AbortSignal.abort(),
      },
    );
    assertEquals(code, 64, value);
    assertStringIncludes(lines.join("\n"), "--header-timeout");
  }
});
