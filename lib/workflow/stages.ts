/**
 * How each stage kind becomes an async iterable over the previous one:
 * a stage's items go to its executor, and its outcomes become its output.
 * Every stage pulls from its upstream only when it has room, so a slow
 * stage back-pressures the source: the run's memory depends on concurrency
 * and buffers, not on the number of items.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";
import { ErrorBudgetError, TaskError } from "../policy/errors.ts";
import { inProcess } from "../executors/in_process.ts";
import {
  type Executor,
  type ExecutorStage,
  STAGE_EXECUTOR,
  type StageExecution,
  type TaskStageKind,
} from "../executors/types.ts";
import type { Failure, TaskFn } from "../pool/types.ts";
import type { Duration } from "../units/duration.ts";
import type { PlannedStage } from "./plan.ts";
import { StageCounters } from "./stats.ts";
import type { PositionLedger } from "./positions.ts";
import { Tracked, valueOf } from "./tracked.ts";

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
  /** Where its tasks run, for resizing; `undefined` for `batch`. */
  readonly execution: StageExecution | undefined;
  /** Its output, pulled by the next stage or the sink. */
  readonly output: AsyncIterable<unknown>;
}

/**
 * The executor a stage runs on: its own `executor` option, else the
 * run's, else the one its function names (an `inWorker` stage), else
 * this process.
 */
export function executorFor(
  stage: PlannedStage,
  runExecutor: Executor | undefined,
): Executor {
  return stage.spec.options.executor ?? runExecutor ??
    (stage.spec.fn as { [STAGE_EXECUTOR]?: Executor } | undefined)
      ?.[STAGE_EXECUTOR] ??
    inProcess();
}

/**
 * Wires one stage onto its upstream: its items go to `executor`, its
 * outcomes become the stage's output. Nothing is pulled until the output
 * is iterated.
 */
export function wireStage(
  stage: PlannedStage,
  upstream: AsyncIterable<unknown>,
  hooks: StageHooks,
  ledger: PositionLedger | undefined,
  executor: Executor,
): StageRun {
  const { spec } = stage;
  const tracked = ledger !== undefined;
  const counters = new StageCounters(spec.name, spec.kind, stage.concurrency);
  if (spec.kind === "batch") {
    return {
      counters,
      execution: undefined,
      output: batch(upstream, spec.size!, counters, tracked),
    };
  }
  const execution = executor.executeStage(
    executorStage(stage, spec.kind, tracked),
    upstream,
    {
      signal: hooks.signal,
      abandonAfter: hooks.abandonAfter,
      latency: counters.latency,
      onRetry: (e) => {
        counters.retried++;
        hooks.retried(spec.name, e.index, e.attempt, e.error, e.delayMs);
      },
    },
  );
  counters.probe = execution;
  const failures = new StageFailures(counters, hooks);
  execution.signal.addEventListener(
    "abort",
    () => failures.stopRun(execution.signal.reason),
    { once: true },
  );
  return {
    counters,
    execution,
    output: drain(
      execution,
      spec.kind,
      counters,
      hooks,
      failures,
      stage.policy.failFast,
      ledger,
    ),
  };
}

/** The stage as its executor sees it. */
function executorStage(
  stage: PlannedStage,
  kind: TaskStageKind,
  tracked: boolean,
): ExecutorStage {
  const { spec } = stage;
  const fn = spec.fn as TaskFn<unknown, unknown>;
  const checkResult = kind === "flatMap"
    ? (value: unknown) => checkIterable(spec.name, value)
    : (value: unknown) => value;
  const checked = kind === "flatMap" ? checkedFlatMap(spec.name, fn) : fn;
  // A tracked item is unwrapped for the stage's function.
  const run: TaskFn<unknown, unknown> = tracked
    ? (item, ctx) => checked((item as Tracked).value, ctx)
    : checked;
  return {
    name: spec.name,
    kind,
    run,
    fn: spec.fn,
    valueOf: tracked ? valueOf : (item) => item,
    checkResult,
    concurrency: stage.concurrency,
    // A durable run needs no order: its ledger knows what is done.
    ordered: stage.ordered,
    rateLimit: stage.rateLimit,
    errors: stage.errors,
    policy: stage.policy,
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
  execution: StageExecution,
  kind: "map" | "filter" | "flatMap" | "tap",
  counters: StageCounters,
  hooks: StageHooks,
  failures: StageFailures,
  failFast: boolean,
  ledger: PositionLedger | undefined,
): AsyncGenerator<unknown, void, undefined> {
  const tracked = ledger !== undefined;
  try {
    for await (const outcome of execution) {
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
          } else ledger?.release(outcome.input as Tracked);
          break;
        case "tap":
          counters.out++;
          yield outcome.input;
          break;
        case "flatMap":
          try {
            const outputs = ledger
              ? trackedOutputs(
                outcome.value as AsyncIterable<unknown>,
                outcome.input as Tracked,
                ledger,
              )
              : outcome.value as AsyncIterable<unknown>;
            for await (const item of outputs) {
              counters.out++;
              yield item;
            }
          } catch (error) {
            // The item's outputs failed while being read: that item fails
            // (its failure releases it); what it produced has gone on.
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

/**
 * A flatMap's outputs in a durable run, each holding its input's
 * positions in the ledger until it is done. Read one ahead, so the last
 * output takes over the input's own hold: once it is written, the input's
 * positions are done at once, not only when the next item is asked for
 * (which would leave them partly written at every write, and no
 * checkpoint exact). An input with no outputs is done at once.
 */
async function* trackedOutputs(
  outputs: AsyncIterable<unknown>,
  input: Tracked,
  ledger: PositionLedger,
): AsyncGenerator<Tracked, void, undefined> {
  let pending: unknown;
  let has = false;
  try {
    for await (const item of outputs) {
      if (has) {
        ledger.add(input);
        yield new Tracked(input.position, pending, input.others);
      }
      pending = item;
      has = true;
    }
  } catch (error) {
    // What was produced before the failure goes on, as without a ledger.
    if (has) {
      ledger.add(input);
      yield new Tracked(input.position, pending, input.others);
    }
    throw error;
  }
  if (has) yield new Tracked(input.position, pending, input.others);
  else ledger.release(input);
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
  return async (item, ctx) => checkIterable(name, await fn(item, ctx));
}

function checkIterable(name: string, value: unknown): unknown {
  const items = value as
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
}

async function* batch(
  upstream: AsyncIterable<unknown>,
  size: number,
  counters: StageCounters,
  tracked: boolean,
): AsyncGenerator<unknown, void, undefined> {
  let items: unknown[] = [];
  // A tracked batch carries every item's positions (and so their counts
  // in the ledger) on to wherever it ends.
  const pack = (): unknown => {
    if (!tracked) return items;
    const first = items[0] as Tracked;
    const others: number[] = first.others ? [...first.others] : [];
    for (let i = 1; i < items.length; i++) {
      const item = items[i] as Tracked;
      others.push(item.position);
      if (item.others) others.push(...item.others);
    }
    return new Tracked(
      first.position,
      items.map(valueOf),
      others.length > 0 ? others : undefined,
    );
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
