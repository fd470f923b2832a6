/**
 * The worker-thread executor: a stage made by `inWorker(module, export)`
 * is scheduled here (concurrency, rate limit, retries, timeouts) and each
 * task runs on the stage's worker pool. The item's value crosses to the
 * thread by structured clone, and its result comes back the same way.
 *
 * @module
 */

import type { WorkerPool } from "../workers/worker_pool.ts";
import { scheduleLocally } from "./local.ts";
import type {
  ExecutionContext,
  Executor,
  ExecutorStage,
  StageExecution,
} from "./types.ts";

/** The property of an `inWorker` stage function that says where it runs. */
export const WORKER_TASK: unique symbol = Symbol.for("poolflow.workerTask");

/** What a worker-thread stage function tells the executor. */
export interface WorkerTaskRef {
  /** The module the workers import, resolved. */
  readonly module: string;
  /** The export they call. */
  readonly exportName: string;
  /** The stage's pool, started on first use. */
  pool(): WorkerPool;
}

/** The worker task a stage function names, if it is an `inWorker` stage. */
export function workerTaskOf(fn: unknown): WorkerTaskRef | undefined {
  if (typeof fn !== "function") return undefined;
  return (fn as { [WORKER_TASK]?: WorkerTaskRef })[WORKER_TASK];
}

class WorkerThreadsExecutor implements Executor {
  readonly name = "worker-threads";

  executeStage(
    stage: ExecutorStage,
    items: AsyncIterable<unknown>,
    ctx: ExecutionContext,
  ): StageExecution {
    const ref = workerTaskOf(stage.fn);
    if (!ref) {
      throw new TypeError(
        `Stage "${stage.name}" cannot run on worker threads: its function is not an inWorker(module, exportName) stage, and a closure cannot cross to another thread`,
      );
    }
    return scheduleLocally(stage, items, ctx, async (item, task) => {
      const value = await ref.pool().run(
        ref.module,
        ref.exportName,
        stage.valueOf(item) as never,
        { signal: task.signal },
      );
      return stage.checkResult(value);
    });
  }
}

const WORKER_THREADS: Executor = new WorkerThreadsExecutor();

/**
 * The executor that runs `inWorker` stages on worker threads. A stage
 * made by `inWorker` names it already, so a workflow needs it only to say
 * so explicitly (as a stage's `executor` option); a stage whose function
 * is a closure cannot run on it.
 *
 * @returns The worker-thread executor.
 *
 * @example An `inWorker` stage runs here by default
 * ```ts
 * import { collect, defineWorkflow, fromIterable, inWorker, run, workerThreads } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const module = "data:text/javascript,export const square = (n) => n * n";
 * const square = inWorker<{ square(n: number): number }, "square">(module, "square", { workers: 1 });
 * const out = collect<number>();
 * const workflow = defineWorkflow({
 *   name: "squares",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("square", square, { ordered: true, executor: workerThreads() }),
 *   sink: out,
 * });
 * await run(workflow).done;
 * assertEquals(out.items, [1, 4, 9]);
 * ```
 */
export function workerThreads(): Executor {
  return WORKER_THREADS;
}
