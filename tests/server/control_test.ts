/**
 * Steering runs over HTTP: `POST /runs/:id/cancel` (abort, or graceful
 * stop) and `PATCH /runs/:id` (resize a stage), each observed in the run's
 * stats and status, and the ways they are refused.
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  type Created,
  errorOf,
  eventually,
  jsonOf,
  readSse,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

interface Detail {
  status: string;
  stats: {
    state: string;
    stages: { name: string; concurrency: number; running: number }[];
  };
  summary: { status: string; error?: { name: string; message: string } } | null;
}

Deno.test("POST /runs/:id/cancel aborts a run; its status ends aborted", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, { workflow: "blocking" });
  await eventually(async () => {
    const run = await jsonOf<Detail>(await test.request(links.self));
    return run.stats.stages[0]!.running === 2;
  }, "two items are in flight");
  const cancelled = await jsonOf<Detail>(
    await test.request(links.cancel, { method: "POST" }),
    202,
  );
  assertEquals(
    cancelled.status === "stopping" || cancelled.status === "aborted",
    true,
  );
  const run = await waitFinished(test, id) as unknown as Detail;
  assertEquals(run.status, "aborted");
  assertEquals(run.summary?.error, {
    name: "AbortError",
    message: "The run was cancelled over HTTP",
  });
  assertEquals(run.stats.state, "finished");
});

Deno.test("POST /runs/:id/cancel with graceful: true stops taking new items", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "squares",
    params: { n: 1000 },
  });
  await jsonOf(
    await test.request(links.cancel, {
      method: "POST",
      json: { graceful: true },
    }),
    202,
  );
  const run = await waitFinished(test, id) as unknown as Detail & {
    read: number;
  };
  assertEquals(run.status, "stopped");
  assertEquals(run.read < 1000, true);
});

Deno.test("cancelling a finished run answers 409; a bad cancel body 400", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "squares",
    params: { n: 1 },
  });
  await waitFinished(test, id);
  const error = await errorOf(
    await test.request(links.cancel, { method: "POST" }),
    409,
  );
  assertEquals(error.code, "conflict");
  assertStringIncludes(error.message, "it has finished (succeeded)");
  const bad = await errorOf(
    await test.request(links.cancel, {
      method: "POST",
      json: { graceful: "yes" },
    }),
    400,
  );
  assertEquals(bad.field, "graceful");
  const unknown = await errorOf(
    await test.request(links.cancel, { method: "POST", json: { force: true } }),
    400,
  );
  assertEquals(unknown.field, "force");
});

Deno.test("PATCH /runs/:id resizes a stage live: stats and events show it", async () => {
  await using test = testServer();
  const { links } = await startRun(test, { workflow: "blocking" });
  const events = await test.request(links.events);
  const resized = await jsonOf<Detail>(
    await test.request(links.self, {
      method: "PATCH",
      json: { concurrency: { work: 5 } },
    }),
  );
  assertEquals(resized.stats.stages[0]!.concurrency, 5);
  await eventually(async () => {
    const run = await jsonOf<Detail>(await test.request(links.self));
    return run.stats.stages[0]!.running === 5;
  }, "five items are in flight");
  const frames = await readSse(
    events,
    (frame) => frame.event === "stage-resized",
  );
  assertEquals(JSON.parse(frames.at(-1)!.data), {
    type: "stage-resized",
    stage: "work",
    from: 2,
    to: 5,
  });
  // Shrinking to 0 pauses the stage: nothing new starts.
  await jsonOf(
    await test.request(links.self, {
      method: "PATCH",
      json: { concurrency: { work: 0 } },
    }),
  );
  const paused = await jsonOf<Detail>(await test.request(links.self));
  assertEquals(paused.stats.stages[0]!.concurrency, 0);
  await test.request(links.cancel, { method: "POST" });
});

Deno.test("PATCH /runs/:id refuses unknown stages, batches, bad sizes and finished runs", async () => {
  await using test = testServer();
  const run: Created = await startRun(test, { workflow: "blocking" });
  const patch = (json: unknown) =>
    test.request(run.links.self, { method: "PATCH", json });
  const cases: [unknown, string, string][] = [
    [
      { concurrency: { nope: 2 } },
      "concurrency.nope",
      'Unknown stage "nope": the stages with a concurrency are "work"',
    ],
    [
      { concurrency: { "batch-2": 2 } },
      "concurrency.batch-2",
      "Cannot resize the batch stage",
    ],
    [
      { concurrency: { work: -1 } },
      "concurrency.work",
      "expected an integer from 0 to 1000",
    ],
    [{ concurrency: { work: 1001 } }, "concurrency.work", "got 1001"],
    [{ concurrency: {} }, "concurrency", "name at least one stage"],
    [{ concurrency: 4 }, "concurrency", "expected an object"],
    [{}, "concurrency", "Missing concurrency"],
    [
      { concurrency: { work: 1 }, stage: "work" },
      "stage",
      'Unknown field "stage"',
    ],
  ];
  for (const [body, field, message] of cases) {
    const error = await errorOf(await patch(body), 400);
    assertEquals(error.field, field, JSON.stringify(body));
    assertStringIncludes(error.message, message);
  }
  await test.request(run.links.cancel, { method: "POST" });
  await waitFinished(test, run.id);
  const error = await errorOf(await patch({ concurrency: { work: 1 } }), 409);
  assertEquals(error.code, "conflict");
});

Deno.test("the limit on concurrency applies to starting and resizing", async () => {
  await using test = testServer({ limits: { maxConcurrency: 4 } });
  let error = await errorOf(
    await test.request("/runs", {
      method: "POST",
      json: { workflow: "blocking", concurrency: 5 },
    }),
    400,
  );
  assertEquals(error.field, "concurrency");
  const run = await startRun(test, { workflow: "blocking", concurrency: 4 });
  error = await errorOf(
    await test.request(run.links.self, {
      method: "PATCH",
      json: { concurrency: { work: 5 } },
    }),
    400,
  );
  assertEquals(error.field, "concurrency.work");
  await test.request(run.links.cancel, { method: "POST" });
});
