/**
 * The executor seam: the interpreter runs a workflow through a third
 * executor it has never heard of (a fake queue executor that only speaks
 * the contract), with resize, cancellation, failures and dead letters,
 * retries, stats and events working as they do in process; stages choose
 * their executor per run or per stage; a wrong executor is refused.
 */

import {
  assert,
  assertEquals,
  assertGreater,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  collect,
  type DeadLetter,
  defineWorkflow,
  fromIterable,
  inProcess,
  inWorker,
  MemoryCheckpointStore,
  range,
  run,
  type RunEvent,
  type RunHandle,
  type Sink,
  type StageStats,
  toJsonl,
  workerThreads,
  WorkflowError,
} from "../../mod.ts";
import { Gates } from "../_helpers/gates.ts";
import { TASKS, type Tasks } from "../workers/_helpers.ts";
import { QueueExecutor } from "./_queue_executor.ts";

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`Timed out waiting until ${what}`);
}

function stageStats(handle: RunHandle, name: string): StageStats {
  const found = handle.stats().stages.find((s) => s.name === name);
  assert(found, `no stats for stage "${name}"`);
  return found;
}

/** A sink that counts how often it was closed. */
function closingSink(): Sink<number> & { readonly closed: number } {
  let closed = 0;
  return {
    kind: "closing",
    location: "closing",
    get closed() {
      return closed;
    },
    open: () =>
      Promise.resolve({
        write: () => {},
        close: () => {
          closed++;
          return Promise.resolve();
        },
      }),
  };
}

function listen(
  handle: RunHandle,
): { events: RunEvent[]; done: Promise<void> } {
  const events: RunEvent[] = [];
  const done = (async () => {
    for await (const event of handle.events) events.push(event);
  })();
  return { events, done };
}

Deno.test("a workflow runs unchanged through a third executor that only speaks the contract", async () => {
  const queue = new QueueExecutor();
  const workflow = defineWorkflow({
    name: "shapes",
    source: range(50),
    pipeline: (rows) =>
      rows
        .map("square", (n) => n * n, { concurrency: 4 })
        .filter("even", (n) => n % 2 === 0)
        .batch(5)
        .map("sum", (batch) => batch.reduce((a, b) => a + b, 0))
        .tap("look", () => {}),
  });
  const here = collect<number>();
  const there = collect<number>();
  const local = await run(workflow, { sink: here }).done;
  const remote = await run(workflow, { sink: there, executor: queue }).done;
  assertEquals(remote.status, "succeeded");
  assertEquals(
    there.items.sort((a, b) => a - b),
    here.items.sort((a, b) => a - b),
  );
  assertEquals([remote.read, remote.written], [local.read, local.written]);
  // Every task of every non-batch stage went through the queue.
  assertEquals(queue.stages, ["square", "even", "sum", "look"]);
  assertEquals(queue.attemptsRun, 50 + 50 + 5 + 5);
  const square = remote.stages.find((s) => s.name === "square")!;
  assertEquals([square.in, square.out, square.concurrency], [50, 50, 4]);
  assertGreater(square.latency.max, -1);
});

Deno.test("through the third executor, failures reach the dead letter with their attempts, and retries and failures are events", async () => {
  const queue = new QueueExecutor();
  const dead = collect<DeadLetter>();
  const out = collect<number>();
  const handle = run(
    defineWorkflow({
      name: "failing",
      source: fromIterable([1, 2, 3, 4]),
      errors: { onError: "continue", retry: { attempts: 2, delay: 1 } },
      pipeline: (rows) =>
        rows.map("check", (n) => {
          if (n % 2 === 0) throw new RangeError(`${n} is even`);
          return n;
        }),
      sink: out,
      deadLetter: dead,
    }),
    { executor: queue, progressInterval: "1h" },
  );
  const listener = listen(handle);
  const summary = await handle.done;
  await listener.done;
  assertEquals(summary.status, "completed-with-failures");
  assertEquals([summary.written, summary.failed, summary.retried], [2, 2, 2]);
  assertEquals(out.items.sort(), [1, 3]);
  assertEquals(
    dead.items.map((d) => [d.stage, d.input, d.attempts]).sort(),
    [["check", 2, 2], ["check", 4, 2]],
  );
  assertStringIncludes(dead.items[0]!.error, "is even");
  const failed = listener.events.filter((e) => e.type === "item-failed");
  const retried = listener.events.filter((e) => e.type === "item-retried");
  assertEquals(failed.length, 2);
  assertEquals(retried.length, 2);
  assertEquals(retried.map((e) => e.type === "item-retried" && e.attempt), [
    1,
    1,
  ]);
  const check = summary.stages.find((s) => s.name === "check")!;
  assertEquals([check.failed, check.retried], [2, 2]);
});

Deno.test("RunHandle.resize() reaches the third executor's concurrency live, with stats and a stage-resized event", async () => {
  const queue = new QueueExecutor();
  const gates = new Gates();
  let running = 0;
  let widest = 0;
  const handle = run(
    defineWorkflow({
      name: "resize",
      source: range(12),
      pipeline: (rows) =>
        rows.map("work", async (n) => {
          running++;
          widest = Math.max(widest, running);
          await gates.wait();
          running--;
          return n;
        }, { concurrency: 1 }),
    }),
    { executor: queue, progressInterval: "1h" },
  );
  const listener = listen(handle);
  await until(() => running === 1, "one item runs");
  await tick();
  assertEquals(running, 1);
  assertEquals(stageStats(handle, "work").concurrency, 1);

  handle.resize("work", 3);
  await until(() => running === 3, "three items run");
  const stats = stageStats(handle, "work");
  assertEquals([stats.concurrency, stats.running], [3, 3]);

  handle.resize("work", 0);
  gates.release();
  await until(() => running === 0, "the running items finish");
  for (let i = 0; i < 20; i++) await tick();
  assertEquals(running, 0, "a stage resized to 0 starts nothing");
  assertEquals(stageStats(handle, "work").running, 0);

  handle.resize("work", 2);
  await until(() => {
    gates.release();
    return stageStats(handle, "work").out === 12;
  }, "every item is done");
  const summary = await handle.done;
  await listener.done;
  assertEquals(summary.written, 12);
  assertEquals(widest, 3);
  assertEquals(
    listener.events.filter((e) => e.type === "stage-resized"),
    [
      { type: "stage-resized", stage: "work", from: 1, to: 3 },
      { type: "stage-resized", stage: "work", from: 3, to: 0 },
      { type: "stage-resized", stage: "work", from: 0, to: 2 },
    ],
  );
  assertThrows(
    () => handle.resize("nope", 1),
    RangeError,
    'Unknown stage "nope"',
  );
});

Deno.test("abort() cancels the tasks running on the third executor and closes the sink", async () => {
  const queue = new QueueExecutor();
  let started = 0;
  let aborted = 0;
  const out = closingSink();
  const handle = run(
    defineWorkflow({
      name: "cancel",
      source: range(1_000_000),
      pipeline: (rows) =>
        rows.map("hang", (n, { signal }) =>
          new Promise<number>((_, reject) => {
            started++;
            signal.addEventListener("abort", () => {
              aborted++;
              reject(signal.reason);
            }, { once: true });
            void n;
          }), { concurrency: 3 }),
      sink: out,
    }),
    { executor: queue },
  );
  await until(() => started === 3, "three tasks run");
  // Back-pressure: the coordinator holds a bounded window, not the source.
  assert(stageStats(handle, "hang").in <= 6);
  handle.abort(new Error("operator said stop"));
  const summary = await handle.done;
  assertEquals(summary.status, "aborted");
  assertEquals(summary.error?.message, "operator said stop");
  assertEquals(aborted, 3);
  assertEquals(started, 3, "nothing new starts after the abort");
  assertEquals(out.closed, 1);
});

Deno.test("fail-fast on the third executor stops the run at the first failure and aborts the other tasks", async () => {
  const queue = new QueueExecutor();
  let aborted = 0;
  const summary = await run(
    defineWorkflow({
      name: "fail-fast",
      source: fromIterable([1, 2, -1]),
      errors: { onError: "fail-fast" },
      pipeline: (rows) =>
        rows.map(
          "risky",
          (n, { signal }) =>
            n < 0
              ? Promise.reject(new Error(`bad item ${n}`))
              : new Promise<number>((_, reject) =>
                signal.addEventListener("abort", () => {
                  aborted++;
                  reject(signal.reason);
                }, { once: true })
              ),
          { concurrency: 3 },
        ),
    }),
    { executor: queue },
  ).done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "bad item -1");
  assertEquals(aborted, 2);
});

Deno.test("a durable run through the third executor writes every item once (unordered, as durable runs are by default)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const queue = new QueueExecutor();
    const out = `${dir}/out.jsonl`;
    const summary = await run(
      defineWorkflow({
        name: "durable",
        source: range(40),
        pipeline: (rows) =>
          rows.map("slow-evens", async (n) => {
            await new Promise((r) => setTimeout(r, n % 2 === 0 ? 2 : 0));
            return { n };
          }, { concurrency: 4 }),
        sink: toJsonl(out),
      }),
      {
        executor: queue,
        durable: { store: new MemoryCheckpointStore(), every: 5 },
      },
    ).done;
    assertEquals(summary.status, "succeeded");
    const lines = (await Deno.readTextFile(out)).trim().split("\n");
    assertEquals(
      lines.map((line) => JSON.parse(line).n).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stage's executor option wins over the run's, and the run's over the in-process default", async () => {
  const runLevel = new QueueExecutor();
  const stageLevel = new QueueExecutor();
  const out = collect<number>();
  const summary = await run(
    defineWorkflow({
      name: "mixed",
      source: range(10),
      pipeline: (rows) =>
        rows
          .map("a", (n) => n + 1)
          .map("b", (n) => n * 2, { executor: stageLevel })
          .map("c", (n) => n - 1, { executor: inProcess() }),
      sink: out,
    }),
    { executor: runLevel },
  ).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(out.items.sort((a, b) => a - b), [
    1,
    3,
    5,
    7,
    9,
    11,
    13,
    15,
    17,
    19,
  ]);
  assertEquals(runLevel.stages, ["a"]);
  assertEquals(stageLevel.stages, ["b"]);
});

Deno.test("run() refuses a value that is not an executor, naming the stage", () => {
  const workflow = defineWorkflow({
    name: "w",
    source: range(3),
    pipeline: (rows) =>
      rows.map("a", (n) => n, {
        executor: { name: "nothing" } as unknown as QueueExecutor,
      }),
  });
  assertThrows(
    () => run(workflow),
    WorkflowError,
    'Invalid pipeline stage "a": executor: expected an executor such as inProcess() or workerThreads(), got',
  );
  assertThrows(
    () =>
      run(defineWorkflow({ name: "w", source: range(1) }), {
        executor: "redis" as unknown as QueueExecutor,
      }),
    WorkflowError,
    'Invalid executor: expected an executor such as inProcess() or workerThreads(), got "redis"',
  );
});

Deno.test("an inWorker stage runs through the worker-thread executor; a closure cannot", async () => {
  const square = inWorker<Tasks, "square">(TASKS, "square", { workers: 1 });
  assertEquals(
    (square as unknown as Record<symbol, unknown>)[
      Symbol.for("poolflow.executor")
    ],
    workerThreads(),
  );
  const out = collect<number>();
  const summary = await run(
    defineWorkflow({
      name: "squares",
      source: range(5),
      pipeline: (rows) => rows.map("square", square, { ordered: true }),
      sink: out,
    }),
  ).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(out.items, [0, 1, 4, 9, 16]);
  assertEquals(square.pool, undefined, "the run disposed the stage's pool");

  const refused = await run(
    defineWorkflow({
      name: "closure",
      source: range(2),
      pipeline: (rows) =>
        rows.map("double", (n) => n * 2, { executor: workerThreads() }),
    }),
  ).done;
  assertEquals(refused.status, "failed");
  assertStringIncludes(
    refused.error?.message ?? "",
    'Stage "double" cannot run on worker threads',
  );
});
