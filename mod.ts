/**
 * poolflow: run async work over many items with bounded concurrency, a
 * clear error policy and live control.
 *
 * - {@linkcode mapConcurrent} streams an outcome per input from any
 *   (async) iterable, pulling lazily; {@linkcode mapAll} collects values.
 * - {@linkcode TaskPool} runs named groups of tasks under one shared limit,
 *   after Python's asyncio-taskpool.
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
export {
  applyJitter,
  type Backoff,
  backoffDelay,
  type ErrorPolicy,
  type Jitter,
  type ResolvedPolicy,
  resolvePolicy,
  type RetryPolicy,
} from "./lib/policy/policy.ts";
export {
  ErrorBudgetError,
  SourceError,
  TaskError,
} from "./lib/policy/errors.ts";
export type {
  Failure,
  MapOptions,
  Outcome,
  RetryEvent,
  Source,
  Success,
  TaskContext,
  TaskFn,
} from "./lib/pool/types.ts";
export { MapRun } from "./lib/pool/map_run.ts";
export { mapAll, type MapAllOptions, mapConcurrent } from "./lib/pool/map.ts";
export {
  type ApplyOptions,
  type GroupOptions,
  type GroupRef,
  type PoolMapOptions,
  TaskPool,
  type TaskPoolOptions,
} from "./lib/pool/task_pool.ts";
export {
  type GroupCallbacks,
  type GroupState,
  type GroupSummary,
  TaskGroup,
} from "./lib/pool/task_group.ts";
