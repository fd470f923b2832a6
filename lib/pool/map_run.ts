/**
 * The scheduler behind `mapConcurrent`: pulls inputs only when a slot is
 * free, runs tasks under an error policy and hands outcomes to one reader
 * with back-pressure.
 *
 * @module
 */

import { ErrorBudgetError, SourceError, TaskError } from "../policy/errors.ts";
import { type ResolvedPolicy, resolvePolicy } from "../policy/policy.ts";
import { retryWith } from "../policy/retry.ts";
import { callWithin } from "../policy/timeout.ts";
import { RateLimiter } from "../sync/rate_limiter.ts";
import { RingQueue } from "../sync/ring_queue.ts";
import type { Permit, Semaphore } from "../sync/semaphore.ts";
import { checkCount, describeValue } from "../units/check.ts";
import { parseRate, type Rate } from "../units/rate.ts";
import { parseDuration } from "../units/duration.ts";
import { ReorderWindow } from "./reorder_window.ts";
import { NOTHING, SourcePump } from "./source_pump.ts";
import type {
  Inputs,
  LatencyRecorder,
  MapRunOptions,
  Outcome,
  RetryEvent,
  TaskContext,
  TaskFn,
} from "./types.ts";

/**
 * Where a run is in its life; every method switches on it.
 * - `"idle"`: made; nothing is pulled until the first `next()`.
 * - `"running"`: inputs start as slots free up.
 * - `"stopping"`: stopped (fail-fast, error budget, abort): nothing new
 *   starts; tasks in flight settle, and their successes are delivered.
 * - `"leaving"`: the reader left (`return()`): as stopping, but what
 *   settles is dropped.
 * - `"closing"`: no task left to wait for (those left, if any, were
 *   abandoned); the source is being closed.
 * - `"finished"`: over; the reason it ended, if any, is thrown once.
 */
type RunState =
  | "idle"
  | "running"
  | "stopping"
  | "leaving"
  | "closing"
  | "finished";

interface Reader<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(reason: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A running concurrent map: an async iterable of {@linkcode Outcome}s with
 * live controls. Made by `mapConcurrent`; nothing is pulled from the source
 * until the first outcome is requested. One reader at a time.
 *
 * @typeParam I The input type.
 * @typeParam O The type a task returns.
 *
 * @example Resize while running
 * ```ts
 * import { mapConcurrent } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const run = mapConcurrent([1, 2, 3, 4], async (n) => n * 2, { concurrency: 1 });
 * run.resize(4);
 * const values: number[] = [];
 * for await (const o of run) if (o.ok) values.push(o.value);
 * assertEquals(values.sort(), [2, 4, 6, 8]);
 * ```
 */
export class MapRun<I, O>
  implements
    AsyncIterable<Outcome<I, O>>,
    AsyncIterator<Outcome<I, O>, undefined> {
  readonly #fn: TaskFn<I, O>;
  readonly #policy: ResolvedPolicy;
  readonly #ordered: boolean;
  readonly #buffer: number;
  readonly #rate: RateLimiter | undefined;
  readonly #limiter: Semaphore | undefined;
  readonly #onRetry: ((event: RetryEvent<I>) => void) | undefined;
  readonly #latency: LatencyRecorder | undefined;
  readonly #outer: AbortSignal | undefined;
  // Without retry, timeout, rate or shared limiter a task is one plain call.
  readonly #plain: boolean;
  readonly #controller = new AbortController();
  // Read once: the getter's WebIDL brand check is a cost on every task.
  readonly #signal = this.#controller.signal;
  readonly #pump: SourcePump<I>;
  readonly #abandonAfterMs: number | undefined;
  #limit: number;
  #state: RunState = "idle";
  // Why the run ends, thrown once the outcomes before it are read.
  #ending: { error: unknown } | undefined;
  // The failure that stopped the run, which collects later ones.
  #primary: TaskError<I> | undefined;

  // Started and not settled; includes tasks waiting for a shared limiter
  // or the rate limit, which `#waiting` counts apart.
  #running = 0;
  #waiting = 0;
  #nextIndex = 0;
  #failures = 0;
  #retries = 0;
  #late = 0;
  #ready = new RingQueue<Outcome<I, O>>();
  #window = new ReorderWindow<Outcome<I, O>>((o) => this.#hand(o));
  #readers = new RingQueue<Reader<Outcome<I, O>>>(4);
  #whenFinished: (() => void)[] = [];
  // Tasks that settle synchronously re-enter #fill(); it loops instead.
  #filling = false;
  #fillAgain = false;
  #abandonTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Prefer `mapConcurrent(source, fn, options)`, which calls this.
   *
   * @param source Inputs: any iterable or async iterable.
   * @param fn The task to run on each input.
   * @param options Concurrency, order, policy and limits.
   * @throws {TypeError} If `source` is not iterable or `fn` not a function.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(
    source: Inputs<I>,
    fn: TaskFn<I, O>,
    options: MapRunOptions<I> = {},
  ) {
    if (!isIterable(source)) {
      throw new TypeError(
        `Invalid mapConcurrent source: expected an Iterable or AsyncIterable, got ${
          describeValue(source)
        }`,
      );
    }
    if (typeof fn !== "function") {
      throw new TypeError(
        `Invalid mapConcurrent task: expected a function (input, ctx), got ${
          describeValue(fn)
        }`,
      );
    }
    this.#fn = fn;
    this.#pump = new SourcePump(source, {
      arrived: () => this.#fill(),
      failed: (error) => this.#sourceFailed(error),
    });
    this.#limit = checkCount(options.concurrency ?? 8, "concurrency");
    this.#buffer = checkCount(options.buffer ?? this.#limit, "buffer", {
      min: 0,
    });
    this.#ordered = options.ordered === true;
    this.#policy = resolvePolicy(options, "continue");
    this.#rate = options.rateLimit === undefined
      ? undefined
      : options.rateLimit instanceof RateLimiter
      ? options.rateLimit
      : rateLimiterFor(options.rateLimit);
    this.#limiter = options.limiter;
    this.#onRetry = options.onRetry;
    this.#latency = options.latency;
    this.#abandonAfterMs = options.abandonAfter === undefined
      ? undefined
      : parseDuration(options.abandonAfter, "abandonAfter");
    this.#outer = options.signal;
    this.#plain = this.#policy.attempts === 1 &&
      this.#policy.timeoutMs === undefined && !this.#rate && !this.#limiter;
  }

  /** The current concurrency limit. */
  get concurrency(): number {
    return this.#limit;
  }

  /** Tasks running now (holding their slot and not waiting for a limiter). */
  get running(): number {
    return this.#running - this.#waiting;
  }

  /** Tasks started but waiting for the shared limiter or the rate limit. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Finished outcomes not yet read (including those held for order). */
  get buffered(): number {
    return this.#ready.size + this.#window.size;
  }

  /** Inputs pulled from the source so far. */
  get started(): number {
    return this.#nextIndex;
  }

  /** Tasks that failed for good so far. */
  get failed(): number {
    return this.#failures;
  }

  /** Retries scheduled so far. */
  get retried(): number {
    return this.#retries;
  }

  /**
   * Tasks left behind that settled later anyway: attempts abandoned at their
   * timeout, and tasks abandoned after a stop (`abandonAfter`).
   */
  get settledLate(): number {
    return this.#late;
  }

  /**
   * The run's own signal, which tasks see through `ctx.signal`: aborted
   * when the run stops (fail-fast, error budget, `abort()`, leaving the
   * loop), with the reason. Lets a caller learn of a failure at once,
   * before reading up to it.
   */
  get signal(): AbortSignal {
    return this.#signal;
  }

  /** Whether the run has ended: no task runs and none will start. */
  get finished(): boolean {
    return this.#state === "finished";
  }

  /**
   * Changes the concurrency limit now. Growing starts tasks at once;
   * shrinking lets running tasks finish; `0` pauses the run.
   *
   * @param concurrency The new limit, an integer `>= 0`.
   * @throws {RangeError} If `concurrency` is negative or fractional.
   */
  resize(concurrency: number): void {
    this.#limit = checkCount(concurrency, "concurrency", { min: 0 });
    if (this.#state === "running") this.#fill();
  }

  /**
   * Stops the run: aborts the tasks' signals, starts nothing new, and once
   * they settle the iteration throws `reason`, after the outcomes already
   * buffered and the successes of tasks that finish anyway. Does nothing if
   * the run has ended.
   *
   * @param reason Why; defaults to a `DOMException` named `AbortError`.
   */
  abort(reason?: unknown): void {
    if (this.#state !== "idle" && this.#state !== "running") return;
    const error = reason ??
      new DOMException("The run was aborted", "AbortError");
    this.#ending ??= { error };
    this.#stop(error, "stopping");
  }

  /** Returns this run: it is its own iterator. */
  [Symbol.asyncIterator](): MapRun<I, O> {
    return this;
  }

  /**
   * The next outcome, waiting for one if needed.
   *
   * @returns The next outcome, or the end of the run.
   * @throws The fail-fast `TaskError`, an `ErrorBudgetError`, a
   * `SourceError`, or the abort reason, once outcomes before it are read.
   */
  next(): Promise<IteratorResult<Outcome<I, O>, undefined>> {
    const ready = this.#ready.shift();
    if (ready !== undefined) {
      if (this.#state === "running") this.#fill();
      return Promise.resolve({ done: false, value: ready });
    }
    if (this.#state === "idle") {
      this.#begin();
      if (this.#ready.size > 0) return this.next();
    }
    if (this.#state === "finished") return this.#endOfRun();
    return new Promise((resolve, reject) =>
      this.#readers.push({ resolve, reject })
    );
  }

  /**
   * Ends the iteration early (what `break` calls): aborts the tasks'
   * signals, waits for them to settle and closes the source.
   *
   * @returns The end of the iteration.
   */
  async return(): Promise<IteratorResult<Outcome<I, O>, undefined>> {
    if (this.#state !== "finished") {
      if (this.#state !== "closing") {
        this.#stop(
          new DOMException("The iteration was ended early", "AbortError"),
          "leaving",
        );
      }
      await new Promise<void>((resolve) => {
        if (this.#state === "finished") resolve();
        else this.#whenFinished.push(resolve);
      });
    }
    this.#ready.clear();
    return DONE;
  }

  /** Ends the iteration as `return()` does, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #begin(): void {
    if (this.#outer?.aborted) {
      this.#ending = { error: this.#outer.reason };
      this.#stop(this.#outer.reason, "stopping");
      return;
    }
    this.#state = "running";
    this.#pump.open();
    if (!this.#pump.done) {
      this.#outer?.addEventListener("abort", this.#onOuterAbort, {
        once: true,
      });
    }
    this.#fill();
  }

  #onOuterAbort = (): void => this.abort(this.#outer!.reason);

  #hasSlot(): boolean {
    return this.#state === "running" && this.#running < this.#limit &&
      this.#running + this.#ready.size + this.#window.size <
        this.#limit + this.#buffer;
  }

  #fill(): void {
    if (this.#filling) {
      this.#fillAgain = true;
      return;
    }
    this.#filling = true;
    try {
      do {
        this.#fillAgain = false;
        while (this.#hasSlot()) {
          const input = this.#pump.take();
          if (input === NOTHING) break;
          this.#start(input);
        }
      } while (this.#fillAgain);
    } finally {
      this.#filling = false;
    }
    this.#checkFinished();
  }

  #sourceFailed(error: unknown): void {
    // A source that fails while the run stops says nothing new.
    if (this.#state === "running") {
      this.#ending ??= { error: new SourceError(this.#nextIndex, error) };
    }
  }

  #start(input: I): void {
    const index = this.#nextIndex++;
    this.#running++;
    if (!this.#plain) {
      void this.#runWithPolicy(index, input);
      return;
    }
    const ctx: TaskContext = {
      signal: this.#signal,
      index,
      attempt: 1,
    };
    const startedAt = this.#latency && timed(index) ? performance.now() : 0;
    let result: O | PromiseLike<O>;
    try {
      result = this.#fn(input, ctx);
      if (result instanceof Promise || isThenable(result)) {
        Promise.resolve(result).then(
          (value) => this.#settleSuccess(index, input, value, 1, startedAt),
          (error) => this.#settleFailure(index, input, error, 1, startedAt),
        );
        return;
      }
    } catch (error) {
      this.#settleFailure(index, input, error, 1, startedAt);
      return;
    }
    this.#settleSuccess(index, input, result as O, 1, startedAt);
  }

  /** A task with retries, timeouts, a rate limit or a shared limiter. */
  async #runWithPolicy(index: number, input: I): Promise<void> {
    const signal = this.#signal;
    let permit: Permit | undefined;
    let attempts = 0;
    let startedAt = 0;
    let value: O;
    try {
      if (this.#limiter) {
        permit = await this.#waitFor(this.#limiter.acquire(signal));
      }
      value = await retryWith<O>(
        async (attempt) => {
          if (this.#rate) await this.#waitFor(this.#rate.acquire(signal));
          signal.throwIfAborted();
          // Latency runs from the first attempt to the outcome, retries included.
          if (attempt === 1 && this.#latency && timed(index)) {
            startedAt = performance.now();
          }
          attempts = attempt;
          return await this.#attempt(index, input, attempt);
        },
        this.#policy,
        {
          signal,
          onRetry: ({ attempt, error, delayMs }) => {
            this.#retries++;
            this.#onRetry?.({ index, input, attempt, error, delayMs });
          },
        },
      );
    } catch (error) {
      // The last attempt's error, or a wait rejected because the run
      // stopped, or what retryIf or onRetry threw.
      permit?.release();
      this.#settleFailure(index, input, error, attempts, startedAt);
      return;
    }
    permit?.release();
    this.#settleSuccess(index, input, value, attempts, startedAt);
  }

  async #waitFor<T>(wait: Promise<T>): Promise<T> {
    this.#waiting++;
    try {
      return await wait;
    } finally {
      this.#waiting--;
    }
  }

  /** One attempt, under the policy's time limit if it has one. */
  #attempt(index: number, input: I, attempt: number): O | PromiseLike<O> {
    const signal = this.#signal;
    const timeoutMs = this.#policy.timeoutMs;
    if (timeoutMs === undefined) {
      return this.#fn(input, { signal, index, attempt });
    }
    return callWithin(
      (own) => this.#fn(input, { signal: own, index, attempt }),
      timeoutMs,
      () =>
        new DOMException(
          `Task ${index} timed out after ${timeoutMs}ms (attempt ${attempt})`,
          "TimeoutError",
        ),
      { signal, onLate: this.#countLate },
    );
  }

  #countLate = (): void => {
    this.#late++;
  };

  /**
   * What every settlement does first: frees the slot and records the time.
   * Says false for a task the run abandoned, which is only counted.
   */
  #settled(startedAt: number): boolean {
    if (this.#state === "closing" || this.#state === "finished") {
      this.#late++;
      return false;
    }
    this.#running--;
    // Untimed tasks (and those that never got to start) record nothing.
    if (startedAt > 0) this.#latency?.record(performance.now() - startedAt);
    return true;
  }

  #settleSuccess(
    index: number,
    input: I,
    value: O,
    attempts: number,
    startedAt: number,
  ): void {
    if (!this.#settled(startedAt)) return;
    // Work done is delivered even after a stop: only a reader that left
    // has no use for it.
    if (this.#state !== "leaving") {
      this.#deliver({ ok: true, index, input, value, attempts });
    }
    this.#fill();
  }

  #settleFailure(
    index: number,
    input: I,
    error: unknown,
    attempts: number,
    startedAt: number,
  ): void {
    if (!this.#settled(startedAt)) return;
    if (this.#state !== "running") {
      // Echoes of our own abort say nothing new; anything else is kept.
      if (this.#primary && error !== this.#signal.reason) {
        this.#primary.suppressed.push(error);
      }
      if (this.#ordered) this.#window.skip(index);
    } else {
      const failure = new TaskError(index, input, attempts, error);
      this.#failures++;
      if (this.#policy.failFast) {
        this.#fail(failure, failure);
      } else if (this.#failures > this.#policy.maxFailures) {
        const budget = new ErrorBudgetError(
          this.#policy.maxFailures,
          this.#failures,
          failure as TaskError,
        );
        this.#fail(budget, failure);
      } else {
        this.#deliver({ ok: false, index, input, error: failure, attempts });
      }
    }
    this.#fill();
  }

  #fail(error: Error, primary: TaskError<I>): void {
    this.#ending = { error };
    this.#primary = primary;
    if (this.#ordered) this.#window.skip(primary.index);
    this.#stop(error, "stopping");
  }

  /** Starts nothing more, tells the tasks, and ends once they settle. */
  #stop(reason: unknown, to: "stopping" | "leaving"): void {
    const from = this.#state;
    // Set first: the abort below reaches listeners that call back here.
    this.#state = to;
    if (from === "stopping" || from === "leaving") return;
    this.#controller.abort(reason);
    if (this.#abandonAfterMs !== undefined && this.#running > 0) {
      this.#abandonTimer = setTimeout(this.#abandon, this.#abandonAfterMs);
    }
    this.#checkFinished();
  }

  /** `abandonAfter` has passed: the run ends without the tasks left. */
  #abandon = (): void => {
    this.#abandonTimer = undefined;
    if (this.#state === "stopping" || this.#state === "leaving") this.#close();
  };

  #deliver(outcome: Outcome<I, O>): void {
    if (this.#ordered) this.#window.put(outcome.index, outcome);
    else this.#hand(outcome);
  }

  #hand(outcome: Outcome<I, O>): void {
    const reader = this.#readers.shift();
    if (reader) reader.resolve({ done: false, value: outcome });
    else this.#ready.push(outcome);
  }

  #checkFinished(): void {
    switch (this.#state) {
      case "running":
        if (this.#running > 0 || !this.#pump.done) return;
        break;
      case "stopping":
      case "leaving":
        if (this.#running > 0) return;
        break;
      default:
        return;
    }
    this.#close();
  }

  #close(): void {
    const from = this.#state;
    this.#state = "closing";
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
    clearTimeout(this.#abandonTimer);
    // Tasks left behind (abandonAfter) leave gaps in the order: what is
    // held after them still goes out, in order.
    if (from === "leaving") this.#window.clear();
    else this.#window.flush();
    const closing = this.#pump.close(this.#onCloseFailed);
    if (closing) closing.then(this.#finish);
    else this.#finish();
  }

  #onCloseFailed = (error: unknown): void => {
    this.#ending ??= { error: new SourceError(this.#nextIndex, error) };
  };

  #finish = (): void => {
    this.#state = "finished";
    for (let r = this.#readers.shift(); r; r = this.#readers.shift()) {
      this.#endOfRun().then(r.resolve, r.reject);
    }
    for (const resolve of this.#whenFinished.splice(0)) resolve();
  };

  #endOfRun(): Promise<IteratorResult<Outcome<I, O>, undefined>> {
    const ending = this.#ending;
    if (ending === undefined) return Promise.resolve(DONE);
    this.#ending = undefined;
    return Promise.reject(ending.error);
  }
}

function isIterable(value: unknown): value is Inputs<unknown> {
  if (value === null || value === undefined) return false;
  const candidate = value as Partial<
    AsyncIterable<unknown> & Iterable<unknown>
  >;
  return typeof candidate[Symbol.asyncIterator] === "function" ||
    typeof candidate[Symbol.iterator] === "function";
}

/**
 * Which tasks are timed: all of the first 1024, then one in eight. A clock
 * read per item costs a trivial task about 15%; a sample keeps percentiles.
 */
function timed(index: number): boolean {
  return index < 1024 || (index & 7) === 0;
}

/** Checks a rate under the option's own name, then makes its limiter. */
function rateLimiterFor(rate: Rate): RateLimiter {
  const { count, intervalMs } = parseRate(rate, "rateLimit");
  return new RateLimiter({ count, interval: intervalMs });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
