/**
 * Observability for poolflow runs, kept out of the engine's import graph:
 * OpenTelemetry traces and metrics (`Telemetry`, through
 * `@opentelemetry/api`, a no-op until an SDK or `OTEL_DENO=true` is on),
 * totals over many runs for a metrics endpoint (`RunTotals`), and the task
 * hook both are built on (`observeTasks`).
 *
 * @example Trace a run with whatever the process exports to
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow } from "@poolflow/poolflow";
 * import { Telemetry } from "@poolflow/poolflow/telemetry";
 * import { assertEquals } from "@std/assert";
 *
 * const telemetry = new Telemetry({ traceTasks: "sampled", taskSampleRate: 0.01 });
 * const plan = planWorkflow(defineWorkflow({
 *   name: "double",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("x2", (n) => n * 2),
 * }));
 * const summary = await telemetry.run(plan).done;
 * assertEquals(summary.written, 3);
 * ```
 *
 * @module
 */

export type { PreparedRun, RunTaskListener, RunWatcher } from "./prepared.ts";
export {
  type MeterSource,
  Telemetry,
  type TelemetryOptions,
  type TracerSource,
  type TraceTasks,
} from "./otel.ts";
export {
  type LatencyTotals,
  RunTotals,
  type RunTotalsOptions,
  type StageTotals,
  succeededOf,
  type TotalsSnapshot,
  type WorkflowTotals,
} from "./totals.ts";
export {
  BucketHistogram,
  DEFAULT_BUCKETS_MS,
  type HistogramSnapshot,
} from "./buckets.ts";
export {
  observeTasks,
  type TaskEnd,
  type TaskObserver,
  type TaskRunner,
  type TaskStart,
  timedItem,
} from "./task_observer.ts";
export { otelFromEnv } from "./env.ts";
