/**
 * Worker threads for CPU-bound work: `WorkerPool` runs exports of a module
 * on a pool of module workers (cancellable, crash-tolerant, with
 * transferables), and `inWorker` makes a workflow stage of such an
 * export, which runs on the `workerThreads()` executor of
 * `@poolflow/poolflow/workflow`. No worker starts until a task needs one. Everything here is also exported by the
 * package's main entry point.
 *
 * @example Upper-case a text on a worker thread
 * ```ts
 * import { WorkerPool } from "@poolflow/poolflow/workers";
 * import { assertEquals } from "@std/assert";
 *
 * const module = "data:text/javascript,export const shout = (s) => s.toUpperCase()";
 * await using pool = new WorkerPool({ size: 1 });
 * assertEquals(await pool.run(module, "shout", "hello"), "HELLO");
 * ```
 *
 * @module
 */

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
// Types the options name, for readers of this entry.
export type { Duration } from "./lib/units/duration.ts";
