import { assert, assertEquals, assertLessOrEqual } from "@std/assert";
import fc from "fast-check";
import { type GroupSummary, type TaskGroup, TaskPool } from "../../mod.ts";
import { type FakeTime, useFakeTime } from "../_helpers/fake_time.ts";

/** A task's plan: how long it runs (fake ms) and whether it then throws. */
interface Job {
  readonly ms: number;
  readonly fails: boolean;
}

type Step =
  | {
    readonly kind: "map";
    readonly at: number;
    readonly jobs: readonly Job[];
    readonly concurrency: number;
  }
  | {
    readonly kind: "apply";
    readonly at: number;
    readonly jobs: readonly Job[];
  }
  | { readonly kind: "resize"; readonly at: number; readonly limit: number }
  | { readonly kind: "cancel"; readonly at: number; readonly target: number };

/**
 * Watches tasks as they run against the history of the pool's limit. A task
 * may outlive a shrink, so the bound at any moment is the largest limit in
 * force since the oldest running task started; a task that starts must
 * itself fit under the limit in force.
 */
class LimitWatch {
  readonly violations: string[] = [];
  readonly #limits: number[];
  readonly #running = new Map<symbol, number>();

  constructor(limit: number) {
    this.#limits = [limit];
  }

  resize(limit: number): void {
    this.#limits.push(limit);
    this.#check("after resize");
  }

  start(): symbol {
    const token = Symbol("task");
    const epoch = this.#limits.length - 1;
    this.#running.set(token, epoch);
    const limit = this.#limits[epoch] ?? Infinity;
    if (this.#running.size > limit) {
      this.violations.push(
        `a task started with ${this.#running.size} running under limit ${limit}`,
      );
    }
    this.#check("at start");
    return token;
  }

  end(token: symbol): void {
    this.#running.delete(token);
  }

  #check(when: string): void {
    if (this.#running.size === 0) return;
    const oldest = Math.min(...this.#running.values());
    const bound = Math.max(...this.#limits.slice(oldest));
    if (this.#running.size > bound) {
      this.violations.push(
        `${this.#running.size} running ${when}, limits since the oldest started: ${
          this.#limits.slice(oldest).join(", ")
        }`,
      );
    }
  }
}

/** Resolves after `ms` (fake) milliseconds, or rejects when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

async function runJob(
  job: Job,
  signal: AbortSignal,
  watch: LimitWatch,
): Promise<number> {
  const token = watch.start();
  try {
    await sleep(job.ms, signal);
    if (job.fails) throw new Error("planned failure");
    return job.ms;
  } finally {
    watch.end(token);
  }
}

interface Tracked {
  readonly group: TaskGroup<number, number> | TaskGroup<Job, number>;
  readonly size: number;
  readonly endsByIndex: number[];
  readonly concurrency: number;
  peak: number;
  running: number;
  summary?: GroupSummary;
  error?: unknown;
}

/** Advances fake time until `promise` settles, failing if it never does. */
async function until<T>(time: FakeTime, promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => settled = true);
  for (let i = 0; i < 10_000 && !settled; i++) await time.tickAsync(10);
  assert(settled, "did not settle within 100 fake seconds");
  return await watched;
}

const jobArb: fc.Arbitrary<Job> = fc.record({
  ms: fc.integer({ min: 0, max: 40 }),
  fails: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});
const limitArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 5 },
  { arbitrary: fc.constant(Infinity), weight: 1 },
);
const atArb = fc.integer({ min: 0, max: 120 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("map" as const),
      at: atArb,
      jobs: fc.array(jobArb, { minLength: 0, maxLength: 8 }),
      concurrency: fc.integer({ min: 1, max: 4 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("apply" as const),
      at: atArb,
      jobs: fc.array(jobArb, { minLength: 1, maxLength: 5 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("resize" as const),
      at: atArb,
      limit: limitArb,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      at: atArb,
      target: fc.nat(),
    }),
    weight: 1,
  },
);

Deno.test("TaskPool under random groups, resizes and cancels keeps its limit, ends every task once and closes idle", async () => {
  await fc.assert(
    fc.asyncProperty(
      limitArb,
      fc.array(stepArb, { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 1, max: 4 }),
      async (initialLimit, steps, finalLimit) => {
        using time = useFakeTime();
        const watch = new LimitWatch(initialLimit);
        const pool = new TaskPool({ limit: initialLimit });
        const tracked: Tracked[] = [];
        const ordered = [...steps].sort((a, b) => a.at - b.at);
        let now = 0;
        for (const step of ordered) {
          await time.tickAsync(step.at - now);
          now = step.at;
          if (step.kind === "resize") {
            pool.resize(step.limit);
            watch.resize(step.limit);
          } else if (step.kind === "cancel") {
            const target = tracked[step.target % Math.max(1, tracked.length)];
            if (target && pool.group(target.group.id)) {
              pool.cancel(target.group.id);
            }
          } else {
            const endsByIndex = step.jobs.map(() => 0);
            const onEnd = (outcome: { index: number }) => {
              endsByIndex[outcome.index] = (endsByIndex[outcome.index] ?? 0) +
                1;
            };
            const entry: Tracked = step.kind === "map"
              ? {
                group: pool.map(
                  async (job: Job, ctx) => {
                    entry.running++;
                    entry.peak = Math.max(entry.peak, entry.running);
                    try {
                      return await runJob(job, ctx.signal, watch);
                    } finally {
                      entry.running--;
                    }
                  },
                  step.jobs,
                  { concurrency: step.concurrency, onEnd },
                ),
                size: step.jobs.length,
                endsByIndex,
                concurrency: step.concurrency,
                peak: 0,
                running: 0,
              }
              : {
                group: pool.apply(
                  (ctx, jobs: readonly Job[]) =>
                    runJob(
                      jobs[ctx.index] ?? { ms: 0, fails: false },
                      ctx.signal,
                      watch,
                    ),
                  { num: step.jobs.length, args: [step.jobs], onEnd },
                ),
                size: step.jobs.length,
                endsByIndex,
                concurrency: Infinity,
                peak: 0,
                running: 0,
              };
            tracked.push(entry);
            entry.group.done.then(
              (summary) => entry.summary = summary,
              (error) => entry.error = error,
            );
          }
        }
        // Tasks admitted by the last step get to call fn before the final
        // resize; a pool left at limit 0 would wait forever, so open it.
        await time.tickAsync(0);
        pool.resize(finalLimit);
        watch.resize(finalLimit);
        await until(time, pool.close());
        assertEquals([pool.running, pool.pending], [0, 0]);
        assertEquals(watch.violations, []);
        let ends = 0;
        for (const entry of tracked) {
          assertEquals(entry.error, undefined);
          const summary = entry.summary;
          assert(summary !== undefined, `group ${entry.group.id} never ended`);
          const total = entry.endsByIndex.reduce((a, b) => a + b, 0);
          ends += total;
          assertEquals(
            summary.succeeded + summary.failed + summary.cancelled,
            total,
          );
          assertLessOrEqual(entry.peak, entry.concurrency);
          if (summary.state === "ended") {
            assertEquals(entry.endsByIndex, entry.endsByIndex.map(() => 1));
            assertEquals(total, entry.size);
          } else {
            assert(entry.endsByIndex.every((n) => n <= 1));
          }
        }
        assertEquals(pool.ended, ends);
      },
    ),
    { numRuns: 150 },
  );
});
