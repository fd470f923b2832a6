/**
 * Property tests of `mapConcurrent` under random interleavings: fast-check's
 * scheduler decides when each task, source read, resize and abort happens,
 * on real microtasks. Random inputs, failures, limits, resizes and stops.
 */

import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import fc from "fast-check";
import { type Outcome, Semaphore, TaskError } from "../../mod.ts";
// The scheduler itself, which takes the shared `limiter` that
// `mapConcurrent` keeps out of its public options.
import { MapRun } from "../../lib/pool/map_run.ts";
import type { MapRunOptions } from "../../lib/pool/types.ts";

interface Item {
  readonly fail: boolean;
}

type Stop = "none" | "abort" | "signal" | "break";

interface Scenario {
  readonly items: readonly Item[];
  readonly concurrency: number;
  readonly buffer: number;
  readonly ordered: boolean;
  readonly asyncSource: boolean;
  /** Run tasks through the policy path (a shared limiter) or the plain one. */
  readonly policyPath: boolean;
  readonly resizes: readonly number[];
  readonly onError: "continue" | "fail-fast";
  readonly stop: Stop;
  readonly breakAfter: number;
}

interface Trace {
  readonly outcomes: Outcome<Item, number>[];
  readonly error: unknown;
  readonly threw: boolean;
  /** Times more tasks ran than the limits allowed. */
  readonly overLimit: string[];
  /** Tasks that started after the loop had exited. */
  readonly startedAfterExit: number[];
  /** Tasks still running when the loop exited. */
  readonly runningAtExit: number;
  /** Tasks that started after a task had failed (for fail-fast). */
  readonly startedAfterFailure: number[];
}

const RUNS = { numRuns: 100 };

/** Up to 24 inputs, each failing with probability `failRate`. */
function items(failRate: number): fc.Arbitrary<Item[]> {
  return fc.array(
    fc.record({ fail: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ fail }) => ({ fail: fail < failRate })),
    { maxLength: 24, size: "max" },
  );
}

function scenario(
  overrides: Partial<Record<keyof Scenario, fc.Arbitrary<unknown>>> = {},
): fc.Arbitrary<Scenario> {
  return fc.record({
    items: items(0.3),
    concurrency: fc.integer({ min: 1, max: 5 }),
    buffer: fc.integer({ min: 0, max: 3 }),
    ordered: fc.boolean(),
    asyncSource: fc.boolean(),
    policyPath: fc.boolean(),
    resizes: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
    onError: fc.constantFrom("continue", "fail-fast"),
    stop: fc.constantFrom("none", "abort", "signal", "break"),
    breakAfter: fc.nat(24),
    ...overrides,
  }) as fc.Arbitrary<Scenario>;
}

/** Runs one scenario to the end under the scheduler and records what happened. */
async function exercise(s: fc.Scheduler, sc: Scenario): Promise<Trace> {
  const outcomes: Outcome<Item, number>[] = [];
  const overLimit: string[] = [];
  const startedAfterExit: number[] = [];
  const startedAfterFailure: number[] = [];
  // Every limit in force, in order; a task remembers the one it started under.
  const limits = [sc.concurrency];
  const active = new Set<{ readonly since: number }>();
  let exited = false;
  let failed = false;

  async function* pulled(): AsyncGenerator<Item> {
    for (const item of sc.items) {
      await s.schedule(Promise.resolve(), "source read");
      yield item;
    }
  }

  const controller = new AbortController();
  const options: MapRunOptions<Item> = {
    concurrency: sc.concurrency,
    buffer: sc.buffer,
    ordered: sc.ordered,
    onError: sc.onError,
    signal: controller.signal,
  };
  if (sc.policyPath) options.limiter = new Semaphore(Infinity);

  const run = new MapRun(
    sc.asyncSource ? pulled() : sc.items,
    async (item, { index }) => {
      if (exited) startedAfterExit.push(index);
      if (failed) startedAfterFailure.push(index);
      const task = { since: limits.length - 1 };
      active.add(task);
      // The bound is the largest limit in force since the oldest running
      // task started: shrinking lets running tasks finish.
      const oldest = Math.min(...[...active].map((t) => t.since));
      const bound = Math.max(...limits.slice(oldest));
      if (active.size > bound) {
        overLimit.push(
          `${active.size} tasks ran at task ${index}; limits since: ${
            limits.slice(oldest)
          }`,
        );
      }
      try {
        await s.schedule(Promise.resolve(), `task ${index}`);
        if (item.fail) {
          failed = true;
          throw new Error(`input ${index} failed`);
        }
        return index;
      } finally {
        active.delete(task);
      }
    },
    options,
  );

  // Resizes happen in order, at random points; the last leaves a limit
  // above zero so the run can end.
  const resizes = [...sc.resizes];
  if (resizes.length > 0 && resizes.at(-1) === 0) resizes.push(1);
  s.scheduleSequence(resizes.map((limit) => ({
    label: `resize(${limit})`,
    builder: () => {
      limits.push(limit);
      run.resize(limit);
      return Promise.resolve();
    },
  })));
  const reason = new Error("stopped by the test");
  if (sc.stop === "abort") {
    void s.schedule(Promise.resolve(), "run.abort()").then(() =>
      run.abort(reason)
    );
  } else if (sc.stop === "signal") {
    void s.schedule(Promise.resolve(), "signal abort").then(() =>
      controller.abort(reason)
    );
  }

  let error: unknown;
  let threw = false;
  let runningAtExit = -1;
  const reading = (async () => {
    try {
      for await (const outcome of run) {
        outcomes.push(outcome);
        if (sc.stop === "break" && outcomes.length > sc.breakAfter) break;
      }
    } catch (thrown) {
      error = thrown;
      threw = true;
    } finally {
      exited = true;
      runningAtExit = active.size;
    }
  })();
  await s.waitFor(reading);
  // Whatever is still scheduled (late resizes, aborts, a source read) runs
  // now: none of it may start a task.
  await s.waitAll();
  return {
    outcomes,
    error,
    threw,
    overLimit,
    startedAfterExit,
    runningAtExit,
    startedAfterFailure,
  };
}

Deno.test("mapConcurrent() never runs more tasks than the limit, across resizes", async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), scenario(), async (s, sc) => {
      const trace = await exercise(s, sc);
      assertEquals(trace.overLimit, []);
    }),
    RUNS,
  );
});

Deno.test("mapConcurrent() under continue yields exactly one outcome per input", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      scenario({
        onError: fc.constant("continue"),
        stop: fc.constant("none"),
      }),
      async (s, sc) => {
        const trace = await exercise(s, sc);
        assert(!trace.threw, String(trace.error));
        const indexes = trace.outcomes.map((o) => o.index);
        assertEquals(
          [...indexes].sort((a, b) => a - b),
          sc.items.map((_, i) => i),
        );
        for (const outcome of trace.outcomes) {
          assertEquals(outcome.input, sc.items[outcome.index]);
          assertEquals(outcome.ok, !outcome.input.fail);
          if (outcome.ok) assertEquals(outcome.value, outcome.index);
          else assertInstanceOf(outcome.error, TaskError);
        }
      },
    ),
    RUNS,
  );
});

Deno.test("mapConcurrent() in ordered mode yields indexes in increasing order", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      scenario({ ordered: fc.constant(true) }),
      async (s, sc) => {
        const trace = await exercise(s, sc);
        const indexes = trace.outcomes.map((o) => o.index);
        for (let i = 1; i < indexes.length; i++) {
          assert(indexes[i - 1]! < indexes[i]!, `out of order: ${indexes}`);
        }
        if (sc.onError === "continue" && sc.stop === "none") {
          assertEquals(indexes, sc.items.map((_, i) => i));
        }
      },
    ),
    RUNS,
  );
});

Deno.test("mapConcurrent() runs nothing once the iteration has ended", async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), scenario(), async (s, sc) => {
      const trace = await exercise(s, sc);
      assertEquals(trace.runningAtExit, 0, "a task still ran at exit");
      assertEquals(trace.startedAfterExit, [], "a task started after exit");
    }),
    RUNS,
  );
});

Deno.test("mapConcurrent() under fail-fast starts no task after the failing one settles", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      scenario({
        items: items(0.1),
        onError: fc.constant("fail-fast"),
        stop: fc.constant("none"),
      }),
      async (s, sc) => {
        const trace = await exercise(s, sc);
        assertEquals(trace.startedAfterFailure, []);
        if (sc.items.some((item) => item.fail)) {
          assert(trace.threw, "a failure must end the run");
          assertInstanceOf(trace.error, TaskError);
          assert(sc.items[trace.error.index]?.fail);
          assert(trace.outcomes.every((o) => o.ok));
        } else {
          assert(!trace.threw, String(trace.error));
          assertEquals(trace.outcomes.length, sc.items.length);
        }
      },
    ),
    RUNS,
  );
});
