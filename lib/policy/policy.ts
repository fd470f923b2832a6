/**
 * Error policy as plain data: what to do when a task fails, how to retry
 * it, how long an attempt may take and how many failures a run tolerates.
 *
 * @module
 */

import { checkCount, describeValue } from "../units/check.ts";
import { type Duration, parseDuration } from "../units/duration.ts";

/** How the delay grows between attempts. */
export type Backoff = "constant" | "linear" | "exponential";

/**
 * How randomness spreads retries: `"none"` waits the computed delay,
 * `"full"` a random time in `[0, delay]`, `"equal"` in `[delay/2, delay]`.
 */
export type Jitter = "none" | "full" | "equal";

/** When and how to retry a failed attempt. */
export interface RetryPolicy {
  /** Attempts in all, the first included: an integer `>= 1`. */
  attempts: number;
  /** Growth of the delay: defaults to `"exponential"`. */
  backoff?: Backoff;
  /** Base delay before the second attempt: defaults to `"100ms"`. */
  delay?: Duration;
  /** Upper bound on any delay: defaults to `"30s"`. */
  maxDelay?: Duration;
  /** Randomisation of the delay: defaults to `"full"`. */
  jitter?: Jitter;
  /**
   * Whether to retry after `error` on attempt number `attempt` (from 1).
   * Defaults to retrying every error. A run being stopped is never retried.
   */
  retryIf?: (error: unknown, attempt: number) => boolean;
}

/** What a run does when tasks fail. */
export interface ErrorPolicy {
  /**
   * `"fail-fast"`: the first failure (after retries) aborts the run's
   * signal, starts nothing new and is thrown once in-flight tasks settle;
   * those that still succeed are delivered first.
   * `"continue"`: failures are reported as outcomes and the run goes on.
   */
  onError?: "fail-fast" | "continue";
  /** Retry failed attempts; without it each task gets one attempt. */
  retry?: RetryPolicy;
  /**
   * Time limit of each attempt. At the deadline the attempt fails with a
   * `DOMException` named `TimeoutError`, its signal is aborted and its slot
   * is freed; a late settlement of the abandoned attempt is ignored.
   */
  timeout?: Duration;
  /**
   * Error budget: how many failed tasks a `"continue"` run tolerates. One
   * more and the run stops as under fail-fast, with an `ErrorBudgetError`.
   */
  maxFailures?: number;
}

/** An {@linkcode ErrorPolicy} checked and reduced to what the scheduler needs. */
export interface ResolvedPolicy {
  /** Whether the first failure stops the run. */
  readonly failFast: boolean;
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Time limit of each attempt in milliseconds, if any. */
  readonly timeoutMs: number | undefined;
  /** Failures tolerated before the run stops; `Infinity` without a budget. */
  readonly maxFailures: number;
  /** Delay before attempt `attempt + 1`, jitter applied. */
  delayAfter(attempt: number): number;
  /** Whether to retry after `error` on attempt `attempt`. */
  retryIf(error: unknown, attempt: number): boolean;
}

const BACKOFFS: readonly Backoff[] = ["constant", "linear", "exponential"];
const JITTERS: readonly Jitter[] = ["none", "full", "equal"];

function checkChoice<T extends string>(
  value: unknown,
  choices: readonly T[],
  name: string,
): T {
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  throw new RangeError(
    `Invalid ${name}: expected one of ${
      choices.map((c) => `"${c}"`).join(", ")
    }, got ${describeValue(value)}`,
  );
}

/**
 * The delay before attempt `attempt + 1` without jitter.
 *
 * @param backoff How the delay grows.
 * @param baseMs The base delay.
 * @param maxMs The cap.
 * @param attempt The attempt that just failed, from 1.
 * @returns Milliseconds to wait.
 *
 * @example Exponential backoff with a cap
 * ```ts
 * import { backoffDelay } from "./policy.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const delays = [1, 2, 3, 4, 5].map((a) => backoffDelay("exponential", 100, 1000, a));
 * assertEquals(delays, [100, 200, 400, 800, 1000]);
 * ```
 */
export function backoffDelay(
  backoff: Backoff,
  baseMs: number,
  maxMs: number,
  attempt: number,
): number {
  const raw = backoff === "constant"
    ? baseMs
    : backoff === "linear"
    ? baseMs * attempt
    // Capped exponent: 0 * 2 ** 1024 would be NaN.
    : baseMs * 2 ** Math.min(attempt - 1, 1023);
  return Math.min(raw, maxMs);
}

/**
 * Applies jitter to a delay.
 *
 * @param jitter The kind of jitter.
 * @param delayMs The delay before jitter.
 * @param random A source of numbers in `[0, 1)`; defaults to `Math.random`.
 * @returns The delay to wait.
 *
 * @example Equal jitter stays in the upper half
 * ```ts
 * import { applyJitter } from "./policy.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(applyJitter("equal", 100, () => 0), 50);
 * assertEquals(applyJitter("full", 100, () => 0.5), 50);
 * assertEquals(applyJitter("none", 100), 100);
 * ```
 */
export function applyJitter(
  jitter: Jitter,
  delayMs: number,
  random: () => number = Math.random,
): number {
  if (jitter === "full") return random() * delayMs;
  if (jitter === "equal") return delayMs / 2 + random() * (delayMs / 2);
  return delayMs;
}

const retryEverything = (): boolean => true;

/**
 * Checks an {@linkcode ErrorPolicy} and resolves its defaults.
 *
 * @param policy The policy as given.
 * @param defaultOnError What `onError` means when it is not given.
 * @param where Where the policy sits, named in errors, such as `"errors"`.
 * @returns The resolved policy.
 * @throws {RangeError} If a value is out of range or a string is unknown.
 * @throws {TypeError} If a value has the wrong type.
 *
 * @example Resolve defaults
 * ```ts
 * import { resolvePolicy } from "./policy.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const policy = resolvePolicy({ retry: { attempts: 3, jitter: "none" }, timeout: "2s" });
 * assertEquals(policy.attempts, 3);
 * assertEquals(policy.timeoutMs, 2000);
 * assertEquals(policy.delayAfter(2), 200);
 * ```
 */
export function resolvePolicy(
  policy: ErrorPolicy,
  defaultOnError: "fail-fast" | "continue" = "continue",
  where = "",
): ResolvedPolicy {
  // Option names as the caller writes them: "timeout", or "errors.timeout".
  const at = where === "" ? "" : `${where}.`;
  const onError = policy.onError === undefined ? defaultOnError : checkChoice(
    policy.onError,
    ["fail-fast", "continue"],
    `${at}onError`,
  );
  const timeoutMs = policy.timeout === undefined
    ? undefined
    : parseDuration(policy.timeout, `${at}timeout`);
  if (timeoutMs !== undefined && timeoutMs <= 0) {
    throw new RangeError(
      `Invalid ${at}timeout: expected a duration above zero, got ${
        describeValue(policy.timeout)
      }`,
    );
  }
  const maxFailures = policy.maxFailures === undefined
    ? Infinity
    : checkCount(policy.maxFailures, `${at}maxFailures`, {
      min: 0,
      allowInfinity: true,
    });
  const retry = policy.retry;
  if (retry === undefined) {
    return {
      failFast: onError === "fail-fast",
      attempts: 1,
      timeoutMs,
      maxFailures,
      delayAfter: () => 0,
      retryIf: retryEverything,
    };
  }
  if (typeof retry !== "object" || retry === null) {
    throw new TypeError(
      `Invalid ${at}retry: expected { attempts, backoff?, delay?, maxDelay?, jitter?, retryIf? }, got ${
        describeValue(retry)
      }`,
    );
  }
  const attempts = checkCount(retry.attempts, `${at}retry.attempts`);
  const backoff = checkChoice(
    retry.backoff ?? "exponential",
    BACKOFFS,
    `${at}retry.backoff`,
  );
  const jitter = checkChoice(
    retry.jitter ?? "full",
    JITTERS,
    `${at}retry.jitter`,
  );
  const baseMs = parseDuration(retry.delay ?? 100, `${at}retry.delay`);
  const maxMs = parseDuration(
    retry.maxDelay ?? 30_000,
    `${at}retry.maxDelay`,
  );
  const retryIf = retry.retryIf ?? retryEverything;
  if (typeof retryIf !== "function") {
    throw new TypeError(
      `Invalid ${at}retry.retryIf: expected a function (error, attempt) => boolean, got ${
        describeValue(retryIf)
      }`,
    );
  }
  return {
    failFast: onError === "fail-fast",
    attempts,
    timeoutMs,
    maxFailures,
    delayAfter: (attempt) =>
      applyJitter(jitter, backoffDelay(backoff, baseMs, maxMs, attempt)),
    retryIf,
  };
}
