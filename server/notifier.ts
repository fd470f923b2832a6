/**
 * {@linkcode Notifier}: wakes whoever waits for "something changed", the
 * glue between a run's event log or results and the streams that follow
 * them. A waiter can give up on a signal or a timeout, and leaves nothing
 * behind (no listener, no timer) either way.
 *
 * @module
 */

/** Why {@linkcode Notifier.wait} returned. */
export type WakeReason = "notified" | "timeout" | "aborted";

/**
 * Wakes all current waiters at once.
 *
 * @example Wait for a change
 * ```ts
 * import { Notifier } from "./notifier.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const changes = new Notifier();
 * const woken = changes.wait();
 * changes.notify();
 * assertEquals(await woken, "notified");
 * ```
 */
export class Notifier {
  #waiters = new Set<(reason: WakeReason) => void>();

  /** Number of waiters now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Wakes every waiter. */
  notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake("notified");
  }

  /**
   * Waits for the next {@linkcode Notifier.notify}, the signal's abort, or
   * the timeout, whichever comes first.
   *
   * @param signal Ends the wait with `"aborted"`.
   * @param timeoutMs Ends the wait with `"timeout"`.
   * @returns Why the wait ended; it never rejects.
   */
  wait(signal?: AbortSignal, timeoutMs?: number): Promise<WakeReason> {
    if (signal?.aborted) return Promise.resolve("aborted");
    return new Promise<WakeReason>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (reason: WakeReason) => {
        this.#waiters.delete(finish);
        signal?.removeEventListener("abort", onAbort);
        clearTimeout(timer);
        resolve(reason);
      };
      const onAbort = () => finish("aborted");
      this.#waiters.add(finish);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => finish("timeout"), timeoutMs);
      }
    });
  }
}
