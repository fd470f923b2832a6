/**
 * Workflows: the typed definition (`defineWorkflow` with a `Pipeline` of
 * map, filter, flatMap, batch and tap stages), the plan that validates it,
 * the interpreter that runs it (`run`, returning a `RunHandle` with live
 * events, stats, resize and abort), the executor seam where a stage's
 * tasks run, and the run's events and statistics. Sources and sinks come
 * from `@poolflow/poolflow/io`, checkpoint stores from
 * `@poolflow/poolflow/durable`, worker-thread stages from
 * `@poolflow/poolflow/workers`. Everything here is also exported by the
 * package's main entry point.
 *
 * @example Double the even numbers
 * ```ts
 * import { defineWorkflow, run } from "@poolflow/poolflow/workflow";
 * import { collect, range } from "@poolflow/poolflow/io";
 * import { assertEquals } from "@std/assert";
 *
 * const out = collect<number>();
 * const workflow = defineWorkflow({
 *   name: "double-evens",
 *   source: range(6),
 *   pipeline: (n) =>
 *     n.filter("even", (x) => x % 2 === 0)
 *       .map("double", (x) => x * 2, { concurrency: 2 }),
 *   sink: out,
 * });
 * const summary = await run(workflow).done;
 * assertEquals(summary.status, "succeeded");
 * assertEquals(out.items.sort((a, b) => a - b), [0, 4, 8]);
 * ```
 *
 * @module
 */

export {
  type AnyWorkflow,
  defineWorkflow,
  type FromParams,
  isWorkflow,
  type ParamSpec,
  type ParamsSpec,
  type ParamValues,
  type PathParamSpec,
  type ValueParamSpec,
  type WORKFLOW,
  type Workflow,
  type WorkflowSpec,
} from "./lib/workflow/define.ts";
export {
  type BatchOptions,
  Pipeline,
  type StageFn,
  type StageKind,
  type StageOptions,
  type StageSpec,
} from "./lib/workflow/pipeline.ts";
export {
  type PlannedStage,
  type PlanOptions,
  planWorkflow,
  WorkflowError,
  type WorkflowPlan,
} from "./lib/workflow/plan.ts";
export { type PathParamCode, PathParamError } from "./lib/workflow/errors.ts";
export {
  type PathAccess,
  type PathParamContext,
  resolvePathParam,
} from "./lib/workflow/path_param.ts";
export type { DurableOptions } from "./lib/workflow/checkpointer.ts";
export { run, runPlan } from "./lib/workflow/run.ts";
export type {
  RunHandle,
  RunnerOptions,
  RunOptions,
} from "./lib/workflow/handle.ts";
export type {
  ItemFailedEvent,
  ItemRetriedEvent,
  LaggedEvent,
  ProgressEvent,
  RunEvent,
  RunFinishedEvent,
  RunStartedEvent,
  StageResizedEvent,
} from "./lib/workflow/events.ts";
export type {
  Latency,
  RunStats,
  RunStatus,
  RunSummary,
  StageStats,
} from "./lib/workflow/stats.ts";
export { LatencyHistogram } from "./lib/workflow/histogram.ts";
export type {
  ExecutionContext,
  ExecutionStats,
  Executor,
  ExecutorStage,
  StageExecution,
  TaskStageKind,
} from "./lib/executors/types.ts";
export { inProcess } from "./lib/executors/in_process.ts";
export { workerThreads } from "./lib/executors/worker_threads.ts";
// Types the definitions, plans, options and the executor contract name,
// for readers of this entry.
export type {
  DeadLetter,
  InvalidRecord,
  OpenContext,
  Sink,
  SinkCheckpoint,
  SinkWriter,
  Source,
  SourceProgress,
  SourceReader,
} from "./lib/io/types.ts";
export type { TaskError } from "./lib/policy/errors.ts";
export type { Duration } from "./lib/units/duration.ts";
export type { Rate, RateSpec } from "./lib/units/rate.ts";
export type {
  Backoff,
  ErrorPolicy,
  Jitter,
  ResolvedPolicy,
  RetryPolicy,
} from "./lib/policy/policy.ts";
export type {
  Failure,
  LatencyRecorder,
  Outcome,
  RetryEvent,
  Success,
  TaskContext,
  TaskFn,
} from "./lib/pool/types.ts";
export type {
  CheckpointRecord,
  CheckpointStatus,
  CheckpointStore,
} from "./lib/durable/store.ts";
