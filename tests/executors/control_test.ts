/**
 * Live control and limits cross the executor seam the same way for every
 * executor: `RunHandle.resize(stage, n)` and the HTTP runner's `PATCH
 * /runs/:id` change the concurrency of a stage running in process, on
 * worker threads or on the fake queue executor (which schedules by itself,
 * so what it does with a stage's rate limit and timeout proves the
 * interpreter handed them over).
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  type AnyWorkflow,
  collect,
  type DeadLetter,
  defineWorkflow,
  fromIterable,
  inWorker,
  range,
  run,
  type RunEvent,
  type RunHandle,
  type StageStats,
} from "../../mod.ts";
import {
  eventually,
  jsonOf,
  startRun,
  testServer,
  waitFinished,
} from "../server/_helpers.ts";
import { TASKS, type Tasks, until } from "../workers/_helpers.ts";
import { QueueExecutor } from "./_queue_executor.ts";

/** Waits until its signal aborts, then rejects with the reason. */
function blockUntilAborted(
  _item: unknown,
  { signal }: { signal: AbortSignal },
): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });
}

/** An endless source of items. */
function* endless<T>(make: (i: number) => T): Generator<T> {
  for (let i = 0;; i++) yield make(i);
}

interface Case {
  readonly executor: string;
  /** A workflow whose stage "work" (concurrency 2) blocks until aborted. */
  workflow(): AnyWorkflow;
}

const CASES: readonly Case[] = [
  {
    executor: "in-process",
    workflow: () =>
      defineWorkflow({
        name: "blocking",
        source: fromIterable(endless((i) => i)),
        pipeline: (rows) =>
          rows.map("work", blockUntilAborted, { concurrency: 2 }),
      }),
  },
  {
    executor: "worker-threads",
    workflow: () =>
      defineWorkflow({
        name: "blocking",
        source: fromIterable(
          endless(() => ({
            ms: 60_000,
            started: new Int32Array(new SharedArrayBuffer(4)),
          })),
        ),
        pipeline: (rows) =>
          rows.map(
            "work",
            inWorker<Tasks, "wait">(TASKS, "wait", { workers: 6 }),
            { concurrency: 2 },
          ),
      }),
  },
  {
    executor: "fake-queue",
    workflow: () =>
      defineWorkflow({
        name: "blocking",
        source: fromIterable(endless((i) => i)),
        pipeline: (rows) =>
          rows.map("work", blockUntilAborted, {
            concurrency: 2,
            executor: new QueueExecutor(),
          }),
      }),
  },
];

function work(handle: RunHandle): StageStats {
  const found = handle.stats().stages.find((s) => s.name === "work");
  assert(found, "no stats for stage work");
  return found;
}

for (const { executor, workflow } of CASES) {
  Deno.test(`RunHandle.resize() changes a stage's concurrency live on the ${executor} executor`, async () => {
    const handle = run(workflow());
    const events: RunEvent[] = [];
    const listening = (async () => {
      for await (const event of handle.events) events.push(event);
    })();
    await until(() => work(handle).running === 2, "two tasks run");
    handle.resize("work", 5);
    assertEquals(work(handle).concurrency, 5);
    await until(() => work(handle).running === 5, "five tasks run");
    // Shrinking to 0 pauses: the five running tasks go on, nothing new starts.
    handle.resize("work", 0);
    assertEquals(work(handle).concurrency, 0);
    const started = work(handle).in;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assertEquals(work(handle).in, started, "nothing started while paused");
    handle.abort();
    const summary = await handle.done;
    await listening;
    assertEquals(summary.status, "aborted");
    assertEquals(
      events.filter((e) => e.type === "stage-resized").map((e) =>
        e.type === "stage-resized" ? [e.from, e.to] : []
      ),
      [[2, 5], [5, 0]],
    );
  });

  Deno.test(`PATCH /runs/:id resizes a stage live on the ${executor} executor`, async () => {
    await using test = testServer({ workflows: { blocking: workflow() } });
    const { id, links } = await startRun(test, { workflow: "blocking" });
    type Detail = {
      stats: {
        stages: { name: string; concurrency: number; running: number }[];
      };
    };
    const stage = async () =>
      (await jsonOf<Detail>(await test.request(links.self))).stats.stages[0]!;
    await eventually(async () => (await stage()).running === 2, "two run");
    const patched = await jsonOf<Detail>(
      await test.request(links.self, {
        method: "PATCH",
        json: { concurrency: { work: 4 } },
      }),
    );
    assertEquals(patched.stats.stages[0]!.concurrency, 4);
    await eventually(async () => (await stage()).running === 4, "four run");
    await jsonOf(await test.request(links.cancel, { method: "POST" }), 202);
    const finished = await waitFinished(test, id);
    assertEquals(finished.status, "aborted");
  });
}

Deno.test("a stage's rate limit reaches the executor: the fake queue engine spaces its attempts by it", async () => {
  const queue = new QueueExecutor();
  const out = collect<number>();
  const summary = await run(defineWorkflow({
    name: "limited",
    source: range(12),
    pipeline: (rows) =>
      rows.map("work", (n: number) => n, {
        concurrency: 10,
        rateLimit: "4/100ms",
        executor: queue,
      }),
    sink: out,
  })).done;
  assertEquals(summary.written, 12);
  const starts = queue.attemptStarts;
  assertEquals(starts.length, 12);
  // No more than 4 attempts start in any 100 ms (a little slack for timers).
  for (let i = 4; i < starts.length; i++) {
    assert(
      starts[i]! - starts[i - 4]! >= 95,
      `attempts ${i - 4} and ${i} started ${
        starts[i]! - starts[i - 4]!
      } ms apart`,
    );
  }
});

Deno.test("a stage's timeout and retries reach the executor: a task past its time fails after its attempts", async () => {
  const queue = new QueueExecutor();
  const out = collect<number>();
  const letters = collect<DeadLetter>();
  const handle = run(defineWorkflow({
    name: "timed",
    source: range(4),
    pipeline: (rows) =>
      rows.map(
        "work",
        (n: number, { signal }) =>
          n === 2 ? blockUntilAborted(n, { signal }) : n,
        {
          executor: queue,
          errors: {
            onError: "continue",
            timeout: "30ms",
            retry: { attempts: 2, delay: 1 },
          },
        },
      ),
    sink: out,
    deadLetter: letters,
  }));
  const events: RunEvent[] = [];
  for await (const event of handle.events) events.push(event);
  const summary = await handle.done;
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(out.items.sort(), [0, 1, 3]);
  assertEquals(letters.items.length, 1);
  assertEquals(letters.items[0]!.input, 2);
  assertEquals(letters.items[0]!.attempts, 2);
  assertStringIncludes(letters.items[0]!.error, "TimeoutError");
  assertEquals(
    events.filter((e) => e.type === "item-retried").length,
    1,
    "one retry event for the timed-out item",
  );
});
