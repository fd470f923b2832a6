/**
 * The seam between a run's caller and whatever watches the run: a plan
 * goes in, a plan to run comes out, and the run's handle is attached once
 * it has started.
 *
 * @module
 */

import type { RunHandle } from "../workflow/handle.ts";
import type { WorkflowPlan } from "../workflow/plan.ts";
import type { TaskEnd } from "./task_observer.ts";

/**
 * Told of each timed attempt of one run, after the watcher counted it (a
 * run page's own latencies); the same attempts the totals see.
 */
export type RunTaskListener = (task: TaskEnd) => void;

/** A run about to start: run its `plan`, then `attach` its handle. */
export interface PreparedRun {
  /** The plan to run: its tasks report to the watcher. */
  readonly plan: WorkflowPlan;
  /**
   * Watches the run: counts it while it goes and when it ends.
   *
   * @param handle What `runPlan(prepared.plan)` returned.
   * @returns The handle, for chaining.
   */
  attach(handle: RunHandle): RunHandle;
}

/** Something that watches runs: `Telemetry` or `RunTotals`. */
export interface RunWatcher {
  /**
   * Wraps a plan before it runs.
   *
   * @param plan A checked plan.
   * @param onTask Also told of this run's timed attempts.
   * @returns The plan to run and the function to attach its handle.
   */
  prepare(plan: WorkflowPlan, onTask?: RunTaskListener): PreparedRun;
}
