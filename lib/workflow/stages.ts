/**
 * How each stage kind becomes an async iterable over the previous one.
 * Every stage pulls from its upstream only when it has room, so a slow
 * stage back-pressures the source: the run's memory depends on concurrency
 * and buffers, not on the number of items.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";
import { ErrorBudgetError, TaskError } from "../policy/errors.ts";
import { MapRun } from "../pool/map_run.ts";
import type { Failure, TaskFn } from "../pool/types.ts";
import { RateLimiter } from "../sync/rate_limiter.ts";
import type { Duration } from "../units/duration.ts";
import type { PlannedStage } from "./plan.ts";
import { StageCounters } from "./stats.ts";
import { positionOf, Tracked, valueOf } from "./tracked.ts";

/** What a stage reports to the run as it goes. */
export interface StageHooks {
  /** The run's signal: aborting it stops every stage. */
  readonly signal: AbortSignal;
  /** After a stop, how long to wait for tasks that ignore it. */
  readonly abandonAfter?: Duration | undefined;
  /** A failed item, after its retries. */
  failed(stage: string, outcome: Failure<unknown>): Promise<void>;
  /** A stage's own fail-fast failure: the whole run must stop. */
  fatal(error: unknown): void;
  /** An attempt that will be retried. */
  retried(
    stage: string,
    index: number,
    attempt: number,
    error: unknown,
    delayMs: number,
  ): void;
}

/** A stage ready to run: its counters, its live controls and its output. */
export interface StageRun {
  /** Counts and latencies. */
  readonly counters: StageCounters;
  /** The scheduler, for resizing; `undefined` for `batch`. */
  readonly map: MapRun<unknown, unknown> | undefined;
  /** Its output, pulled by the next stage or the sink. */
  readonly output: AsyncIterable<unknown>;
}

/**
 * Wires one stage onto its upstream. Nothing is pulled until the output is
 * iterated.
 */
export function wireStage(
  stage: PlannedStage,
  upstream: AsyncIterable<unknown>,
  hooks: StageHooks,
  tracked = false,
): StageRun {
  const { spec } = stage;
  const counters = new StageCounters(spec.name, spec.kind, stage.concurrency);
  if (spec.kind === "batch") {
    return {
      counters,
      map: undefined,
      output: batch(upstream, spec.size!, counters, tracked),
    };
  }
  const fn = spec.fn as TaskFn<unknown, unknown>;
  const checked = spec.kind === "flatMap" ? checkedFlatMap(spec.name, fn) : fn;
  // A tracked item is unwrapped for the stage's function.
  const task: TaskFn<unknown, unknown> = tracked
    ? (item, ctx) => checked((item as Tracked).value, ctx)
    : checked;
  const map = new MapRun(upstream, task, {
    ...stage.errors,
    concurrency: stage.concurrency,
    // A durable run keeps every stage ordered: see checkpointer.ts.
    ordered: tracked || stage.ordered,
    ...(stage.rateLimit === undefined
      ? {}
      : { rateLimit: new RateLimiter(stage.rateLimit) }),
    signal: hooks.signal,
    ...(hooks.abandonAfter === undefined
      ? {}
      : { abandonAfter: hooks.abandonAfter }),
    latency: counters.latency,
    onRetry: (e) => {
      counters.retried++;
      hooks.retried(spec.name, e.index, e.attempt, e.error, e.delayMs);
    },
  });
  counters.probe = map;
  const failures = new StageFailures(counters, hooks);
  map.signal.addEventListener(
    "abort",
    () => failures.stopRun(map.signal.reason),
    {
      once: true,
    },
  );
  return {
    counters,
    map,
    output: drain(
      map,
      spec.kind,
      counters,
      hooks,
      failures,
      stage.policy.failFast,
      tracked,
    ),
  };
}

/** A stage's own failures, reported once however they surface. */
class StageFailures {
  #reported: TaskError | undefined;
  readonly #counters: StageCounters;
  readonly #hooks: StageHooks;

  constructor(counters: StageCounters, hooks: StageHooks) {
    this.#counters = counters;
    this.#hooks = hooks;
  }

  /** Counts and reports a failure that was not yielded as an outcome. */
  report(failure: TaskError): Promise<void> {
    if (failure === this.#reported) return Promise.resolve();
    this.#reported = failure;
    this.#counters.failed++;
    return this.#hooks.failed(this.#counters.name, failureOf(failure));
  }

  /**
   * A failure that stops the run (fail-fast, error budget): reported, and
   * the whole run told at once, not when the next stage reads up to it.
   * The run's own abort, echoed back by each stage, is ignored.
   */
  stopRun(error: unknown): void {
    const failure = error instanceof TaskError
      ? error
      : error instanceof ErrorBudgetError && error.cause instanceof TaskError
      ? error.cause
      : undefined;
    const echo = this.#hooks.signal.aborted &&
      this.#hooks.signal.reason === error;
    if (!failure || echo) return;
    // A failing dead-letter write surfaces when the run closes its sinks.
    this.report(failure).catch(() => {});
    this.#hooks.fatal(error);
  }
}

/** Turns a stage's outcomes into its output items, and its failures into reports. */
async function* drain(
  map: MapRun<unknown, unknown>,
  kind: "map" | "filter" | "flatMap" | "tap",
  counters: StageCounters,
  hooks: StageHooks,
  failures: StageFailures,
  failFast: boolean,
  tracked: boolean,
): AsyncGenerator<unknown, void, undefined> {
  try {
    for await (const outcome of map) {
      if (!outcome.ok) {
        counters.failed++;
        await hooks.failed(counters.name, outcome);
        continue;
      }
      switch (kind) {
        case "map":
          counters.out++;
          if (tracked) {
            // The tracked item carries the new value on, position and all.
            (outcome.input as Tracked).value = outcome.value;
            yield outcome.input;
          } else {
            yield outcome.value;
          }
          break;
        case "filter":
          if (outcome.value) {
            counters.out++;
            yield outcome.input;
          }
          break;
        case "tap":
          counters.out++;
          yield outcome.input;
          break;
        case "flatMap":
          try {
            const position = positionOf(outcome.input);
            for await (const item of outcome.value as AsyncIterable<unknown>) {
              counters.out++;
              yield tracked ? new Tracked(position, item) : item;
            }
          } catch (error) {
            // The item's outputs failed while being read: that item fails;
            // what it already produced has gone on.
            const failure = new TaskError(
              outcome.index,
              outcome.input,
              outcome.attempts,
              error,
            );
            await failures.report(failure);
            if (failFast) throw failure;
          }
          break;
      }
    }
  } catch (error) {
    failures.stopRun(error);
    throw error;
  }
}

function failureOf(error: TaskError): Failure<unknown> {
  return {
    ok: false,
    index: error.index,
    input: error.input,
    error,
    attempts: error.attempts,
  };
}

/** A flatMap function whose non-iterable result fails the item, not the run. */
function checkedFlatMap(
  name: string,
  fn: TaskFn<unknown, unknown>,
): TaskFn<unknown, unknown> {
  return async (item, ctx) => {
    const items = await fn(item, ctx) as
      | Partial<Iterable<unknown> & AsyncIterable<unknown>>
      | null;
    if (
      typeof items?.[Symbol.iterator] !== "function" &&
      typeof items?.[Symbol.asyncIterator] !== "function"
    ) {
      throw new TypeError(
        `flatMap stage "${name}" must return an iterable or async iterable, got ${
          describeValue(items)
        }`,
      );
    }
    return items;
  };
}

async function* batch(
  upstream: AsyncIterable<unknown>,
  size: number,
  counters: StageCounters,
  tracked: boolean,
): AsyncGenerator<unknown, void, undefined> {
  let items: unknown[] = [];
  let previous: { position: number; last: number } | undefined;
  // A tracked batch takes the position of its first item, unless the
  // previous batch already holds part of that position (a flatMap's outputs
  // cut in two): then it keeps the previous batch's position, so no
  // checkpoint falls inside a position whose outputs are partly written.
  const pack = (): unknown => {
    if (!tracked) return items;
    const first = positionOf(items[0]);
    const position = previous !== undefined && first === previous.last
      ? previous.position
      : first;
    previous = { position, last: positionOf(items[items.length - 1]) };
    return new Tracked(position, items.map(valueOf));
  };
  for await (const item of upstream) {
    counters.in++;
    items.push(item);
    if (items.length === size) {
      counters.out++;
      yield pack();
      items = [];
    }
  }
  if (items.length > 0) {
    counters.out++;
    yield pack();
  }
}
