/**
 * The engine alone: the lazily pulling concurrent map, `TaskPool`, the
 * abortable primitives underneath (semaphore, rate limiter, channel), the
 * error policy and the units it is written in. Imports nothing of
 * workflows, files, workers or SQLite; everything here is also exported by
 * the package's main entry point.
 *
 * @example Square numbers, two at a time, in input order
 * ```ts
 * import { mapAll, Semaphore } from "@poolflow/poolflow/pool";
 * import { assertEquals } from "@std/assert";
 *
 * const squares = await mapAll([1, 2, 3, 4], (n) => n * n, {
 *   concurrency: 2,
 * });
 * assertEquals(squares, [1, 4, 9, 16]);
 *
 * const semaphore = new Semaphore(1);
 * {
 *   using _permit = await semaphore.acquire();
 *   assertEquals(semaphore.running, 1);
 * }
 * assertEquals(semaphore.running, 0);
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
export { sleep } from "./lib/policy/sleep.ts";
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
