/**
 * The executor seam: the contract between the interpreter and whatever
 * runs a stage's tasks (this process, worker threads, a distributed
 * engine). The interpreter hands an executor a stage and its items and
 * receives outcomes; it knows nothing else about where tasks run.
 * Concurrency, resize, rate limit, retries, timeouts, cancellation and
 * stats all cross here, so `RunHandle.resize(stage, n)` means the same for
 * every executor. See `docs/architecture.md`.
 *
 * @module
 */

import type { ErrorPolicy, ResolvedPolicy } from "../policy/policy.ts";
import type {
  LatencyRecorder,
  Outcome,
  RetryEvent,
  TaskFn,
} from "../pool/types.ts";
import type { Duration } from "../units/duration.ts";
import type { Rate } from "../units/rate.ts";

/** The kinds of stage an executor runs (`batch` runs no task). */
export type TaskStageKind = "map" | "filter" | "flatMap" | "tap";

/**
 * One stage as an executor sees it: what to run on each item and under
 * which limits and policy. Made by the interpreter from the plan.
 */
export interface ExecutorStage {
  /** The stage's name, unique in its workflow. */
  readonly name: string;
  /** What the stage does with a task's value (the interpreter's business). */
  readonly kind: TaskStageKind;
  /**
   * The task to run in this process: `run(item, ctx)` takes an item as
   * handed in, unwraps it and calls the stage's function, and checks what
   * it returns (a `flatMap`'s result must be iterable). An executor that
   * runs tasks here calls this.
   */
  readonly run: TaskFn<unknown, unknown>;
  /**
   * The stage's function as declared, for an executor that runs it
   * elsewhere and needs to know what it is (a worker-thread stage's module
   * and export, a distributed worker's stage name).
   */
  readonly fn: unknown;
  /**
   * The value the stage's function takes from an item as handed in: what
   * an executor that runs tasks elsewhere sends over.
   */
  valueOf(item: unknown): unknown;
  /**
   * Checks a value the function returned elsewhere, as `run` does here:
   * throws a `TypeError` (which fails the item) if it cannot go on.
   */
  checkResult(value: unknown): unknown;
  /** Tasks at once at the start: an integer `>= 1`. */
  readonly concurrency: number;
  /** Whether outcomes must come out in input order. */
  readonly ordered: boolean;
  /** Attempts start no faster than this, if set. */
  readonly rateLimit: Rate | undefined;
  /** The stage's error policy as data (retry, timeout, onError, maxFailures). */
  readonly errors: ErrorPolicy;
  /** The same policy, resolved (attempts, delays, retryIf, fail-fast). */
  readonly policy: ResolvedPolicy;
}

/** What an execution reports back besides its outcomes. */
export interface ExecutionContext {
  /** The run's signal: aborting it stops the execution with its reason. */
  readonly signal: AbortSignal;
  /**
   * Once the execution stops, how long to wait for tasks that ignore their
   * signal before ending without them; by default it waits for every task.
   */
  readonly abandonAfter: Duration | undefined;
  /** Receives each task's time, first attempt to outcome, in milliseconds (sampled). */
  readonly latency: LatencyRecorder;
  /** Called before a failed attempt is retried. */
  onRetry(event: RetryEvent<unknown>): void;
}

/** An execution's counts at a moment. */
export interface ExecutionStats {
  /** The concurrency limit now. */
  readonly concurrency: number;
  /** Items taken in so far. */
  readonly started: number;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks started but waiting (for the rate limit, a shared limit, a remote worker). */
  readonly waiting: number;
  /** Finished outcomes not yet read by the interpreter. */
  readonly buffered: number;
  /** Items that failed for good so far. */
  readonly failed: number;
  /** Retries scheduled so far. */
  readonly retried: number;
}

/**
 * A stage running on an executor: an async iterable of outcomes, one per
 * item (in input order when the stage is ordered), with live controls.
 *
 * Its iteration follows the stage's error policy: under `continue`, a
 * failure after its retries is an outcome (`ok: false`, with a `TaskError`
 * and the attempts); under fail-fast, or when more than `maxFailures`
 * items failed, the execution stops (its `signal` aborts with the error,
 * nothing new starts, tasks in flight are told and settle), and once the
 * outcomes before it and the successes of the tasks in flight are read,
 * the iteration throws that `TaskError` or `ErrorBudgetError`: work done is
 * delivered, however late its answer arrives. A failing item source ends it with a `SourceError`.
 * Aborting (the run's signal or `abort()`) ends it with the reason.
 * Ending the iteration early (`return()`) stops it too.
 *
 * Back-pressure: items are pulled only while fewer than `concurrency`
 * tasks run and the outcomes not yet read stay bounded, so memory depends
 * on concurrency, not on the number of items.
 */
export interface StageExecution
  extends AsyncIterable<Outcome<unknown, unknown>> {
  /**
   * Aborted as soon as the execution stops, with the reason: the fail-fast
   * `TaskError`, an `ErrorBudgetError`, the abort reason. Lets the
   * interpreter stop the whole run at once, before reading up to it.
   */
  readonly signal: AbortSignal;
  /**
   * Changes the concurrency limit now: growing starts tasks at once,
   * shrinking lets running ones finish, `0` pauses.
   *
   * @throws {RangeError} If `concurrency` is not an integer `>= 0`.
   */
  resize(concurrency: number): void;
  /** Counts now. */
  stats(): ExecutionStats;
  /** Stops the execution: tasks' signals abort; the iteration ends with `reason`. */
  abort(reason?: unknown): void;
}

/**
 * Where a stage's tasks run. One executor may run any number of stages of
 * any number of runs at once; each `executeStage` call is independent.
 *
 * @example An executor that counts the stages it runs, over the default one
 * ```ts
 * import {
 *   collect,
 *   defineWorkflow,
 *   type Executor,
 *   fromIterable,
 *   inProcess,
 *   run,
 * } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const stages: string[] = [];
 * const counting: Executor = {
 *   name: "counting",
 *   executeStage(stage, items, ctx) {
 *     stages.push(stage.name);
 *     return inProcess().executeStage(stage, items, ctx);
 *   },
 * };
 * const out = collect<number>();
 * const workflow = defineWorkflow({
 *   name: "w",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("double", (n) => n * 2).filter("big", (n) => n > 2),
 *   sink: out,
 * });
 * await run(workflow, { executor: counting }).done;
 * assertEquals(stages, ["double", "big"]);
 * assertEquals(out.items.sort(), [4, 6]);
 * ```
 */
export interface Executor {
  /** A short name for messages and docs, such as `"in-process"`. */
  readonly name: string;
  /**
   * Starts running `stage` over `items`. Nothing is pulled from `items`
   * until the execution is iterated. The outcomes' `input` is the item as
   * handed in (the same value), so the interpreter can carry what it
   * attached to it.
   *
   * @param stage What to run and under which limits.
   * @param items The stage's input, pulled with back-pressure.
   * @param ctx The run's signal and where to report.
   * @returns The running stage.
   * @throws {TypeError} If this executor cannot run that stage.
   */
  executeStage(
    stage: ExecutorStage,
    items: AsyncIterable<unknown>,
    ctx: ExecutionContext,
  ): StageExecution;
}

/**
 * The property of a stage function that names the executor it runs on by
 * default (an `inWorker` stage names the worker-thread executor), unless
 * the stage's `executor` option or the run's says otherwise.
 */
export const STAGE_EXECUTOR: unique symbol = Symbol.for("poolflow.executor");

/** Whether `value` looks like an executor. */
export function isExecutor(value: unknown): value is Executor {
  return typeof value === "object" && value !== null &&
    typeof (value as Partial<Executor>).executeStage === "function";
}
