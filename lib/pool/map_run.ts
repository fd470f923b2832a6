/**
 * The scheduler behind `mapConcurrent`: pulls inputs only when a slot is
 * free, runs tasks under an error policy and hands outcomes to one reader
 * with back-pressure.
 *
 * @module
 */

import { ErrorBudgetError, SourceError, TaskError } from "../policy/errors.ts";
import { type ResolvedPolicy, resolvePolicy } from "../policy/policy.ts";
import { sleep } from "../policy/sleep.ts";
import { RateLimiter } from "../sync/rate_limiter.ts";
import { RingQueue } from "../sync/ring_queue.ts";
import { ReorderWindow } from "./reorder_window.ts";
import type { Permit, Semaphore } from "../sync/semaphore.ts";
import { checkCount, describeValue } from "../units/check.ts";
import { parseRate, type Rate } from "../units/rate.ts";
import { parseDuration } from "../units/duration.ts";
import type {
  Inputs,
  LatencyRecorder,
  MapRunOptions,
  Outcome,
  RetryEvent,
  TaskContext,
  TaskFn,
} from "./types.ts";

type Attempt<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Reader<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(reason: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };
const toOk = <O>(value: O): Attempt<O> => ({ ok: true, value });
const toError = <O>(error: unknown): Attempt<O> => ({ ok: false, error });

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
  readonly #source: Inputs<I>;
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
  #limit: number;

  #iterator: Iterator<I> | AsyncIterator<I> | undefined;
  #syncSource = false;
  #pulling = false;
  #sourceDone = false;
  #stopped = false;
  #finishing = false;
  #finished = false;
  #terminal: { error: unknown } | undefined;
  #terminalDelivered = false;
  #primary: TaskError<I> | undefined;
  // Set by return(): the reader has gone, so outcomes are dropped.
  #discard = false;

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
  #filling = false;
  #fillAgain = false;
  readonly #abandonAfterMs: number | undefined;
  #abandonTimer: ReturnType<typeof setTimeout> | undefined;
  // Set when tasks that ignored the stop were left behind.
  #abandoned = false;
  // An input read from an async source after the run shrank below it.
  #parked: { input: I } | undefined;

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
    this.#source = source;
    this.#fn = fn;
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
    return this.#controller.signal;
  }

  /** Whether the run has ended: no task runs and none will start. */
  get finished(): boolean {
    return this.#finished;
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
    if (this.#iterator !== undefined) this.#fill();
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
    if (this.#finished || this.#stopped) return;
    const error = reason ??
      new DOMException("The run was aborted", "AbortError");
    this.#terminal ??= { error };
    this.#stop(error);
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
      this.#fill();
      return Promise.resolve({ done: false, value: ready });
    }
    if (this.#iterator === undefined && !this.#finished) {
      this.#begin();
      if (this.#ready.size > 0) return this.next();
    }
    if (this.#finished) return this.#endOfRun();
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
    if (!this.#finished) {
      this.#discard = true;
      this.#stop(
        new DOMException("The iteration was ended early", "AbortError"),
      );
      await new Promise<void>((resolve) => {
        if (this.#finished) resolve();
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
      this.#terminal = { error: this.#outer.reason };
      this.#stopped = true;
      this.#checkFinished();
      return;
    }
    try {
      const source = this.#source as Partial<AsyncIterable<I> & Iterable<I>>;
      const asyncIterator = source[Symbol.asyncIterator];
      if (typeof asyncIterator === "function") {
        this.#iterator = asyncIterator.call(source);
      } else {
        this.#iterator = (source as Iterable<I>)[Symbol.iterator]();
        this.#syncSource = true;
      }
    } catch (error) {
      this.#sourceFailed(error);
      this.#checkFinished();
      return;
    }
    this.#outer?.addEventListener("abort", this.#onOuterAbort, { once: true });
    this.#fill();
  }

  #onOuterAbort = (): void => this.abort(this.#outer!.reason);

  #hasSlot(): boolean {
    return !this.#stopped && this.#running < this.#limit &&
      this.#running + this.#ready.size + this.#window.size <
        this.#limit + this.#buffer;
  }

  #canStart(): boolean {
    return this.#hasSlot() && !this.#sourceDone && !this.#pulling &&
      this.#parked === undefined;
  }

  #fill(): void {
    // Tasks that settle synchronously re-enter here; loop instead of recursing.
    if (this.#filling) {
      this.#fillAgain = true;
      return;
    }
    this.#filling = true;
    try {
      do {
        this.#fillAgain = false;
        if (this.#parked !== undefined && this.#hasSlot()) {
          const { input } = this.#parked;
          this.#parked = undefined;
          this.#start(input);
        }
        while (this.#canStart()) {
          if (!this.#syncSource) {
            this.#pull();
            break;
          }
          let input: I;
          try {
            const step = checkStep((this.#iterator as Iterator<I>).next());
            if (step.done) {
              this.#sourceDone = true;
              break;
            }
            input = step.value;
          } catch (error) {
            this.#sourceFailed(error);
            break;
          }
          this.#start(input);
        }
      } while (this.#fillAgain);
    } finally {
      this.#filling = false;
    }
    this.#checkFinished();
  }

  #pull(): void {
    this.#pulling = true;
    let pending: Promise<IteratorResult<I>>;
    try {
      pending = Promise.resolve((this.#iterator as AsyncIterator<I>).next());
    } catch (error) {
      this.#pulling = false;
      this.#sourceFailed(error);
      return;
    }
    pending.then(this.#onPulled, this.#onPullFailed);
  }

  #onPulled = (result: IteratorResult<I>): void => {
    let done: boolean | undefined;
    let input: I | undefined;
    try {
      const step = checkStep(result);
      done = step.done;
      if (!step.done) input = step.value;
    } catch (error) {
      this.#onPullFailed(error);
      return;
    }
    this.#pulling = false;
    // An item read after the run stopped is not started: its iterator is
    // being closed, and the reader has been told the run is over. One read
    // after a shrink waits for a slot.
    if (done) this.#sourceDone = true;
    else if (this.#hasSlot()) this.#start(input as I);
    else if (!this.#stopped) this.#parked = { input: input as I };
    this.#fill();
  };

  #onPullFailed = (error: unknown): void => {
    this.#pulling = false;
    this.#sourceFailed(error);
    this.#checkFinished();
  };

  #sourceFailed(error: unknown): void {
    this.#sourceDone = true;
    if (!this.#stopped) {
      this.#terminal ??= { error: new SourceError(this.#nextIndex, error) };
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
      signal: this.#controller.signal,
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

  async #runWithPolicy(index: number, input: I): Promise<void> {
    const signal = this.#controller.signal;
    const policy = this.#policy;
    let permit: Permit | undefined;
    let attempt = 0;
    let lastError: unknown;
    let startedAt = 0;
    try {
      if (this.#limiter) {
        permit = await this.#waitFor(this.#limiter.acquire(signal));
      }
      for (;;) {
        if (this.#rate) await this.#waitFor(this.#rate.acquire(signal));
        signal.throwIfAborted();
        // Latency runs from the first attempt to the outcome, retries included.
        if (attempt === 0 && this.#latency && timed(index)) {
          startedAt = performance.now();
        }
        attempt++;
        const result = await this.#attempt(index, input, attempt);
        if (result.ok) {
          permit?.release();
          this.#settleSuccess(index, input, result.value, attempt, startedAt);
          return;
        }
        lastError = result.error;
        if (
          signal.aborted || attempt >= policy.attempts ||
          !policy.retryIf(lastError, attempt)
        ) break;
        const delayMs = policy.delayAfter(attempt);
        this.#retries++;
        this.#onRetry?.({ index, input, attempt, error: lastError, delayMs });
        await sleep(delayMs, signal);
      }
    } catch (error) {
      // A wait rejected because the run stopped, or retryIf/onRetry threw.
      lastError = error;
    }
    permit?.release();
    this.#settleFailure(index, input, lastError, attempt, startedAt);
  }

  async #waitFor<T>(wait: Promise<T>): Promise<T> {
    this.#waiting++;
    try {
      return await wait;
    } finally {
      this.#waiting--;
    }
  }

  #attempt(index: number, input: I, attempt: number): Promise<Attempt<O>> {
    const runSignal = this.#controller.signal;
    const timeoutMs = this.#policy.timeoutMs;
    if (timeoutMs === undefined) {
      return this.#call(input, { signal: runSignal, index, attempt });
    }
    const own = new AbortController();
    const forward = () => own.abort(runSignal.reason);
    runSignal.addEventListener("abort", forward, { once: true });
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Attempt<O>) => {
        if (settled) {
          this.#late++;
          return;
        }
        settled = true;
        clearTimeout(timer);
        runSignal.removeEventListener("abort", forward);
        resolve(result);
      };
      const timer = setTimeout(() => {
        const error = new DOMException(
          `Task ${index} timed out after ${timeoutMs}ms (attempt ${attempt})`,
          "TimeoutError",
        );
        own.abort(error);
        finish({ ok: false, error });
      }, timeoutMs);
      this.#call(input, { signal: own.signal, index, attempt }).then(finish);
    });
  }

  #call(input: I, ctx: TaskContext): Promise<Attempt<O>> {
    try {
      return Promise.resolve(this.#fn(input, ctx)).then(toOk<O>, toError<O>);
    } catch (error) {
      return Promise.resolve(toError<O>(error));
    }
  }

  /**
   * What every settlement does first: frees the slot and records the time.
   * Says false for a task the run abandoned, which is only counted.
   */
  #settled(startedAt: number): boolean {
    if (this.#abandoned) {
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
    // (return()) has no use for it.
    if (!this.#discard) {
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
    if (this.#stopped) {
      // Echoes of our own abort say nothing new; anything else is kept.
      if (this.#primary && error !== this.#controller.signal.reason) {
        this.#primary.suppressed.push(error);
      }
      if (this.#ordered) this.#window.skip(index);
    } else {
      const failure = new TaskError(index, input, attempts, error);
      this.#failures++;
      if (this.#policy.failFast) {
        if (this.#ordered) this.#window.skip(index);
        this.#fail(failure, failure);
      } else if (this.#failures > this.#policy.maxFailures) {
        const budget = new ErrorBudgetError(
          this.#policy.maxFailures,
          this.#failures,
          failure as TaskError,
        );
        if (this.#ordered) this.#window.skip(index);
        this.#fail(budget, failure);
      } else {
        this.#deliver({ ok: false, index, input, error: failure, attempts });
      }
    }
    this.#fill();
  }

  #fail(error: Error, primary: TaskError<I>): void {
    this.#terminal = { error };
    this.#primary = primary;
    this.#stop(error);
  }

  #stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller.abort(reason);
    if (this.#abandonAfterMs !== undefined && this.#running > 0) {
      this.#abandonTimer = setTimeout(() => {
        this.#abandonTimer = undefined;
        this.#abandoned = true;
        this.#checkFinished();
      }, this.#abandonAfterMs);
    }
    this.#checkFinished();
  }

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
    if (this.#finishing || (this.#running > 0 && !this.#abandoned)) return;
    if (!this.#stopped && !(this.#sourceDone && !this.#pulling)) return;
    this.#finishing = true;
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
    const closing = this.#sourceDone ? undefined : this.#closeSource();
    if (closing) closing.then(this.#finish);
    else this.#finish();
  }

  #closeSource(): Promise<void> | undefined {
    const iterator = this.#iterator;
    if (!iterator?.return) return undefined;
    const failed = (error: unknown) => {
      this.#terminal ??= { error: new SourceError(this.#nextIndex, error) };
    };
    try {
      const result = iterator.return();
      if (!(result instanceof Promise)) return undefined;
      const settled = result.then(() => {}, failed);
      // A read still pending keeps an async iterator busy; do not wait for it.
      return this.#pulling ? undefined : settled;
    } catch (error) {
      failed(error);
      return undefined;
    }
  }

  #finish = (): void => {
    this.#finished = true;
    clearTimeout(this.#abandonTimer);
    // Tasks left behind (abandonAfter) leave gaps: what is held after them
    // still goes out, in order.
    if (this.#discard) this.#window.clear();
    else this.#window.flush();
    for (let r = this.#readers.shift(); r; r = this.#readers.shift()) {
      this.#endOfRun().then(r.resolve, r.reject);
    }
    for (const resolve of this.#whenFinished.splice(0)) resolve();
  };

  #endOfRun(): Promise<IteratorResult<Outcome<I, O>, undefined>> {
    if (this.#terminal && !this.#terminalDelivered) {
      this.#terminalDelivered = true;
      return Promise.reject(this.#terminal.error);
    }
    return Promise.resolve(DONE);
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

/** An iterator result must be an object; anything else is a source error. */
function checkStep<I>(step: IteratorResult<I>): IteratorResult<I> {
  if (typeof step !== "object" || step === null) {
    throw new TypeError(
      `The iterator's next() gave ${describeValue(step)}, not an object`,
    );
  }
  return step;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
