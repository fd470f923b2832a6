/**
 * poolflow: run async work over many items with bounded concurrency, a
 * clear error policy and live control.
 *
 * - {@linkcode mapConcurrent} streams an outcome per input from any
 *   (async) iterable, pulling lazily; {@linkcode mapAll} collects values.
 * - {@linkcode TaskPool} runs named groups of tasks under one shared limit,
 *   after Python's asyncio-taskpool; {@linkcode SimpleTaskPool} runs one
 *   function as many times at once as you start it.
 * - {@linkcode Semaphore}, {@linkcode RateLimiter} and {@linkcode Channel}
 *   are the abortable primitives underneath.
 *
 * @example Process rows, ten at a time, collecting every outcome
 * ```ts
 * import { mapConcurrent } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
 * let failed = 0;
 * const done: number[] = [];
 * for await (const outcome of mapConcurrent(rows, async (row, { signal }) => {
 *   signal.throwIfAborted();
 *   if (row.id === 2) throw new Error("upstream said no");
 *   return row.id * 100;
 * }, { concurrency: 10, retry: { attempts: 2, delay: 1 } })) {
 *   if (outcome.ok) done.push(outcome.value);
 *   else failed++;
 * }
 * assertEquals(done.sort(), [100, 300]);
 * assertEquals(failed, 1);
 * ```
 *
 * @module
 */

export { type Permit, Semaphore } from "./lib/sync/semaphore.ts";
export { RateLimiter } from "./lib/sync/rate_limiter.ts";
export { Channel, ChannelClosedError } from "./lib/sync/channel.ts";
export { type Duration, parseDuration } from "./lib/units/duration.ts";
export {
  type ParsedRate,
  parseRate,
  type Rate,
  type RateSpec,
} from "./lib/units/rate.ts";
export type {
  Backoff,
  ErrorPolicy,
  Jitter,
  ResolvedPolicy,
  RetryPolicy,
} from "./lib/policy/policy.ts";
export {
  ErrorBudgetError,
  SourceError,
  TaskError,
} from "./lib/policy/errors.ts";
export {
  type AttemptFn,
  retry,
  type RetryAttempt,
  type RetryOptions,
} from "./lib/policy/retry.ts";
export { type TimeoutOptions, withTimeout } from "./lib/policy/timeout.ts";
export type {
  Failure,
  Inputs,
  LatencyRecorder,
  MapOptions,
  Outcome,
  RetryEvent,
  Success,
  TaskContext,
  TaskFn,
} from "./lib/pool/types.ts";
export type { MapRun } from "./lib/pool/map_run.ts";
export { mapAll, type MapAllOptions, mapConcurrent } from "./lib/pool/map.ts";
export {
  type ApplyOptions,
  type GroupOptions,
  type GroupRef,
  type PoolMapOptions,
  type StarmapOptions,
  TaskPool,
  type TaskPoolOptions,
} from "./lib/pool/task_pool.ts";
export {
  SimpleTaskPool,
  type SimpleTaskPoolOptions,
  type StoppedTask,
} from "./lib/pool/simple_task_pool.ts";
export {
  type GroupReport,
  type PoolRefusedCode,
  PoolRefusedError,
  TaskPoolError,
} from "./lib/pool/pool_errors.ts";
export type {
  CancelledTask,
  GroupCallbacks,
  GroupState,
  GroupSummary,
  TaskGroup,
} from "./lib/pool/task_group.ts";
export {
  type DeadLetter,
  InvalidRecord,
  type OpenContext,
  type Sink,
  type SinkCheckpoint,
  type SinkWriter,
  type Source,
  type SourceProgress,
  type SourceReader,
} from "./lib/io/types.ts";
export { InvalidRecordError, type RowSource } from "./lib/io/row_source.ts";
export { type CsvSourceOptions, fromCsv } from "./lib/io/csv_source.ts";
export { fromJsonl } from "./lib/io/jsonl_source.ts";
export { fromJson } from "./lib/io/json_source.ts";
export { fromLines } from "./lib/io/lines_source.ts";
export { range } from "./lib/io/range_source.ts";
export {
  fromIterable,
  type IterableSourceOptions,
} from "./lib/io/iterable_source.ts";
export { type JsonlSinkOptions, toJsonl } from "./lib/io/jsonl_sink.ts";
export { type CsvSinkOptions, toCsv } from "./lib/io/csv_sink.ts";
export { toJson } from "./lib/io/json_sink.ts";
export { type StdoutSinkOptions, toStdout } from "./lib/io/stdout_sink.ts";
export { collect, type CollectSink } from "./lib/io/collect.ts";
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
export type {
  DurableOptions,
  DurableRunInfo,
  DurableStartInfo,
} from "./lib/workflow/checkpointer.ts";
export {
  type CheckpointRecord,
  type CheckpointStatus,
  type CheckpointStore,
  CheckpointStoreError,
  MemoryCheckpointStore,
  ResumeError,
  type ResumeErrorCode,
} from "./lib/durable/store.ts";
export { SqliteCheckpointStore } from "./lib/durable/sqlite_store.ts";
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
export {
  type ExecutionContext,
  type ExecutionStats,
  type Executor,
  type ExecutorStage,
  type StageExecution,
  type TaskStageKind,
} from "./lib/executors/types.ts";
export { inProcess } from "./lib/executors/in_process.ts";
export { workerThreads } from "./lib/executors/worker_threads.ts";
export { sleep } from "./lib/policy/sleep.ts";
export {
  fetchJson,
  type FetchOptions,
  fetchText,
  httpJson,
  type HttpRetry,
  type HttpTaskContext,
  type HttpTaskOptions,
} from "./lib/io/http.ts";
export { HttpError } from "./lib/io/http_error.ts";
export {
  inWorker,
  type InWorkerOptions,
  type WorkerStage,
} from "./lib/workers/in_worker.ts";
export {
  WorkerPool,
  type WorkerPoolOptions,
  type WorkerRunOptions,
} from "./lib/workers/worker_pool.ts";
export {
  WorkerCrashError,
  WorkerPoolClosedError,
} from "./lib/workers/errors.ts";
export { transferable, type Transferred } from "./lib/workers/transfer.ts";
export type {
  WorkerContext,
  WorkerExportName,
  WorkerFunction,
  WorkerInput,
  WorkerModule,
  WorkerOutput,
} from "./lib/workers/types.ts";
