/**
 * The data types of a concurrent map: what a task gets, what it yields.
 *
 * @module
 */

import type { ErrorPolicy } from "../policy/policy.ts";
import type { TaskError } from "../policy/errors.ts";
import type { RateLimiter } from "../sync/rate_limiter.ts";
import type { Semaphore } from "../sync/semaphore.ts";
import type { Duration } from "../units/duration.ts";
import type { Rate } from "../units/rate.ts";

/** What a task function receives besides its input. */
export interface TaskContext {
  /**
   * Aborted when the task should stop: the run failed fast, was aborted or
   * its iteration ended, or this attempt timed out. Pass it to `fetch` and
   * friends.
   */
  readonly signal: AbortSignal;
  /** Position of the input in the source, from 0. */
  readonly index: number;
  /** Attempt number, from 1. */
  readonly attempt: number;
}

/** A task function: an input and its context in, a value or promise out. */
export type TaskFn<I, O> = (input: I, ctx: TaskContext) => O | PromiseLike<O>;

/** A task that produced a value. */
export interface Success<I, O> {
  /** Always `true`: tells a success from a failure. */
  readonly ok: true;
  /** Position of the input in the source, from 0. */
  readonly index: number;
  /** The input. */
  readonly input: I;
  /** What the task returned. */
  readonly value: O;
  /** Attempts it took, from 1. */
  readonly attempts: number;
}

/** A task that failed for good, after its retries. */
export interface Failure<I> {
  /** Always `false`: tells a failure from a success. */
  readonly ok: false;
  /** Position of the input in the source, from 0. */
  readonly index: number;
  /** The input. */
  readonly input: I;
  /** The failure; `error.cause` is what the task threw. */
  readonly error: TaskError<I>;
  /** Attempts made, from 1. */
  readonly attempts: number;
}

/** The result of one input: a {@linkcode Success} or a {@linkcode Failure}. */
export type Outcome<I, O> = Success<I, O> | Failure<I>;

/** Passed to `onRetry` before a failed attempt is retried. */
export interface RetryEvent<I> {
  /** Position of the input in the source. */
  readonly index: number;
  /** The input. */
  readonly input: I;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** What it threw. */
  readonly error: unknown;
  /** Milliseconds until the next attempt. */
  readonly delayMs: number;
}

/** Options of `mapConcurrent`. */
export interface MapOptions<I = unknown> extends ErrorPolicy {
  /** Tasks running at once: an integer `>= 1`. Defaults to 8. */
  concurrency?: number;
  /**
   * Yield outcomes in input order (holding early finishers in a bounded
   * reorder window) instead of completion order. Defaults to `false`.
   */
  ordered?: boolean;
  /**
   * Finished outcomes kept ahead of a slow reader, beyond `concurrency`:
   * the run never has more than `concurrency + buffer` inputs started but
   * not yet read. Defaults to `concurrency`.
   */
  buffer?: number;
  /** Aborting it stops the run; the iteration then throws its reason. */
  signal?: AbortSignal;
  /** Start attempts no faster than this: a rate or a shared limiter. */
  rateLimit?: Rate | RateLimiter;
  /** Called before a failed attempt is retried. */
  onRetry?: (event: RetryEvent<I>) => void;
  /**
   * Once the run stops (fail-fast, abort, leaving the loop), how long to
   * wait for tasks that ignore their signal before ending without them;
   * their late settlements are counted in `settledLate`. By default the run
   * waits for every task, so nothing runs once the iteration has ended.
   */
  abandonAfter?: Duration;
}

/**
 * What the scheduler takes beyond {@linkcode MapOptions}: plumbing that
 * `TaskPool` and the workflow's executors pass, kept out of the public
 * options.
 */
export interface MapRunOptions<I = unknown> extends MapOptions<I> {
  /** A semaphore shared with other work, held by each task as it runs. */
  limiter?: Semaphore;
  /**
   * Receives tasks' times from first attempt to outcome, in milliseconds:
   * every task's for the first 1024, then one in eight (a sample keeps the
   * percentiles and spares the clock). Without it no clock is read.
   */
  latency?: LatencyRecorder;
}

/** Anything that records durations, such as a `LatencyHistogram`. */
export interface LatencyRecorder {
  /** Records one duration in milliseconds. */
  record(ms: number): void;
}

/** Anything `mapConcurrent` can pull inputs from. */
export type Inputs<I> = Iterable<I> | AsyncIterable<I>;
