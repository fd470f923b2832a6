/**
 * The types of worker-thread tasks: what a function that runs in a worker
 * receives, and how its input and output types are read off a module's type
 * (`typeof import("./hash.ts")`) for `WorkerPool.run` and `inWorker`.
 *
 * @module
 */

import type { Transferred } from "./transfer.ts";

/** What a function running in a worker receives besides its input. */
export interface WorkerContext {
  /**
   * Aborted when the task is aborted on the main thread. The abort arrives
   * as a message, so an `async` function sees it at its next `await` of
   * real work; `signal.aborted` and `signal.throwIfAborted()` also see it
   * while the function runs synchronously, so a CPU-bound loop can check
   * it between chunks of work.
   */
  readonly signal: AbortSignal;
}

/**
 * A function a worker can run: an exported function of a module taking a
 * structured-clonable input and its {@linkcode WorkerContext}, returning a
 * clonable value (or `transferable(value, list)`) or a promise of one.
 *
 * @typeParam I The input type.
 * @typeParam O The output type.
 */
export type WorkerFunction<I = never, O = unknown> = (
  input: I,
  ctx: WorkerContext,
) => O | PromiseLike<O>;

/**
 * The input type of a worker function.
 *
 * @typeParam F The function's type, such as `typeof hash`.
 */
export type WorkerInput<F> = F extends
  (input: infer I, ...rest: never[]) => unknown ? I
  : never;

/**
 * The output type of a worker function as the main thread receives it:
 * awaited, and unwrapped from `transferable(value, list)`.
 *
 * @typeParam F The function's type, such as `typeof hash`.
 */
export type WorkerOutput<F> = F extends (...args: never[]) => infer R
  ? Awaited<R> extends Transferred<infer T> ? T : Awaited<R>
  : never;

/**
 * The names of a module's exports that are functions a worker can call.
 *
 * @typeParam M The module's type, such as `typeof import("./hash.ts")`.
 */
export type WorkerExportName<M> =
  & {
    [K in keyof M]: M[K] extends (input: never, ctx: WorkerContext) => unknown
      ? K
      : never;
  }[keyof M]
  & string;

/**
 * A module a worker imports: an absolute URL (`new URL("./hash.ts",
 * import.meta.url)`, a `file:`/`https:`/`data:` URL string) or a specifier
 * the import map resolves (`"npm:..."`, `"jsr:..."`, a mapped name).
 */
export type WorkerModule = string | URL;
