/**
 * `run()`: stage kinds, output order, dead letters, how runs end and what
 * they report, sinks closed on every ending, back-pressure, live resizing
 * and stats. Every run's `done` is awaited; waits are counted in turns of
 * the event loop, never in elapsed time.
 */

import {
  assert,
  assertEquals,
  assertGreater,
  assertLessOrEqual,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  collect,
  type DeadLetter,
  defineWorkflow,
  fromIterable,
  InvalidRecord,
  range,
  run,
  type RunEvent,
  type RunHandle,
  type Sink,
  sleep,
  type Source,
  type SourceReader,
  type StageStats,
} from "../../mod.ts";
import { useFakeTime } from "../_helpers/fake_time.ts";
import { Gates } from "../_helpers/gates.ts";

// ---------------------------------------------------------------- helpers

/** A sink that keeps what it is given and counts how often it was closed. */
interface RecordingSink<T> extends Sink<T> {
  readonly items: T[];
  readonly closed: number;
}

/** Makes a sink that records its items and closes, then runs the hooks. */
function recordingSink<T>(
  hooks: {
    write?: (item: T) => void | Promise<void>;
    close?: () => void | Promise<void>;
    location?: string;
  } = {},
): RecordingSink<T> {
  const items: T[] = [];
  let closed = 0;
  return {
    kind: "recording",
    location: hooks.location ?? "recording",
    items,
    get closed() {
      return closed;
    },
    open() {
      return Promise.resolve({
        write: (item: T) => {
          items.push(item);
          return hooks.write?.(item);
        },
        close: async () => {
          closed++;
          await hooks.close?.();
        },
      });
    },
  };
}

/** A source of 0, 1, 2, ... that never ends. */
function endless(): Source<number> {
  return fromIterable({
    *[Symbol.iterator]() {
      for (let i = 0;; i++) yield i;
    },
  });
}

/** A source of `records` (items and invalid records), then `error` if given. */
function recordSource<T>(
  records: readonly (T | InvalidRecord)[],
  error?: Error,
): Source<T> {
  return {
    kind: "records",
    location: "records",
    open(): SourceReader<T> {
      let done = 0;
      async function* read(): AsyncGenerator<T | InvalidRecord> {
        for (const record of records) {
          done++;
          yield await Promise.resolve(record);
        }
        if (error) throw error;
      }
      return Object.assign(read(), {
        progress: () => ({
          done,
          total: records.length,
          unit: "items" as const,
        }),
      });
    },
  };
}

/** Lets one turn of the event loop pass. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Waits turn by turn until `condition()` holds; fails after many turns. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`Timed out waiting until ${what}`);
}

/** Releases `gates` until the run is done, and returns its summary. */
async function releaseUntilDone(handle: RunHandle, gates: Gates) {
  let finished = false;
  const done = handle.done.then((summary) => {
    finished = true;
    return summary;
  });
  await until(() => {
    gates.release();
    return finished;
  }, "the run is done");
  return await done;
}

function stageStats(handle: RunHandle, name: string): StageStats {
  const found = handle.stats().stages.find((s) => s.name === name);
  assert(found, `no stats for stage "${name}"`);
  return found;
}

const failOn = (bad: number) => (n: number): number => {
  if (n === bad) throw new Error(`${n} is bad`);
  return n;
};

// ------------------------------------------------------------ stage kinds

Deno.test("run() maps, filters and taps items, passing tapped items on unchanged", async () => {
  const tapped: number[] = [];
  const out = collect<string>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(6),
    ordered: true,
    pipeline: (rows) =>
      rows
        .map("double", (n) => n * 2)
        .filter("no-fours", (n) => n !== 4)
        .tap("log", (n) => {
          tapped.push(n);
          return "ignored";
        })
        .map("label", (n) => `#${n}`),
    sink: out,
  })).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(out.items, ["#0", "#2", "#6", "#8", "#10"]);
  assertEquals(tapped, [0, 2, 6, 8, 10]);
});

Deno.test("run() flattens sync and async iterables a flatMap stage returns", async () => {
  const out = collect<string>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: fromIterable(["a b", "", "c"]),
    ordered: true,
    pipeline: (rows) =>
      rows
        .flatMap("words", (line) => line.split(" ").filter(Boolean))
        .flatMap("twice", async function* (word) {
          yield word;
          await Promise.resolve();
          yield word.toUpperCase();
        }),
    sink: out,
  })).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(out.items, ["a", "A", "b", "B", "c", "C"]);
  assertEquals(summary.stages.map((s) => [s.name, s.in, s.out]), [
    ["words", 3, 3],
    ["twice", 3, 6],
  ]);
});

Deno.test("run() fails just the item whose flatMap result is not iterable", async () => {
  const out = collect<number>();
  const dead = collect<DeadLetter>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: fromIterable([1, 2, 3]),
    ordered: true,
    pipeline: (rows) =>
      rows.flatMap(
        "expand",
        (n) => (n === 2 ? 42 : [n, n]) as Iterable<number>,
      ),
    sink: out,
    deadLetter: dead,
  })).done;
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(out.items, [1, 1, 3, 3]);
  assertEquals(dead.items.length, 1);
  assertEquals(dead.items[0]?.stage, "expand");
  assertEquals(dead.items[0]?.input, 2);
  assertStringIncludes(
    dead.items[0]?.error ?? "",
    'flatMap stage "expand" must return an iterable or async iterable, got 42',
  );
});

Deno.test("run() fails just the item whose flatMap iterable throws while being read", async () => {
  const dead = collect<DeadLetter>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: fromIterable([1, 2, 3]),
    pipeline: (rows) =>
      rows.flatMap("expand", function* (n) {
        yield n;
        if (n === 2) throw new Error("generator broke");
      }),
    deadLetter: dead,
  })).done;
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(summary.failed, 1);
  assertEquals(dead.items.map((d) => [d.stage, d.input]), [["expand", 2]]);
});

Deno.test("run() groups items into batches of the size, the last one partial", async () => {
  const out = collect<number[]>();
  const handle = run(defineWorkflow({
    name: "w",
    source: range(7),
    pipeline: (rows) => rows.batch(3, { name: "triples" }),
    sink: out,
  }));
  const summary = await handle.done;
  assertEquals(out.items, [[0, 1, 2], [3, 4, 5], [6]]);
  assertEquals(
    summary.stages.map((s) => [s.name, s.kind, s.in, s.out]),
    [["triples", "batch", 7, 3]],
  );
});

Deno.test("run() keeps input order in an ordered stage whose items finish out of order", async () => {
  const out = collect<number>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(40),
    pipeline: (rows) =>
      rows.map("jitter", async (n) => {
        await sleep((n * 7) % 5);
        return n * 10;
      }, { ordered: true, concurrency: 8 }),
    sink: out,
  })).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(out.items, Array.from({ length: 40 }, (_, i) => i * 10));
});

Deno.test("run() sends source items straight to the sink without a pipeline", async () => {
  const out = collect<number>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(3),
    sink: out,
  })).done;
  assertEquals(out.items, [0, 1, 2]);
  assertEquals([summary.read, summary.written], [3, 3]);
});

// ----------------------------------------------------- failures, dead letters

Deno.test("run() sends each failed item to the dead letter with its stage, input, error and attempts", async () => {
  const out = collect<number>();
  const dead = collect<DeadLetter>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(5),
    pipeline: (rows) =>
      rows.map("check", failOn(3), {
        errors: { retry: { attempts: 2, delay: 0, jitter: "none" } },
      }),
    sink: out,
    deadLetter: dead,
  })).done;
  assertEquals(dead.items, [
    { stage: "check", input: 3, error: "Error: 3 is bad", attempts: 2 },
  ]);
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(
    [summary.read, summary.written, summary.failed, summary.retried],
    [5, 4, 1, 1],
  );
  assertEquals(summary.outputs, { sink: "memory", deadLetter: "memory" });
  assertEquals(summary.stages[0]?.failed, 1);
  assertEquals(summary.stages[0]?.retried, 1);
});

Deno.test("run() counts failures without a dead-letter sink", async () => {
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(4),
    pipeline: (rows) => rows.map(failOn(1)),
  })).done;
  assertEquals(summary.status, "completed-with-failures");
  assertEquals([summary.read, summary.written, summary.failed], [4, 3, 1]);
  assertEquals(summary.outputs, {});
});

Deno.test("run() sends invalid source records to the dead letter with their line", async () => {
  const out = collect<number>();
  const dead = collect<DeadLetter>();
  const handle = run(defineWorkflow({
    name: "w",
    source: recordSource<number>([
      1,
      new InvalidRecord("data.jsonl", 2, "Unexpected token", "{oops"),
      3,
    ]),
    pipeline: (rows) => rows.map("double", (n) => n * 2),
    sink: out,
    deadLetter: dead,
  }));
  const summary = await handle.done;
  assertEquals(dead.items, [{
    stage: "source",
    input: "{oops",
    error: "data.jsonl:2: Unexpected token",
    attempts: 1,
    line: 2,
  }]);
  assertEquals(out.items.sort(), [2, 6]);
  assertEquals(summary.status, "completed-with-failures");
  assertEquals([summary.read, summary.written, summary.failed], [3, 2, 1]);
  assertEquals(handle.stats().invalid, 1);
});

Deno.test("run() fails on an invalid source record under fail-fast", async () => {
  const dead = collect<DeadLetter>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: recordSource<number>([
      1,
      new InvalidRecord("data.jsonl", 2, "Unexpected token", "{oops"),
      3,
    ]),
    errors: { onError: "fail-fast" },
    pipeline: (rows) => rows.map("double", (n) => n * 2),
    deadLetter: dead,
  })).done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "data.jsonl:2");
  assertEquals(dead.items, []);
});

Deno.test("run() fails on an invalid source record under fail-fast without stages", async () => {
  const summary = await run(defineWorkflow({
    name: "w",
    source: recordSource<number>([
      1,
      new InvalidRecord("data.jsonl", 2, "Unexpected token", "{oops"),
    ]),
    errors: { onError: "fail-fast" },
  })).done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "data.jsonl:2");
});

// ------------------------------------------------------------ how runs end

Deno.test("run() fails fast on the first failed item under fail-fast", async () => {
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(10),
    pipeline: (rows) =>
      rows.map("check", failOn(3), { errors: { onError: "fail-fast" } }),
  })).done;
  assertEquals(summary.status, "failed");
  assertEquals(summary.error?.name, "TaskError");
  assertStringIncludes(summary.error?.message ?? "", "3 is bad");
});

Deno.test("run() under fail-fast writes the items whose tasks were running and then succeed", async () => {
  for (const stages of [1, 2]) {
    const failing = new Gates();
    const finishing = new Gates();
    const out = collect<number>();
    let started = 0;
    const handle = run(defineWorkflow({
      name: "keep-finished",
      source: range(6),
      errors: { onError: "fail-fast" },
      pipeline: (rows) => {
        const slow = async (n: number): Promise<number> => {
          started++;
          // Item 0 fails first; 1 to 3 were running and finish after it.
          if (n === 0) {
            await failing.wait();
            throw new Error("zero failed");
          }
          await finishing.wait();
          return n * 10;
        };
        return stages === 1
          ? rows.map("slow", slow, { concurrency: 4 })
          : rows.map("pass", (n) => n).map("slow", slow, { concurrency: 4 });
      },
      sink: out,
    }));
    while (failing.pending + finishing.pending < 4) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    failing.release();
    while (!handle.stats().stages.some((s) => s.failed === 1)) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    finishing.release();
    const summary = await handle.done;
    assertEquals(summary.status, "failed", `${stages} stage(s)`);
    assertEquals(summary.error?.name, "TaskError");
    assertEquals(out.items.sort((a, b) => a - b), [10, 20, 30]);
    assertEquals(summary.written, 3);
    assertEquals(started, 4, "nothing started after the failure");
  }
});

Deno.test("run() counts the item that failed a fail-fast run as failed", async () => {
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: range(10),
      pipeline: (rows) =>
        rows.map("check", failOn(3), { errors: { onError: "fail-fast" } }),
    }),
    { concurrency: 1 },
  ).done;
  assertEquals(summary.status, "failed");
  assertEquals(summary.failed, 1);
  assertEquals(summary.stages[0]?.failed, 1);
});

Deno.test("run() fails when more items fail than the error budget allows", async () => {
  const dead = collect<DeadLetter>();
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: range(10),
      errors: { maxFailures: 1 },
      pipeline: (rows) =>
        rows.map("odd-only", (n) => {
          if (n % 2 === 0) throw new Error(`${n} is even`);
          return n;
        }),
      deadLetter: dead,
    }),
    { concurrency: 1 },
  ).done;
  assertEquals(summary.status, "failed");
  assertEquals(summary.error?.name, "ErrorBudgetError");
  // The failure within the budget and the one that broke it.
  assertEquals(dead.items.map((d) => d.input), [0, 2]);
  assertEquals(summary.failed, 2);
});

Deno.test("run() fails when the source throws, after what it read before", async () => {
  const out = collect<number>();
  const summary = await run(defineWorkflow({
    name: "w",
    source: recordSource<number>([1, 2], new Error("disk gone")),
    pipeline: (rows) => rows.map("double", (n) => n * 2),
    sink: out,
  })).done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "disk gone");
  assertEquals(out.items.sort(), [2, 4]);
  assertEquals(summary.read, 2);
});

Deno.test("run() fails when the sink's write throws", async () => {
  const sink = recordingSink<number>({
    write: (n) => {
      if (n === 2) throw new Error("disk full");
    },
  });
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(5),
    sink,
  })).done;
  assertEquals(summary.status, "failed");
  assertEquals(summary.error, { name: "Error", message: "disk full" });
  assertEquals(summary.written, 2);
  assertEquals(sink.closed, 1);
});

Deno.test("run() fails when the sink's close throws, after writing everything", async () => {
  const sink = recordingSink<number>({
    close: () => {
      throw new Error("cannot rename the temp file");
    },
  });
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(3),
    sink,
  })).done;
  assertEquals(summary.status, "failed");
  assertEquals(summary.error?.message, "cannot rename the temp file");
  assertEquals(summary.written, 3);
});

Deno.test("run() stops an endless source on stop(), and items in flight still reach the sink", async () => {
  const sink = recordingSink<number>({
    write: () => {
      if (sink.items.length === 10) handle.stop();
    },
  });
  const handle = run(defineWorkflow({
    name: "w",
    source: endless(),
    pipeline: (rows) =>
      rows.map("slow", async (n) => {
        await sleep(1);
        return n * 2;
      }, { concurrency: 4 }),
    sink,
  }));
  const summary = await handle.done;
  assertEquals(summary.status, "stopped");
  assertEquals(summary.written, summary.read);
  assertLessOrEqual(summary.read, 10 + 2 * 4 + 4);
  assertEquals(
    [...sink.items].sort((a, b) => a - b),
    Array.from({ length: summary.read }, (_, i) => i * 2),
  );
  assertEquals(sink.closed, 1);
  assertEquals(handle.stats().state, "finished");
});

Deno.test("run() succeeds when stop() comes after the source is exhausted", async () => {
  const handle = run(defineWorkflow({ name: "w", source: range(3) }));
  const summary = await handle.done;
  handle.stop();
  assertEquals(summary.status, "succeeded");
});

Deno.test("run() aborts on abort(), aborting tasks in flight", async () => {
  let abortedTasks = 0;
  const sink = recordingSink<number>({
    write: () => {
      if (sink.items.length === 5) handle.abort();
    },
  });
  const handle = run(defineWorkflow({
    name: "w",
    source: endless(),
    pipeline: (rows) =>
      rows.map("slow", async (n, { signal }) => {
        try {
          await sleep(1, signal);
        } catch (error) {
          abortedTasks++;
          throw error;
        }
        return n;
      }, { concurrency: 4 }),
    sink,
  }));
  const summary = await handle.done;
  assertEquals(summary.status, "aborted");
  assertEquals(summary.error?.name, "AbortError");
  assertGreater(abortedTasks, 0);
  assertEquals(sink.closed, 1);
});

Deno.test("run() aborts when options.signal aborts, with the signal's reason", async () => {
  const controller = new AbortController();
  const sink = recordingSink<number>({
    write: () => {
      if (sink.items.length === 3) {
        controller.abort(new Error("user cancelled"));
      }
    },
  });
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: endless(),
      pipeline: (rows) => rows.map("slow", (n) => sleep(1).then(() => n)),
      sink,
    }),
    { signal: controller.signal },
  ).done;
  assertEquals(summary.status, "aborted");
  assertEquals(summary.error, { name: "Error", message: "user cancelled" });
  assertEquals(sink.closed, 1);
});

Deno.test("run() aborts at once when options.signal is already aborted", async () => {
  const controller = new AbortController();
  controller.abort(new Error("too late"));
  const sink = recordingSink<number>();
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: range(10),
      pipeline: (rows) => rows.map((n) => n),
      sink,
    }),
    { signal: controller.signal },
  ).done;
  assertEquals(summary.status, "aborted");
  assertEquals(summary.written, 0);
  assertEquals(sink.closed, 1);
});

Deno.test("run() closes the sink and the dead-letter sink once on every ending", async () => {
  const endings: {
    status: string;
    source: Source<number>;
    fn: (n: number) => number | Promise<number>;
    onError?: "fail-fast";
    control?: (handle: RunHandle) => void;
  }[] = [
    { status: "succeeded", source: range(5), fn: (n) => n },
    {
      status: "completed-with-failures",
      source: range(5),
      fn: failOn(2),
    },
    {
      status: "failed",
      source: range(5),
      fn: failOn(2),
      onError: "fail-fast",
    },
    {
      status: "failed",
      source: recordSource([1], new Error("source broke")),
      fn: (n) => n,
    },
    {
      status: "stopped",
      source: endless(),
      fn: (n) => sleep(1).then(() => n),
      control: (handle) => handle.stop(),
    },
    {
      status: "aborted",
      source: endless(),
      fn: (n) => sleep(1).then(() => n),
      control: (handle) => handle.abort(),
    },
  ];
  for (const ending of endings) {
    const sink = recordingSink<number>({
      write: () => {
        if (sink.items.length === 2) ending.control?.(handle);
      },
    });
    const dead = recordingSink<DeadLetter>();
    const handle = run(
      defineWorkflow({
        name: "w",
        source: ending.source,
        pipeline: (rows) => rows.map("work", ending.fn),
        sink,
        deadLetter: dead,
      }),
      ending.onError ? { onError: ending.onError } : {},
    );
    const summary = await handle.done;
    assertEquals(summary.status, ending.status);
    assertEquals([sink.closed, dead.closed], [1, 1], ending.status);
  }
});

Deno.test("run() closes both sinks when a dead-letter write throws", async () => {
  const sink = recordingSink<number>();
  const dead = recordingSink<DeadLetter>({
    write: () => {
      throw new Error("dead-letter disk full");
    },
  });
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(3),
    pipeline: (rows) => rows.map("check", failOn(1)),
    sink,
    deadLetter: dead,
  })).done;
  assertEquals(summary.status, "failed");
  assertEquals(summary.error?.message, "dead-letter disk full");
  assertEquals([sink.closed, dead.closed], [1, 1]);
});

Deno.test("run() reports the locations of its outputs, including an options.sink", async () => {
  const own = collect<number>();
  const override = recordingSink<unknown>({ location: "out/override.jsonl" });
  const dead = recordingSink<DeadLetter>({ location: "out/dead.jsonl" });
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: range(3),
      sink: own,
      deadLetter: dead,
    }),
    { sink: override },
  ).done;
  assertEquals(summary.outputs, {
    sink: "out/override.jsonl",
    deadLetter: "out/dead.jsonl",
  });
  assertEquals(override.items, [0, 1, 2]);
  assertEquals(own.items, []);
});

Deno.test("run() takes only the first items under options.limit", async () => {
  const out = collect<number>();
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: endless(),
      pipeline: (rows) => rows.map("double", (n) => n * 2),
      ordered: true,
      sink: out,
    }),
    { limit: 5 },
  ).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(out.items, [0, 2, 4, 6, 8]);
  assertEquals([summary.read, summary.written], [5, 5]);
});

Deno.test("run() summarises the run with its id, workflow and times", async () => {
  const handle = run(
    defineWorkflow({ name: "summed", source: range(2) }),
    { runId: "run-1" },
  );
  const summary = await handle.done;
  assertEquals(handle.id, "run-1");
  assertEquals([summary.runId, summary.workflow], ["run-1", "summed"]);
  assertLessOrEqual(summary.startedAt, summary.finishedAt);
  assertEquals(summary.wallMs, summary.finishedAt - summary.startedAt);
});

// ----------------------------------------------------------- back-pressure

Deno.test("run() reads an endless source only a bounded distance ahead of a slow sink", async () => {
  const concurrency = 3;
  let widest = 0;
  const sink = recordingSink<number>({
    write: async () => {
      const stats = handle.stats();
      widest = Math.max(widest, stats.read - stats.written);
      await sleep(1);
      if (sink.items.length === 30) handle.stop();
    },
  });
  const handle = run(defineWorkflow({
    name: "w",
    source: endless(),
    pipeline: (rows) =>
      rows.map("first", (n) => n, { concurrency })
        .map("second", (n) => n, { concurrency }),
    sink,
  }));
  const summary = await handle.done;
  assertEquals(summary.status, "stopped");
  // Each stage holds at most concurrency running + concurrency buffered,
  // plus an item handed on; one more is being written.
  assertLessOrEqual(widest, 2 * (2 * concurrency + 1) + 1);
  assertLessOrEqual(summary.read, 30 + 2 * (2 * concurrency + 1) + 1);
});

// ------------------------------------------------------------------ resize

Deno.test("run() resizes a stage while it runs, and publishes stage-resized", async () => {
  const gates = new Gates();
  let running = 0;
  let widest = 0;
  const handle = run(
    defineWorkflow({
      name: "w",
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
    { progressInterval: "1h" },
  );
  const events: RunEvent[] = [];
  const listening = (async () => {
    for await (const event of handle.events) events.push(event);
  })();
  await until(() => running === 1, "one item runs");
  await tick();
  assertEquals(running, 1);
  assertEquals(stageStats(handle, "work").concurrency, 1);

  handle.resize("work", 3);
  await until(() => running === 3, "three items run");
  const stats = stageStats(handle, "work");
  assertEquals([stats.concurrency, stats.running], [3, 3]);

  const summary = await releaseUntilDone(handle, gates);
  await listening;
  assertEquals(summary.written, 12);
  assertEquals(widest, 3);
  assertEquals(
    events.filter((e) => e.type === "stage-resized"),
    [{ type: "stage-resized", stage: "work", from: 1, to: 3 }],
  );
});

Deno.test("run() pauses a stage resized to 0 until it is resized again", async () => {
  const gates = new Gates();
  let started = 0;
  const handle = run(defineWorkflow({
    name: "w",
    source: range(6),
    pipeline: (rows) =>
      rows.map("work", async (n) => {
        started++;
        await gates.wait();
        return n;
      }, { concurrency: 1 }),
  }));
  await until(() => gates.pending === 1, "one item runs");
  handle.resize("work", 0);
  gates.release();
  for (let turn = 0; turn < 20; turn++) await tick();
  assertEquals(started, 1);
  handle.resize("work", 2);
  const summary = await releaseUntilDone(handle, gates);
  assertEquals([summary.status, summary.written], ["succeeded", 6]);
});

Deno.test("run() refuses to resize an unknown stage, a batch stage or to a negative size", async () => {
  const gates = new Gates();
  const handle = run(defineWorkflow({
    name: "w",
    source: range(4),
    pipeline: (rows) =>
      rows.map("work", async (n) => {
        await gates.wait();
        return n;
      }).batch(2, { name: "pairs" }),
  }));
  await until(() => gates.pending > 0, "an item runs");
  const unknown = assertThrows(() => handle.resize("wrok", 2), RangeError);
  assertStringIncludes(unknown.message, 'Unknown stage "wrok"');
  assertStringIncludes(unknown.message, '"work", "pairs"');
  assertThrows(() => handle.resize("pairs", 2), RangeError, "is a batch");
  assertThrows(() => handle.resize("work", -1), RangeError);
  await releaseUntilDone(handle, gates);
});

Deno.test("run() accepts a resize right after it starts", async () => {
  const handle = run(defineWorkflow({
    name: "w",
    source: range(4),
    pipeline: (rows) => rows.map("work", (n) => n, { concurrency: 1 }),
  }));
  try {
    handle.resize("work", 2);
  } finally {
    await handle.done;
  }
  assertEquals(stageStats(handle, "work").concurrency, 2);
});

// ------------------------------------------------------------------- stats

Deno.test("run() stats show items running, queued behind a slow sink and passed on", async () => {
  const sinkGates = new Gates();
  const workGates = new Gates();
  const sink = recordingSink<number>({ write: () => sinkGates.wait() });
  const handle = run(defineWorkflow({
    name: "w",
    source: range(20),
    pipeline: (rows) =>
      rows
        .map("fast", (n) => n, { concurrency: 2 })
        .map("held", async (n) => {
          await workGates.wait();
          return n;
        }, { concurrency: 2 }),
    sink,
  }));
  await until(
    () => workGates.pending === 2 && stageStats(handle, "fast").queued > 0,
    "the held stage is full and the fast one queues",
  );
  const held = stageStats(handle, "held");
  assertEquals([held.running, held.concurrency, held.out], [2, 2, 0]);
  const fast = stageStats(handle, "fast");
  assertEquals(fast.running, 0);
  assertEquals(fast.in, fast.out + fast.queued + fast.running + fast.failed);
  assertEquals(handle.stats().state, "running");

  let finished = false;
  const done = handle.done.then((summary) => {
    finished = true;
    return summary;
  });
  await until(() => {
    workGates.release();
    sinkGates.release();
    return finished;
  }, "the run is done");
  const summary = await done;
  assertEquals(
    summary.stages.map((s) => [s.name, s.in, s.out, s.running, s.queued]),
    [["fast", 20, 20, 0, 0], ["held", 20, 20, 0, 0]],
  );
});

Deno.test("run() stats count failed and retried items per stage", async () => {
  const handle = run(defineWorkflow({
    name: "w",
    source: range(6),
    pipeline: (rows) =>
      rows.map("flaky", (n, { attempt }) => {
        if (n === 1 && attempt === 1) throw new Error("try again");
        if (n === 4) throw new Error("never");
        return n;
      }, { errors: { retry: { attempts: 3, delay: 0, jitter: "none" } } }),
  }));
  const summary = await handle.done;
  const flaky = stageStats(handle, "flaky");
  assertEquals(
    [flaky.in, flaky.out, flaky.failed, flaky.retried],
    [6, 5, 1, 3],
  );
  assertEquals([summary.failed, summary.retried], [1, 3]);
});

Deno.test("run() stats give latency percentiles of a stage whose items take time", async () => {
  const handle = run(defineWorkflow({
    name: "w",
    source: range(10),
    pipeline: (rows) => rows.map("slow", (n) => sleep(2).then(() => n)),
  }));
  const summary = await handle.done;
  const { p50, p95, p99, max } = summary.stages[0]!.latency;
  assertGreater(p50, 0);
  assertLessOrEqual(p50, p95);
  assertLessOrEqual(p95, p99);
  assertLessOrEqual(p99, max);
});

Deno.test("run() measures each item's latency, not time since startup, under a retry or timeout policy", async () => {
  using time = useFakeTime();
  for (const errors of [{}, { timeout: "10s" as const }]) {
    const handle = run(
      defineWorkflow({
        name: "w",
        source: range(3),
        pipeline: (rows) =>
          rows.map("slow", (n) => sleep(100).then(() => n), { errors }),
      }),
      { concurrency: 1 },
    );
    await time.tickAsync(1000);
    const summary = await handle.done;
    const latency = summary.stages[0]!.latency;
    assertEquals(latency.max, 100, JSON.stringify(errors));
    assertLessOrEqual(Math.abs(latency.p50 - 100), 3);
  }
});

Deno.test("run() stats report the source's progress and the state", async () => {
  const handle = run(defineWorkflow({ name: "w", source: range(4) }));
  const summary = await handle.done;
  const stats = handle.stats();
  assertEquals(stats.progress, { done: 4, total: 4, unit: "items" });
  assertEquals(stats.state, "finished");
  assertEquals([stats.read, stats.written], [summary.read, summary.written]);
});

Deno.test("run() disposes stage functions that hold resources, on every ending", async () => {
  for (const fail of [false, true]) {
    let disposed = 0;
    const stage = Object.assign((n: number) => {
      if (fail) throw new Error("stop");
      return n;
    }, {
      [Symbol.asyncDispose]: () => {
        disposed++;
        return Promise.resolve();
      },
    });
    const summary = await run(defineWorkflow({
      name: "w",
      source: range(3),
      errors: { onError: fail ? "fail-fast" : "continue" },
      pipeline: (rows) => rows.map("held", stage),
    })).done;
    assertEquals(summary.status, fail ? "failed" : "succeeded");
    assertEquals(disposed, 1);
  }
});

Deno.test("run() reads from a source override instead of the workflow's", async () => {
  const out = collect<number>();
  const summary = await run(
    defineWorkflow({
      name: "w",
      source: range(100),
      pipeline: (rows) => rows.map("double", (n) => n * 2),
      sink: out,
    }),
    { source: fromIterable([5, 6]) },
  ).done;
  assertEquals(summary.read, 2);
  assertEquals(out.items.sort(), [10, 12]);
  assertThrows(
    () =>
      run(defineWorkflow({ name: "w", source: range(1) }), {
        source: {} as Source<number>,
      }),
    Error,
    "Invalid source override",
  );
});

Deno.test("run() under fail-fast aborts the tasks of every stage, not only the failing one", async () => {
  const abortedDownstream: number[] = [];
  const summary = await run(defineWorkflow({
    name: "w",
    source: range(10),
    errors: { onError: "fail-fast" },
    pipeline: (rows) =>
      rows
        .map("first", async (n) => {
          // Item 3 fails once items 0..2 have moved on to the slow stage.
          if (n === 3) {
            await sleep(5);
            throw new Error("bad item");
          }
          return n;
        }, { concurrency: 4 })
        .map("slow", async (n, { signal }) => {
          try {
            await sleep(60_000, signal);
          } catch (error) {
            abortedDownstream.push(n);
            throw error;
          }
          return n;
        }, { concurrency: 4 }),
  })).done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "bad item");
  assertEquals(summary.failed, 1);
  assertGreater(abortedDownstream.length, 0);
});

Deno.test("run() passes the params to the pipeline function", async () => {
  const out = collect<number>();
  await run(
    defineWorkflow({
      name: "w",
      params: { factor: { type: "number", default: 2 } },
      source: range(3),
      pipeline: (rows, { factor }) => rows.map("scale", (n) => n * factor),
      sink: out,
    }),
    { params: { factor: "10" } },
  ).done;
  assertEquals(out.items.sort((a, b) => a - b), [0, 10, 20]);
});

Deno.test("run() with abandonAfter ends an aborted run whose task ignores its signal, and closes its sinks", async () => {
  let release!: () => void;
  const stubborn = new Promise<void>((resolve) => release = resolve);
  const closed: string[] = [];
  const sink: Sink<number> = {
    kind: "test",
    location: "memory",
    open: () =>
      Promise.resolve({
        write: () => {},
        close: () => (closed.push("sink"), Promise.resolve()),
      }),
  };
  const handle = run(
    defineWorkflow({
      name: "w",
      source: range(3),
      pipeline: (rows) =>
        rows.map(
          "stuck",
          async (n) => (n === 0 ? await stubborn : undefined, n),
        ),
      sink,
    }),
    { abandonAfter: 20 },
  );
  await sleep(5);
  handle.abort(new Error("cancelled"));
  const summary = await handle.done;
  assertEquals(summary.status, "aborted");
  assertEquals(closed, ["sink"]);
  release();
  await sleep(1);
});
