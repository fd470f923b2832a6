/**
 * `withTimeout(fn, ms)`: a call with a deadline, and a signal that tells
 * it when to stop. The scheduler's per-attempt timeout.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";
import { type Duration, parseDuration } from "../units/duration.ts";

/** Options of {@linkcode withTimeout}. */
export interface TimeoutOptions {
  /**
   * Aborting it aborts the call's signal with the same reason; the result
   * still follows the call (it is not cut short), or the deadline.
   */
  signal?: AbortSignal;
  /** The message of the `TimeoutError`. Defaults to `Timed out after <ms>ms`. */
  message?: string;
  /** Called when the call settles after its deadline (its result is dropped). */
  onLate?: () => void;
}

/**
 * Calls `fn(signal)` and settles as it does, unless `ms` pass first: then
 * the call's signal aborts and the promise rejects at once with a
 * `DOMException` named `TimeoutError`, without waiting for the call (a
 * call that ignores its signal runs on; its late result is dropped). No
 * timer or listener is left behind either way.
 *
 * @typeParam T What `fn` returns.
 * @param fn The call; it gets a signal that aborts at the deadline or with
 * `options.signal`.
 * @param ms The time limit: milliseconds or a duration such as `"2s"`,
 * above zero.
 * @param options A signal to forward, the error's message, a late hook.
 * @returns What the call returned.
 * @throws {DOMException} (rejects) A `TimeoutError` at the deadline.
 * @throws {RangeError} (rejects) If `ms` is not a duration above zero.
 *
 * @example A slow call times out and is told to stop
 * ```ts
 * import { withTimeout } from "@poolflow/poolflow";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * let stopped = false;
 * const error = await assertRejects(() =>
 *   withTimeout((signal) =>
 *     new Promise((resolve) => {
 *       const timer = setTimeout(resolve, 10_000);
 *       signal.addEventListener("abort", () => {
 *         stopped = true;
 *         clearTimeout(timer);
 *         resolve(undefined);
 *       });
 *     }), "10ms")
 * );
 * assertEquals((error as DOMException).name, "TimeoutError");
 * assertEquals(stopped, true);
 * assertEquals(await withTimeout(() => 42, 1000), 42);
 * ```
 */
export function withTimeout<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  ms: Duration,
  options: TimeoutOptions = {},
): Promise<Awaited<T>> {
  let limitMs: number;
  try {
    limitMs = parseDuration(ms, "timeout");
  } catch (error) {
    return Promise.reject(error);
  }
  if (!(limitMs > 0)) {
    return Promise.reject(
      new RangeError(
        `Invalid timeout: expected a duration above zero, got ${
          describeValue(ms)
        }`,
      ),
    );
  }
  const message = options.message ?? `Timed out after ${limitMs}ms`;
  return callWithin(
    fn,
    limitMs,
    () => new DOMException(message, "TimeoutError"),
    options,
  );
}

/**
 * {@linkcode withTimeout} over a checked limit, with the error made only
 * at the deadline: the scheduler's form.
 *
 * @param fn The call.
 * @param limitMs Milliseconds, above zero.
 * @param timeoutError Makes the error at the deadline.
 * @param options A signal to forward and a late hook.
 * @returns What the call returned.
 */
export function callWithin<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  limitMs: number,
  timeoutError: () => unknown,
  options: Omit<TimeoutOptions, "message"> = {},
): Promise<Awaited<T>> {
  const outer = options.signal;
  const own = new AbortController();
  const forward = () => own.abort(outer!.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener("abort", forward, { once: true });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) {
        options.onLate?.();
        return false;
      }
      settled = true;
      clearTimeout(timer);
      outer?.removeEventListener("abort", forward);
      return true;
    };
    const timer = setTimeout(() => {
      const error = timeoutError();
      own.abort(error);
      if (finish()) reject(error);
    }, limitMs);
    let result: T | PromiseLike<T>;
    try {
      result = fn(own.signal);
    } catch (error) {
      if (finish()) reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        if (finish()) resolve(value as Awaited<T>);
      },
      (error) => {
        if (finish()) reject(error);
      },
    );
  });
}
