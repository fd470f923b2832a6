/**
 * `RunHandle.events`: what a run reports, in what order, to whom; progress
 * only while somebody listens; a slow listener is told what it missed and
 * never slows the run. Progress timing runs on a fake clock.
 */

import { assert, assertEquals, assertGreater } from "@std/assert";
import {
  defineWorkflow,
  fromIterable,
  InvalidRecord,
  range,
  run,
  type RunEvent,
  type RunHandle,
  sleep,
  type Source,
  type SourceReader,
} from "../../mod.ts";
import { useFakeTime } from "../_helpers/fake_time.ts";
import { Gates } from "../_helpers/gates.ts";

// ---------------------------------------------------------------- helpers

/** Reads every event of one listener, from now to the end. */
async function listen(handle: RunHandle): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of handle.events) events.push(event);
  return events;
}

const types = (events: readonly RunEvent[]): string[] =>
  events.map((e) => e.type);

/** Lets one turn of the event loop pass (real time only). */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A workflow whose every item fails in stage "fail". */
function failing(count: number) {
  return defineWorkflow({
    name: "failing",
    source: range(count),
    pipeline: (rows) =>
      rows.map("fail", (n): number => {
        throw new Error(`no ${n}`);
      }),
  });
}

/** A source of one item and one invalid record. */
function withInvalidRecord(): Source<number> {
  return {
    kind: "records",
    location: "data.jsonl",
    open(): SourceReader<number> {
      async function* read(): AsyncGenerator<number | InvalidRecord> {
        yield await Promise.resolve(1);
        yield new InvalidRecord("data.jsonl", 2, "Unexpected token", "{");
      }
      return Object.assign(read(), {
        progress: () => ({ done: 0, total: undefined, unit: "items" as const }),
      });
    },
  };
}

// ------------------------------------------------------------ order, content

Deno.test("run events start with run-started and end with run-finished carrying the summary", async () => {
  const handle = run(
    defineWorkflow({
      name: "evented",
      source: range(3),
      pipeline: (rows) => rows.map("a", (n) => n).tap("b", () => {}),
    }),
    { runId: "run-7" },
  );
  const listening = listen(handle);
  const summary = await handle.done;
  const events = await listening;
  const first = events[0];
  assert(first?.type === "run-started");
  assertEquals(
    [first.runId, first.workflow, first.stages],
    ["run-7", "evented", ["a", "b"]],
  );
  assertEquals(first.at, summary.startedAt);
  assertEquals(events.at(-1), { type: "run-finished", summary });
  assertEquals(types(events).filter((t) => t.startsWith("run-")), [
    "run-started",
    "run-finished",
  ]);
});

Deno.test("run events report failed items with stage, index, error and attempts", async () => {
  const handle = run(defineWorkflow({
    name: "w",
    source: range(4),
    pipeline: (rows) =>
      rows.map("check", (n) => {
        if (n === 2) throw new Error("2 is bad");
        return n;
      }, { errors: { retry: { attempts: 2, delay: 0, jitter: "none" } } }),
  }));
  const listening = listen(handle);
  await handle.done;
  const events = await listening;
  assertEquals(events.filter((e) => e.type === "item-retried"), [{
    type: "item-retried",
    stage: "check",
    index: 2,
    attempt: 1,
    error: "Error: 2 is bad",
    delayMs: 0,
  }]);
  assertEquals(events.filter((e) => e.type === "item-failed"), [{
    type: "item-failed",
    stage: "check",
    index: 2,
    error: "Error: 2 is bad",
    attempts: 2,
  }]);
});

Deno.test("run events report an invalid source record as failed at the source", async () => {
  const handle = run(defineWorkflow({
    name: "w",
    source: withInvalidRecord(),
  }));
  const listening = listen(handle);
  await handle.done;
  assertEquals((await listening).filter((e) => e.type === "item-failed"), [{
    type: "item-failed",
    stage: "source",
    index: 1,
    error: "data.jsonl:2: Unexpected token",
    attempts: 1,
  }]);
});

// ---------------------------------------------------------------- progress

Deno.test("run events include progress at the interval while the run lasts, and none after", async () => {
  using time = useFakeTime();
  const handle = run(
    defineWorkflow({
      name: "w",
      source: range(25),
      pipeline: (rows) =>
        rows.map("slow", (n) => sleep(100).then(() => n), { concurrency: 1 }),
    }),
    { progressInterval: "1s" },
  );
  const listening = listen(handle);
  await time.tickAsync(3000);
  const summary = await handle.done;
  const events = await listening;

  // The run lasts 2.5 s: progress at 1 s and 2 s.
  const progress = events.flatMap((e) => e.type === "progress" ? [e] : []);
  assertEquals(progress.length, 2);
  assertEquals(progress.map((p) => p.stats.state), ["running", "running"]);
  assertGreater(
    progress[1]!.stats.stages[0]!.out,
    progress[0]!.stats.stages[0]!.out,
  );
  assertEquals(events.at(-1)?.type, "run-finished");
  assertEquals(summary.written, 25);
  assertEquals(time.countTimers(), 0);
});

Deno.test("run events include progress only while somebody listens", async () => {
  using time = useFakeTime();
  const gates = new Gates();
  const handle = run(
    defineWorkflow({
      name: "w",
      source: range(1),
      pipeline: (rows) => rows.map("held", (n) => gates.wait().then(() => n)),
    }),
    { progressInterval: "1s" },
  );
  await time.tickAsync(5000);
  assertEquals(time.countTimers(), 0, "no progress timer without listeners");

  const events = handle.events[Symbol.asyncIterator]();
  await time.tickAsync(1000);
  const progress = await events.next();
  assert(!progress.done && progress.value.type === "progress");
  assertEquals(progress.value.stats.stages[0]?.running, 1);
  assertEquals(progress.value.stats.read, 1);

  await events.return?.();
  await time.tickAsync(2000);
  assertEquals(
    time.countTimers(),
    0,
    "progress stops when the listener leaves",
  );

  gates.release();
  assertEquals((await handle.done).status, "succeeded");
});

Deno.test("run events stop progress when the run ends even if a listener stays", async () => {
  const handle = run(
    defineWorkflow({
      name: "w",
      source: range(20),
      pipeline: (rows) =>
        rows.map("slow", (n) => sleep(1).then(() => n), { concurrency: 1 }),
    }),
    { progressInterval: 1 },
  );
  const events = handle.events[Symbol.asyncIterator]();
  await handle.done;
  // The sanitizers fail this test if the progress interval outlives the run.
  let last: RunEvent | undefined;
  for (let next = await events.next(); !next.done; next = await events.next()) {
    last = next.value;
  }
  assertEquals(last?.type, "run-finished");
});

// ---------------------------------------------------------------- listeners

Deno.test("run events give a listener that joins after the end just run-finished", async () => {
  const handle = run(defineWorkflow({ name: "w", source: range(3) }));
  const summary = await handle.done;
  assertEquals(await listen(handle), [{ type: "run-finished", summary }]);
});

Deno.test("run events give a listener only what happens after it joins", async () => {
  const gates = new Gates();
  const handle = run(
    defineWorkflow({
      name: "w",
      source: range(8),
      pipeline: (rows) =>
        rows.map("work", async (n) => {
          if (n === 4) await gates.wait();
          throw new Error(`no ${n}`);
        }, { concurrency: 1 }),
    }),
    { progressInterval: "1h" },
  );
  for (let turn = 0; turn < 5000 && gates.pending === 0; turn++) await tick();
  assertEquals(gates.pending, 1);
  const listening = listen(handle);
  gates.release();
  await handle.done;
  const events = await listening;
  assertEquals(
    events.flatMap((e) => e.type === "item-failed" ? [e.index] : []),
    [4, 5, 6, 7],
  );
  assertEquals(types(events).at(-1), "run-finished");
  assert(!types(events).includes("run-started"));
});

Deno.test("run events reach every listener", async () => {
  const handle = run(failing(20), { progressInterval: "1h" });
  const listeners = [listen(handle), listen(handle), listen(handle)];
  await handle.done;
  const [first, ...others] = await Promise.all(listeners);
  assertEquals(first!.length, 22);
  for (const events of others) assertEquals(events, first);
});

Deno.test("run events let a listener leave by breaking its loop, without stopping the others", async () => {
  const handle = run(failing(10), { progressInterval: "1h" });
  const leaving = handle.events[Symbol.asyncIterator]();
  const staying = listen(handle);
  assertEquals((await leaving.next()).value?.type, "run-started");
  await leaving.return?.();
  assertEquals(await leaving.next(), { done: true, value: undefined });
  await handle.done;
  assertEquals((await staying).length, 12);

  const breaking = run(failing(10), { progressInterval: "1h" });
  let seen = 0;
  for await (const _event of breaking.events) {
    if (++seen === 2) break;
  }
  assertEquals((await breaking.done).failed, 10);
});

Deno.test("run events do not hold up the run for a listener that does not read, and tell it what it missed", async () => {
  const failures = 1500;
  const handle = run(failing(failures), { progressInterval: "1h" });
  const events = handle.events[Symbol.asyncIterator]();
  const summary = await handle.done;
  assertEquals(summary.failed, failures);

  // run-started + every failure + run-finished, of which 1024 were kept.
  const published = failures + 2;
  const first = await events.next();
  assertEquals(first.value, { type: "lagged", dropped: published - 1024 });
  const rest: RunEvent[] = [];
  for (let next = await events.next(); !next.done; next = await events.next()) {
    rest.push(next.value);
  }
  assertEquals(rest.length, 1024);
  assertEquals(rest.at(-1), { type: "run-finished", summary });
  assertEquals(types(rest).filter((t) => t === "item-failed").length, 1023);
});

Deno.test("run events keep no backlog for listeners that were not there", async () => {
  const handle = run(failing(10_000));
  const summary = await handle.done;
  assertEquals(summary.failed, 10_000);
  assertEquals(await listen(handle), [{ type: "run-finished", summary }]);
});

Deno.test("run events end a listener on an aborted run with its summary", async () => {
  const handle = run(
    defineWorkflow({
      name: "w",
      source: fromIterable({
        *[Symbol.iterator]() {
          for (let i = 0;; i++) yield i;
        },
      }),
      pipeline: (rows) =>
        rows.map("slow", (n, { signal }) => sleep(1, signal).then(() => n)),
    }),
    { progressInterval: "1h" },
  );
  const listening = listen(handle);
  handle.abort();
  const summary = await handle.done;
  const events = await listening;
  assertEquals(summary.status, "aborted");
  assertEquals(events.at(-1), { type: "run-finished", summary });
});
