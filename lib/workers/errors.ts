/**
 * The errors of the worker pool that callers may want to catch: a worker
 * that went away while running a task, and a pool that no longer takes
 * tasks.
 *
 * @module
 */

/**
 * A worker thread ended while running a task without the task throwing:
 * it called `self.close()` or `Deno.exit()`, or failed in a way that left
 * no error of its own. The pool replaces the worker; `cause` holds what is
 * known. (A task whose function throws, or whose worker has an uncaught
 * error, rejects with that error itself.)
 *
 * @example Tell a crashed worker from a failed task
 * ```ts
 * import { WorkerCrashError } from "@poolflow/poolflow";
 * import { assert } from "@std/assert";
 *
 * const error: unknown = new WorkerCrashError("The worker called Deno.exit(3)");
 * assert(error instanceof WorkerCrashError && error.name === "WorkerCrashError");
 * ```
 */
export class WorkerCrashError extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened.
   * @param options Its `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkerCrashError";
  }
}

/**
 * The pool was closed (or terminated) before it took or finished the task:
 * `run()` after `close()`, or a task queued or running when `terminate()`
 * was called without a reason.
 *
 * @example A closed pool takes no tasks
 * ```ts
 * import { WorkerPool, WorkerPoolClosedError } from "@poolflow/poolflow";
 * import { assertRejects } from "@std/assert";
 *
 * const pool = new WorkerPool({ size: 1 });
 * await pool.close();
 * await assertRejects(
 *   () => pool.run("data:text/javascript,export const f = () => 1", "f", 0),
 *   WorkerPoolClosedError,
 * );
 * ```
 */
export class WorkerPoolClosedError extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened.
   */
  constructor(message = "The worker pool is closed") {
    super(message);
    this.name = "WorkerPoolClosedError";
  }
}
