/**
 * An abortable sleep that leaves no timer or listener behind.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon
 * as the signal aborts. Either way its timer and listener are removed.
 *
 * @param ms How long to wait, in milliseconds.
 * @param signal Aborting it ends the wait early.
 * @returns A promise that resolves once the time is up.
 *
 * @example Wait, or stop waiting
 * ```ts
 * import { sleep } from "@poolflow/poolflow";
 * import { assertRejects } from "@std/assert";
 *
 * await sleep(1);
 * const controller = new AbortController();
 * const waiting = sleep(60_000, controller.signal);
 * controller.abort(new Error("no longer needed"));
 * await assertRejects(() => waiting, Error, "no longer needed");
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
