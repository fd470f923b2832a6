/**
 * Durable runs on the HTTP runner: with `checkpoints`, runs writing to
 * files keep checkpoints; a run cancelled (gracefully or not) or stopped
 * by the server's shutdown resumes with `POST /runs { resume: true }` and
 * its outputs end with every item exactly once. Resumes that cannot be
 * are refused at once: 400 without checkpoints, 409 when there is nothing
 * to resume or the run is still going.
 */

import {
  assert,
  assertEquals,
  assertFalse,
  assertStringIncludes,
} from "@std/assert";
import {
  type AnyWorkflow,
  collect,
  defineWorkflow,
  fromIterable,
  sleep,
  toJsonl,
} from "../../mod.ts";
import { main } from "../../server/main.ts";
import {
  errorOf,
  eventually,
  jsonOf,
  startRun,
  type TestServer,
  testServer,
  waitFinished,
} from "./_helpers.ts";

interface Row {
  readonly id: number;
}

/** Items 0..n-1, a few ms each, every tenth (from 7) failing. */
function numbered(dir: string, name = "numbered"): AnyWorkflow {
  return defineWorkflow({
    name,
    params: { n: { type: "number", default: 300 } },
    source: ({ n }) =>
      fromIterable(Array.from({ length: n }, (_, id): Row => ({ id }))),
    pipeline: (rows) =>
      rows.map("work", async (row: Row, { signal }) => {
        await sleep(2, signal);
        if (row.id % 10 === 7) throw new Error(`item ${row.id} fails`);
        return { id: row.id, double: row.id * 2 };
      }, { concurrency: 4 }),
    sink: toJsonl(`${dir}/out.jsonl`),
    deadLetter: toJsonl(`${dir}/dead.jsonl`),
  });
}

interface Detail {
  readonly status: string;
  readonly durable: boolean;
  readonly written: number;
  readonly resumed: { runId: string; skipped: number } | null;
  readonly summary: { status: string; written: number } | null;
}

async function detail(test: TestServer, id: string): Promise<Detail> {
  return await jsonOf<Detail>(await test.request(`/runs/${id}`));
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  assert(text === "" || text.endsWith("\n"), "the file ends with a newline");
  return text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line)
  );
}

/** Every item once: outputs in order, dead letters for each failing id. */
async function assertExactlyOnce(dir: string, n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => i);
  const out = await lines(`${dir}/out.jsonl`);
  assertEquals(
    out.map((row) => row.id),
    ids.filter((id) => id % 10 !== 7),
  );
  assertEquals(out.every((row) => row.double === (row.id as number) * 2), true);
  const dead = await lines(`${dir}/dead.jsonl`);
  assertEquals(
    dead.map((letter) => (letter.input as Row).id).sort((a, b) => a - b),
    ids.filter((id) => id % 10 === 7),
  );
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_durable_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function durableServer(dir: string, workflow: AnyWorkflow): TestServer {
  return testServer({
    workflows: { numbered: workflow },
    checkpoints: `${dir}/checkpoints.db`,
  });
}

async function waitWritten(
  test: TestServer,
  id: string,
  atLeast: number,
): Promise<void> {
  await eventually(
    async () => (await detail(test, id)).written >= atLeast,
    `run ${id} has written ${atLeast} items`,
  );
}

Deno.test("a durable run cancelled gracefully resumes over HTTP; every item is written once", async () => {
  await withDir(async (dir) => {
    await using test = durableServer(dir, numbered(dir));
    const created = await jsonOf<{ id: string; durable: boolean }>(
      await test.request("/runs", {
        method: "POST",
        json: { workflow: "numbered" },
      }),
      201,
    );
    assertEquals(created.durable, true);
    await waitWritten(test, created.id, 40);
    await jsonOf(
      await test.request(`/runs/${created.id}/cancel`, {
        method: "POST",
        json: { graceful: true },
      }),
      202,
    );
    const stopped = await waitFinished(test, created.id) as unknown as Detail;
    assertEquals(stopped.status, "stopped");
    assertEquals(stopped.durable, true);
    assertEquals(stopped.resumed, null);
    const before = stopped.summary!.written;
    assert(before >= 40 && before < 270, `written ${before}`);

    const resumed = await startRun(test, {
      workflow: "numbered",
      resume: true,
    });
    assert(resumed.id !== created.id);
    const run = await waitFinished(test, resumed.id) as unknown as Detail;
    assertEquals(run.status, "completed-with-failures");
    assertEquals(run.durable, true);
    assertEquals(run.resumed?.runId, created.id);
    assert(run.resumed!.skipped > 0 && run.resumed!.skipped < 300);
    assertEquals(run.summary!.written + before, 270);
    // The list shows it too.
    const list = await jsonOf<{ runs: { id: string; durable: boolean }[] }>(
      await test.request("/runs"),
    );
    assertEquals(list.runs.map((r) => r.durable), [true, true]);
    await assertExactlyOnce(dir, 300);

    // It has finished: nothing is left to resume.
    const again = await errorOf(
      await test.request("/runs", {
        method: "POST",
        json: { workflow: "numbered", resume: true },
      }),
      409,
    );
    assertEquals([again.code, again.field], ["conflict", "resume"]);
    assertStringIncludes(again.message, "already finished");
    assertStringIncludes(again.message, 'without "resume"');
    assertFalse(again.message.includes(dir), "no server path in the message");
  });
});

Deno.test("a durable run aborted over HTTP resumes; what was written after its checkpoint is written once", async () => {
  await withDir(async (dir) => {
    await using test = durableServer(dir, numbered(dir));
    const { id } = await startRun(test, {
      workflow: "numbered",
      params: { n: 200 },
    });
    await waitWritten(test, id, 30);
    await jsonOf(
      await test.request(`/runs/${id}/cancel`, { method: "POST" }),
      202,
    );
    assertEquals((await waitFinished(test, id)).status, "aborted");
    const resumed = await startRun(test, {
      workflow: "numbered",
      params: { n: 200 },
      resume: true,
    });
    const run = await waitFinished(test, resumed.id) as unknown as Detail;
    assertEquals(run.status, "completed-with-failures");
    assertEquals(run.resumed?.runId, id);
    await assertExactlyOnce(dir, 200);
  });
});

Deno.test("resume with nothing to resume answers 409 and keeps no run", async () => {
  await withDir(async (dir) => {
    await using test = durableServer(dir, numbered(dir));
    const error = await errorOf(
      await test.request("/runs", {
        method: "POST",
        json: { workflow: "numbered", resume: true, force: true },
      }),
      409,
    );
    assertEquals([error.code, error.field], ["conflict", "resume"]);
    assertStringIncludes(
      error.message,
      'No checkpoint to resume for workflow "numbered" writing to out.jsonl',
    );
    assertFalse(error.message.includes(dir));
    const list = await jsonOf<{ runs: unknown[]; active: number }>(
      await test.request("/runs"),
    );
    assertEquals([list.runs.length, list.active], [0, 0]);
  });
});

Deno.test("resume is refused with 400 without checkpoints, or with a bad flag", async () => {
  await using test = testServer();
  const cases: [Record<string, unknown>, string, string][] = [
    [{ workflow: "squares", resume: true }, "resume", "keeps no checkpoints"],
    [
      { workflow: "squares", resume: "yes" },
      "resume",
      "expected true or false",
    ],
    [
      { workflow: "squares", force: true },
      "force",
      'only applies with "resume"',
    ],
  ];
  for (const [json, field, message] of cases) {
    const error = await errorOf(
      await test.request("/runs", { method: "POST", json }),
      400,
    );
    assertEquals([error.code, error.field], ["bad_request", field]);
    assertStringIncludes(error.message, message);
  }
  const csv = await errorOf(
    await test.request("/runs?workflow=echo&resume=true", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "a\n1\n",
    }),
    400,
  );
  assertEquals(csv.field, "resume");
  // Without checkpoints, runs are not durable.
  const { id } = await startRun(test, { workflow: "squares" });
  assertEquals((await waitFinished(test, id)).durable, false);
});

Deno.test("a workflow whose sink cannot resume runs without checkpoints; resuming it is a 400", async () => {
  await withDir(async (dir) => {
    const memory = defineWorkflow({
      name: "memory",
      source: fromIterable([1, 2, 3]),
      sink: collect(),
    });
    await using test = testServer({
      workflows: { memory },
      checkpoints: `${dir}/checkpoints.db`,
    });
    const { id } = await startRun(test, { workflow: "memory" });
    const run = await waitFinished(test, id);
    assertEquals([run.status, run.durable], ["succeeded", false]);
    const error = await errorOf(
      await test.request("/runs", {
        method: "POST",
        json: { workflow: "memory", resume: true },
      }),
      400,
    );
    assertEquals(error.field, "resume");
    assertStringIncludes(error.message, '"memory"');
    assertStringIncludes(error.message, "cannot resume");
  });
});

Deno.test("a run without a sink is durable; one still going cannot be resumed or doubled", async () => {
  await withDir(async (dir) => {
    const fileBlocking = defineWorkflow({
      name: "file-blocking",
      source: fromIterable([1, 2, 3]),
      pipeline: (rows) =>
        rows.map(
          "wait",
          (n: number, { signal }) =>
            new Promise<number>((_, reject) => {
              signal.addEventListener("abort", () => reject(signal.reason), {
                once: true,
              });
              void n;
            }),
        ),
      sink: toJsonl(`${dir}/blocked.jsonl`),
    });
    await using test = testServer({
      checkpoints: `${dir}/checkpoints.db`,
      workflows: { "file-blocking": fileBlocking },
    });
    const squaresServer = testServer({ checkpoints: `${dir}/squares.db` });
    try {
      const { id } = await startRun(squaresServer, { workflow: "squares" });
      const squares = await waitFinished(squaresServer, id);
      assertEquals(
        [squares.status, squares.durable],
        ["completed-with-failures", true],
      );
      // Its results are kept as without checkpoints.
      const results = await (await squaresServer.request(
        `/runs/${id}/results`,
      )).text();
      assertEquals(results.trim().split("\n").length, 5);
    } finally {
      await squaresServer.server.close();
    }

    const going = await startRun(test, { workflow: "file-blocking" });
    for (const resume of [true, false]) {
      const error = await errorOf(
        await test.request("/runs", {
          method: "POST",
          json: { workflow: "file-blocking", ...(resume ? { resume } : {}) },
        }),
        409,
      );
      assertStringIncludes(error.message, `Run "${going.id}"`);
      assertStringIncludes(error.message, "writes to the same outputs");
    }
  });
});

Deno.test("inline input is fingerprinted: resuming over other rows is refused", async () => {
  await withDir(async (dir) => {
    await using test = durableServer(dir, numbered(dir));
    const input = Array.from({ length: 150 }, (_, id) => ({ id }));
    const { id } = await startRun(test, { workflow: "numbered", input });
    await waitWritten(test, id, 20);
    await test.request(`/runs/${id}/cancel`, {
      method: "POST",
      json: { graceful: true },
    }).then((response) => response.body?.cancel());
    assertEquals((await waitFinished(test, id)).status, "stopped");
    const changed = await errorOf(
      await test.request("/runs", {
        method: "POST",
        json: { workflow: "numbered", input: input.slice(1), resume: true },
      }),
      409,
    );
    assertStringIncludes(changed.message, "changed");
    assertStringIncludes(changed.message, 'send "force": true');
    const resumed = await startRun(test, {
      workflow: "numbered",
      input,
      resume: true,
    });
    const run = await waitFinished(test, resumed.id) as unknown as Detail;
    assertEquals(run.resumed?.runId, id);
    await assertExactlyOnce(dir, 150);
  });
});

Deno.test("closing a server with shutdownGrace stops runs gracefully; another server resumes them", async () => {
  await withDir(async (dir) => {
    const workflow = numbered(dir);
    let first: string;
    {
      await using test = testServer({
        workflows: { numbered: workflow },
        checkpoints: `${dir}/checkpoints.db`,
        shutdownGrace: "5s",
      });
      first = (await startRun(test, { workflow: "numbered" })).id;
      await waitWritten(test, first, 40);
      const started = Date.now();
      await test.server.close();
      assert(Date.now() - started < 4000, "in-flight items finished early");
    }
    await using test = durableServer(dir, workflow);
    const resumed = await startRun(test, {
      workflow: "numbered",
      resume: true,
    });
    const run = await waitFinished(test, resumed.id) as unknown as Detail;
    assertEquals(run.resumed?.runId, first);
    // Stopped gracefully: its last checkpoint covers what it wrote.
    assert(run.resumed!.skipped >= 40, `skipped ${run.resumed!.skipped}`);
    await assertExactlyOnce(dir, 300);
  });
});

Deno.test("server.close() twice cuts the grace period short", async () => {
  await using test = testServer({ shutdownGrace: "1m" });
  const { id } = await startRun(test, { workflow: "blocking" });
  await eventually(
    async () => (await detail(test, id)).status === "running",
    "the run is going",
  );
  const closing = test.server.close();
  await sleep(20);
  const started = Date.now();
  await test.server.close();
  await closing;
  assert(Date.now() - started < 5000);
});

Deno.test("main with --checkpoints stops runs gracefully when signalled; a restart resumes them", async () => {
  await withDir(async (dir) => {
    const folder = `${dir}/flows`;
    await Deno.mkdir(folder);
    const mod = new URL("../../mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${folder}/numbered.ts`,
      `import { defineWorkflow, fromIterable, sleep, toJsonl } from ${
        JSON.stringify(mod)
      };
export default defineWorkflow({
  name: "numbered",
  source: fromIterable(Array.from({ length: 300 }, (_, id) => ({ id }))),
  pipeline: (rows) =>
    rows.map("work", async (row, { signal }) => {
      await sleep(2, signal);
      if (row.id % 10 === 7) throw new Error("item " + row.id + " fails");
      return { id: row.id, double: row.id * 2 };
    }, { concurrency: 4 }),
  sink: toJsonl(${JSON.stringify(`${dir}/out.jsonl`)}),
  deadLetter: toJsonl(${JSON.stringify(`${dir}/dead.jsonl`)}),
});
`,
    );
    const serve = async (
      during: (url: string) => Promise<void>,
    ): Promise<string[]> => {
      const stop = new AbortController();
      const printed: string[] = [];
      let url = "";
      const running = main([
        "--workflows",
        folder,
        "--port",
        "0",
        "--checkpoints",
        `${dir}/checkpoints.db`,
        "--grace",
        "5s",
      ], {
        env: () => undefined,
        print: (line) => printed.push(line),
        signal: stop.signal,
        onListen: ({ port }) => url = `http://127.0.0.1:${port}`,
      });
      try {
        await eventually(() => url !== "", "the server listens");
        await during(url);
      } finally {
        stop.abort();
        assertEquals(await running, 0);
      }
      return printed;
    };
    const post = (url: string, json: unknown) =>
      fetch(`${url}/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(json),
      });
    const get = async (url: string, id: string) =>
      await jsonOf<Detail>(await fetch(`${url}/runs/${id}`));

    let first = "";
    const printed = await serve(async (url) => {
      first = (await jsonOf<{ id: string }>(
        await post(url, { workflow: "numbered" }),
        201,
      )).id;
      await eventually(
        async () => (await get(url, first)).written >= 40,
        "the run has written 40 items",
      );
    });
    assertStringIncludes(printed.join("\n"), "Stopping: no new runs");
    await serve(async (url) => {
      const { id } = await jsonOf<{ id: string }>(
        await post(url, { workflow: "numbered", resume: true }),
        201,
      );
      await eventually(
        async () => (await get(url, id)).summary !== null,
        "the resumed run has finished",
      );
      const run = await get(url, id);
      assertEquals(run.resumed?.runId, first);
      assert(run.resumed!.skipped >= 40);
    });
    await assertExactlyOnce(dir, 300);
  });
});
