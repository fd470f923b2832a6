/**
 * The run handle and the options of a run: the one interface the CLI and
 * the HTTP runner see.
 *
 * @module
 */

import type { Executor } from "../executors/types.ts";
import type { Duration } from "../units/duration.ts";
import type { DurableOptions } from "./checkpointer.ts";
import type { RunEvent } from "./events.ts";
import type { PlanOptions, WorkflowPlan } from "./plan.ts";
import type { RunStats, RunSummary } from "./stats.ts";

/** How a run reports and who can stop it: options of {@linkcode runPlan}. */
export interface RunnerOptions {
  /** Aborting it aborts the run, like `RunHandle.abort()`. */
  signal?: AbortSignal;
  /** How often `progress` events are sent while somebody listens. Defaults to `"1s"`. */
  progressInterval?: Duration;
  /** The run's id; defaults to a random UUID. */
  runId?: string;
  /**
   * Once the run is aborted or fails, how long to wait for tasks that
   * ignore their signal before ending without them (and closing the sinks).
   * By default a run waits for every task; give each stage a `timeout`, or
   * this, when tasks may hang.
   */
  abandonAfter?: Duration;
  /**
   * Make the run durable: checkpoints let it resume after a crash, a kill
   * or an interruption without losing or repeating an item at its sinks.
   * Every stage then keeps input order. See `DurableOptions`.
   */
  durable?: DurableOptions;
  /**
   * Where the stages' tasks run, unless a stage names its own executor
   * (its `executor` option). By default a stage runs in this process, or
   * on worker threads when its function was made by `inWorker`.
   */
  executor?: Executor;
}

/** Options of {@linkcode run}: the plan's overrides, and how the run reports. */
export interface RunOptions extends PlanOptions, RunnerOptions {}

/** A running workflow: watch it, steer it, await its end. */
export interface RunHandle {
  /** The run's id. */
  readonly id: string;
  /** The checked plan it runs. */
  readonly plan: WorkflowPlan;
  /**
   * The run's events, from the moment of iterating to `run-finished`. Any
   * number of listeners; a slow one misses events (told by `lagged`)
   * rather than slowing the run.
   */
  readonly events: AsyncIterable<RunEvent>;
  /** Counts, rates and latencies now. */
  stats(): RunStats;
  /**
   * Changes a stage's concurrency now.
   *
   * @throws {RangeError} If no such stage has a concurrency, or `n` is bad.
   */
  resize(stage: string, concurrency: number): void;
  /** Stops taking new items; items in flight finish and reach the sink. */
  stop(): void;
  /** Aborts at once: in-flight tasks' signals abort. Sinks are still closed. */
  abort(reason?: unknown): void;
  /** Resolves when the run has ended and its sinks are closed; never rejects. */
  readonly done: Promise<RunSummary>;
}
