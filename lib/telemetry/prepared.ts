/**
 * The seam between a run's caller and whatever watches the run: a plan
 * goes in, a plan to run comes out, and the run's handle is attached once
 * it has started.
 *
 * @module
 */

import type { RunHandle } from "../workflow/handle.ts";
import type { WorkflowPlan } from "../workflow/plan.ts";

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
   * @returns The plan to run and the function to attach its handle.
   */
  prepare(plan: WorkflowPlan): PreparedRun;
}
