/**
 * Moving, not copying, a worker function's result: `transferable(value,
 * list)` tells the worker to transfer the listed objects (such as the
 * `ArrayBuffer` of a large result) to the main thread instead of cloning
 * them.
 *
 * @module
 */

// A registered symbol, so a result made by another copy of this module
// (a different version, or a JSR and a local import) is still recognised.
const BRAND = Symbol.for("poolflow.workers.transferred");

/**
 * A worker function's result with the objects to transfer along with it.
 * Made by {@linkcode transferable}; the main thread receives `value` only.
 *
 * @typeParam T The type of the value.
 *
 * @example What transferable() returns
 * ```ts
 * import { transferable, type Transferred } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const bytes = new Uint8Array([1, 2, 3]);
 * const result: Transferred<Uint8Array> = transferable(bytes, [bytes.buffer]);
 * assertEquals(result.value, bytes);
 * assertEquals(result.transfer, [bytes.buffer]);
 * ```
 */
export class Transferred<T> {
  /** The result the main thread receives. */
  readonly value: T;
  /** Objects inside `value` to move rather than copy. */
  readonly transfer: readonly Transferable[];

  /**
   * Prefer {@linkcode transferable}, which calls this.
   *
   * @param value The result.
   * @param transfer Objects inside `value` to transfer.
   */
  constructor(value: T, transfer: readonly Transferable[]) {
    this.value = value;
    this.transfer = transfer;
  }
}

Object.defineProperty(Transferred.prototype, BRAND, { value: true });

/**
 * Wraps a worker function's result so that the objects in `transfer` move
 * to the main thread (leaving them detached in the worker) instead of
 * being copied. Return it from a function that a `WorkerPool` runs; the
 * caller receives `value`, and `WorkerOutput<typeof fn>` is `T`.
 *
 * @typeParam T The type of the value.
 * @param value The result.
 * @param transfer Objects inside `value` to transfer, such as an
 * `ArrayBuffer`.
 * @returns The marked result.
 * @throws {TypeError} If `transfer` is not an array.
 *
 * @example Return a large buffer without copying it
 * ```ts
 * import { transferable } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * export function render(size: number) {
 *   const pixels = new Uint8Array(size);
 *   return transferable(pixels, [pixels.buffer]);
 * }
 * assertEquals(render(4).value.length, 4);
 * ```
 */
export function transferable<T>(
  value: T,
  transfer: readonly Transferable[],
): Transferred<T> {
  if (!Array.isArray(transfer)) {
    throw new TypeError(
      "Invalid transfer list: expected an array of transferable objects such as [buffer]",
    );
  }
  return new Transferred(value, transfer);
}

/** Whether `value` was made by {@linkcode transferable} (of any copy of this module). */
export function isTransferred(value: unknown): value is Transferred<unknown> {
  return value instanceof Transferred ||
    (typeof value === "object" && value !== null &&
      (value as { [BRAND]?: unknown })[BRAND] === true);
}
