/**
 * Workflow stages on worker threads: `inWorker(moduleUrl, exportName)` is
 * a stage function that runs the module's export in a shared
 * {@linkcode WorkerPool}, for CPU-bound stages. A closure cannot cross to
 * another thread, so the stage names a module and an export instead.
 *
 * @module
 */

import { STAGE_EXECUTOR } from "../executors/types.ts";
import {
  WORKER_TASK,
  type WorkerTaskRef,
  workerThreads,
} from "../executors/worker_threads.ts";
import { checkCount } from "../units/check.ts";
import { parseDuration } from "../units/duration.ts";
import {
  checkExportName,
  checkWorkersAvailable,
  resolveModule,
} from "./module_ref.ts";
import { workerOptions } from "./permissions.ts";
import type {
  WorkerExportName,
  WorkerFunction,
  WorkerInput,
  WorkerModule,
  WorkerOutput,
} from "./types.ts";
import { WorkerPool, type WorkerPoolOptions } from "./worker_pool.ts";

/** Options of {@linkcode inWorker}: the pool's, with `workers` for its size. */
export interface InWorkerOptions extends Omit<WorkerPoolOptions, "size"> {
  /**
   * Worker threads of the stage's pool, an integer `>= 1`. Defaults to
   * `navigator.hardwareConcurrency`. Give the stage a `concurrency` of at
   * least this (twice it keeps every worker fed).
   */
  workers?: number;
}

/**
 * A stage function that runs in worker threads: call it with an item and
 * a task context (the workflow does), dispose it to end its threads.
 *
 * @typeParam I The item type it takes.
 * @typeParam O The type it resolves to.
 */
export interface WorkerStage<I, O> extends AsyncDisposable {
  /**
   * Runs the function on `item` in a worker; `ctx.signal` aborts it. The
   * workflow passes its task context, which has a `signal`.
   */
  (item: I, ctx?: { readonly signal?: AbortSignal }): Promise<O>;
  /** The module the workers import. */
  readonly module: string;
  /** The export they call. */
  readonly exportName: string;
  /** The pool: made on the first call, gone after disposal (and made anew on the next call). */
  readonly pool: WorkerPool | undefined;
}

/**
 * A workflow stage that runs a module's exported function in worker
 * threads. Its pool starts on the first item, and the run disposes the
 * stage at its end, which closes the pool (letting tasks in flight
 * finish); the next call starts a new pool, so a workflow can run again.
 *
 * Type the stage with the module's type (no runtime import:
 * `inWorker<typeof import("./hash.ts"), "hash">(...)`), or with the
 * function's type (`inWorker<typeof hash>(...)` after
 * `import type`); then a stage fed the wrong item type does not compile.
 * Without type arguments it is `WorkerStage<unknown, unknown>`.
 *
 * The exported function receives `(input, { signal })`; inputs and
 * outputs must be structured-clonable. Workers inherit the parent's
 * permissions unless `permissions` says less (which needs
 * `--unstable-worker-options`).
 *
 * @typeParam M The module's type, `typeof import("./module.ts")`.
 * @typeParam K The export's name.
 * @param module The module: `new URL("./hash.ts", import.meta.url)`, an
 * absolute URL string, or a specifier the import map resolves.
 * @param exportName The exported function's name (`"default"` for the
 * default export).
 * @param options Worker count, abort grace, permissions.
 * @returns The stage function, typed from the module's export.
 * @throws {TypeError} If `module` is a function (a closure cannot cross
 * threads), a relative path or not a module reference; if `exportName` is
 * not a name; if `permissions` is given without `--unstable-worker-options`.
 * @throws {RangeError} If `workers` or `abortGrace` is out of range.
 * @throws {DOMException} A `NotSupportedError` where there is no `Worker`.
 *
 * @example A CPU-bound stage on two worker threads
 * ```ts
 * import { collect, defineWorkflow, fromIterable, inWorker, run } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const module = "data:text/javascript,export const square = (n) => n * n";
 * const squares = collect<number>();
 * const workflow = defineWorkflow({
 *   name: "squares",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) =>
 *     rows.map("square", inWorker<{ square(n: number): number }, "square">(module, "square", {
 *       workers: 2,
 *     }), { concurrency: 4, ordered: true }),
 *   sink: squares,
 * });
 * await run(workflow).done;
 * assertEquals(squares.items, [1, 4, 9]);
 * ```
 */
export function inWorker<M extends object, K extends WorkerExportName<M>>(
  module: WorkerModule,
  exportName: K,
  options?: InWorkerOptions,
): WorkerStage<WorkerInput<M[K]>, WorkerOutput<M[K]>>;
/**
 * A workflow stage that runs a module's exported function in worker
 * threads, typed from the function's type: `inWorker<typeof hash>(url,
 * "hash")` with `import type { hash } from "./hash.ts"`.
 *
 * @typeParam F The function's type.
 * @param module The module URL or specifier.
 * @param exportName The exported function's name.
 * @param options Worker count, abort grace, permissions.
 * @returns The stage function.
 */
export function inWorker<
  F extends WorkerFunction<never, unknown> = WorkerFunction<unknown>,
>(
  module: WorkerModule,
  exportName: string,
  options?: InWorkerOptions,
): WorkerStage<WorkerInput<F>, WorkerOutput<F>>;
export function inWorker(
  module: WorkerModule,
  exportName: string,
  options: InWorkerOptions = {},
): WorkerStage<unknown, unknown> {
  const url = resolveModule(module, "inWorker()");
  const name = checkExportName(exportName, "inWorker()");
  checkWorkersAvailable("inWorker()");
  const { workers, ...rest } = options;
  const poolOptions: WorkerPoolOptions = {
    ...rest,
    size: checkCount(workers ?? navigator.hardwareConcurrency ?? 1, "workers"),
  };
  // Check now what the pool would only check at the first item.
  parseDuration(poolOptions.abortGrace ?? "1s", "abortGrace");
  workerOptions("check", poolOptions.permissions);

  let pool: WorkerPool | undefined;
  const stage = (
    item: unknown,
    ctx?: { readonly signal?: AbortSignal },
  ): Promise<unknown> => {
    pool ??= new WorkerPool(poolOptions);
    const signal = ctx?.signal;
    return pool.run(url, name, item, signal ? { signal } : {});
  };
  // In a workflow, the worker-thread executor runs it (see executors/).
  const task: WorkerTaskRef = {
    module: url,
    exportName: name,
    pool: () => pool ??= new WorkerPool(poolOptions),
  };
  Object.defineProperties(stage, {
    name: { value: `inWorker(${name})` },
    module: { value: url, enumerable: true },
    exportName: { value: name, enumerable: true },
    pool: { get: () => pool, enumerable: true },
    [WORKER_TASK]: { value: task },
    [STAGE_EXECUTOR]: { value: workerThreads() },
    [Symbol.asyncDispose]: {
      value: async (): Promise<void> => {
        const closing = pool;
        pool = undefined;
        await closing?.close();
      },
    },
  });
  return stage as WorkerStage<unknown, unknown>;
}
