/**
 * A sliding-window rate limiter shared fairly by concurrent callers.
 *
 * @module
 */

import { type ParsedRate, parseRate, type Rate } from "../units/rate.ts";
import { WaitList } from "./wait_list.ts";

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

/**
 * Lets at most `count` acquisitions pass in any window of `interval`.
 * Callers are served in FIFO order; a waiter whose signal aborts leaves the
 * queue at once. One timer runs only while somebody waits, so an idle
 * limiter holds no timer.
 *
 * @example Space out calls
 * ```ts
 * import { RateLimiter } from "@poolflow/poolflow";
 * import { assert } from "@std/assert";
 *
 * const limiter = new RateLimiter("2/50ms");
 * const start = Date.now();
 * for (let i = 0; i < 3; i++) await limiter.acquire();
 * // The third call waited for the first to leave the window.
 * assert(Date.now() - start >= 45);
 * ```
 */
export class RateLimiter {
  readonly #count: number;
  readonly #intervalMs: number;
  // Times of the last `count` grants, oldest at #next once the ring is full.
  readonly #grants: Float64Array;
  #next = 0;
  #granted = 0;
  // An idle limiter must hold no timer, so the last abandoner stops it.
  #waiters = new WaitList<Waiter>(() => {
    if (this.#waiters.size === 0) this.#stopTimer();
  });
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Creates a limiter.
   *
   * @param rate `"50/s"`, `"600/min"`, `"2/100ms"` or `{ count, interval }`.
   * @throws {RangeError} If the rate cannot be parsed.
   */
  constructor(rate: Rate) {
    const parsed: ParsedRate = parseRate(rate, "rate limit");
    this.#count = parsed.count;
    this.#intervalMs = parsed.intervalMs;
    this.#grants = new Float64Array(parsed.count);
  }

  /** Acquisitions allowed per window. */
  get count(): number {
    return this.#count;
  }

  /** Window length in milliseconds. */
  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** How many callers wait. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Waits until one more acquisition fits in the window.
   *
   * @param signal Aborting it while waiting rejects with `signal.reason`.
   * @returns A promise that resolves when the caller may proceed.
   *
   * @example Abort a waiting caller
   * ```ts
   * import { RateLimiter } from "@poolflow/poolflow";
   * import { assertEquals, assertRejects } from "@std/assert";
   *
   * const limiter = new RateLimiter("1/h");
   * await limiter.acquire();
   * const controller = new AbortController();
   * const waiting = limiter.acquire(controller.signal);
   * controller.abort(new Error("not worth an hour"));
   * await assertRejects(() => waiting, Error, "not worth an hour");
   * assertEquals(limiter.waiting, 0);
   * ```
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiters.size === 0 && this.#delay(Date.now()) <= 0) {
      this.#grant(Date.now());
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, signal });
      this.#schedule();
    });
  }

  /** Milliseconds until one more grant fits at time `now`. */
  #delay(now: number): number {
    if (this.#granted < this.#count) return 0;
    // The oldest of the last `count` grants must have left the window.
    return this.#grants[this.#next]! + this.#intervalMs - now;
  }

  #grant(now: number): void {
    this.#grants[this.#next] = now;
    this.#next = (this.#next + 1) % this.#count;
    if (this.#granted < this.#count) this.#granted++;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#waiters.size === 0) return;
    const wait = Math.max(1, Math.ceil(this.#delay(Date.now())));
    this.#timer = setTimeout(this.#wake, wait);
  }

  #wake = (): void => {
    this.#timer = undefined;
    let now = Date.now();
    while (this.#waiters.size > 0 && this.#delay(now) <= 0) {
      const waiter = this.#waiters.shift()!;
      this.#grant(now);
      waiter.resolve();
      now = Date.now();
    }
    this.#schedule();
  };

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
