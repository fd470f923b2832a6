/**
 * Executors: where a workflow stage's tasks run. The interpreter hands an
 * executor a stage and its items and reads outcomes back; concurrency,
 * resize, rate limit, retries, timeouts, cancellation and stats cross that
 * seam the same way for every executor. {@linkcode inProcess} is the
 * default, {@linkcode workerThreads} runs `inWorker` stages on threads, and
 * an {@linkcode Executor} of your own (a distributed engine) plugs in per
 * run (`run(workflow, { executor })`) or per stage (the `executor` option).
 * The same names are exported by the package's main entry point.
 *
 * @example Count the stages an executor runs, over the default one
 * ```ts
 * import { type Executor, inProcess } from "@poolflow/poolflow/executors";
 * import { defineWorkflow, fromIterable, run } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const seen: string[] = [];
 * const counting: Executor = {
 *   name: "counting",
 *   executeStage(stage, items, ctx) {
 *     seen.push(stage.name);
 *     return inProcess().executeStage(stage, items, ctx);
 *   },
 * };
 * const workflow = defineWorkflow({
 *   name: "w",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("double", (n) => n * 2),
 * });
 * assertEquals((await run(workflow, { executor: counting }).done).written, 3);
 * assertEquals(seen, ["double"]);
 * ```
 *
 * @module
 */

export type {
  ExecutionContext,
  ExecutionStats,
  Executor,
  ExecutorStage,
  StageExecution,
  TaskStageKind,
} from "./types.ts";
export { inProcess } from "./in_process.ts";
export { workerThreads } from "./worker_threads.ts";
// What an executor of its own builds outcomes and failures from.
export { ErrorBudgetError, SourceError, TaskError } from "../policy/errors.ts";
export { RateLimiter } from "../sync/rate_limiter.ts";
// What the contract's types refer to, so they are documented here too.
export type {
  Failure,
  LatencyRecorder,
  Outcome,
  RetryEvent,
  Success,
  TaskContext,
  TaskFn,
} from "../pool/types.ts";
export type {
  Backoff,
  ErrorPolicy,
  Jitter,
  ResolvedPolicy,
  RetryPolicy,
} from "../policy/policy.ts";
export type { Duration } from "../units/duration.ts";
export type { Rate, RateSpec } from "../units/rate.ts";
