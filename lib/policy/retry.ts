/**
 * `retry(fn, policy, { signal })`: calls a function until it succeeds, as
 * a {@linkcode RetryPolicy} says, waiting between attempts. The one retry
 * loop of the project: `mapConcurrent` and the HTTP helpers use it.
 *
 * @module
 */

import {
  type ResolvedPolicy,
  resolvePolicy,
  type RetryPolicy,
} from "./policy.ts";
import { sleep } from "./sleep.ts";

/** What `onRetry` is told before the next attempt. */
export interface RetryAttempt {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** What it threw. */
  readonly error: unknown;
  /** Milliseconds until the next attempt. */
  readonly delayMs: number;
}

/** Options of {@linkcode retry}. */
export interface RetryOptions {
  /**
   * Stops retrying: no attempt is retried once it aborts, and a wait
   * between attempts ends at once, rejecting with its reason. It is also
   * passed to each attempt, which should stop on it too.
   */
  signal?: AbortSignal;
  /** Called before each retry; what it throws ends the retrying. */
  onRetry?: (retry: RetryAttempt) => void;
  /**
   * The wait before the next attempt, given the error and the policy's
   * backoff (jitter applied), such as what a `Retry-After` header asks
   * for. Defaults to the backoff.
   */
  delay?: (error: unknown, attempt: number, backoffMs: number) => number;
}

/** One attempt: its number, from 1, and the signal of the retrying. */
export type AttemptFn<T> = (
  attempt: number,
  signal: AbortSignal | undefined,
) => T | PromiseLike<T>;

/** The part of a resolved policy that the retry loop needs. */
export type RetrySchedule = Pick<
  ResolvedPolicy,
  "attempts" | "delayAfter" | "retryIf"
>;

/**
 * Calls `fn` until it returns, at most `policy.attempts` times, waiting the
 * policy's backoff (with jitter) between attempts. An attempt is retried
 * only while `retryIf(error, attempt)` says so and `signal` has not
 * aborted; otherwise its error is thrown as it is.
 *
 * @typeParam T What `fn` returns.
 * @param fn The attempt: `(attempt, signal) => value or promise`.
 * @param policy Attempts, backoff, delay, jitter, `retryIf`.
 * @param options A signal, an `onRetry` callback, a custom delay.
 * @returns What the first successful attempt returned.
 * @throws The last attempt's error, the signal's reason if it aborts
 * during a wait, or what `retryIf` or `onRetry` throws.
 * @throws {RangeError} (rejects) If a value of `policy` is out of range.
 * @throws {TypeError} (rejects) If `policy` or `retryIf` has the wrong type.
 *
 * @example Retry a flaky call three times
 * ```ts
 * import { retry } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * let calls = 0;
 * const value = await retry(() => {
 *   if (++calls < 3) throw new Error("flaky");
 *   return "ok";
 * }, { attempts: 3, delay: 1, jitter: "none" });
 * assertEquals([value, calls], ["ok", 3]);
 * ```
 *
 * @example Only some errors are worth retrying
 * ```ts
 * import { retry } from "@poolflow/poolflow";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * let calls = 0;
 * const retries: number[] = [];
 * await assertRejects(
 *   () =>
 *     retry(() => {
 *       calls++;
 *       throw new RangeError(calls < 2 ? "busy" : "bad input");
 *     }, {
 *       attempts: 5,
 *       delay: "1ms",
 *       retryIf: (error) => (error as Error).message === "busy",
 *     }, { onRetry: ({ attempt }) => retries.push(attempt) }),
 *   RangeError,
 *   "bad input",
 * );
 * assertEquals([calls, retries], [2, [1]]);
 * ```
 */
export async function retry<T>(
  fn: AttemptFn<T>,
  policy: RetryPolicy,
  options: RetryOptions = {},
): Promise<Awaited<T>> {
  const { attempts, delayAfter, retryIf } = resolvePolicy({ retry: policy });
  return await retryWith(fn, { attempts, delayAfter, retryIf }, options);
}

/**
 * The loop of {@linkcode retry} over a policy already resolved, for the
 * scheduler, which resolves its policy once per run.
 *
 * @param fn The attempt.
 * @param schedule Attempts, delays and `retryIf`, resolved.
 * @param options A signal, an `onRetry` callback, a custom delay.
 * @returns What the first successful attempt returned.
 */
export async function retryWith<T>(
  fn: AttemptFn<T>,
  schedule: RetrySchedule,
  options: RetryOptions = {},
): Promise<Awaited<T>> {
  const { signal, onRetry, delay } = options;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (
        signal?.aborted || attempt >= schedule.attempts ||
        !schedule.retryIf(error, attempt)
      ) throw error;
      const backoffMs = schedule.delayAfter(attempt);
      const delayMs = delay ? delay(error, attempt, backoffMs) : backoffMs;
      onRetry?.({ attempt, error, delayMs });
      await sleep(delayMs, signal);
    }
  }
}
