/**
 * A fake third executor, shaped like a distributed one: a coordinator
 * side puts jobs (index and a structured clone of the item's value) on a
 * queue and keeps the inputs; an "engine" holds the global concurrency
 * (resizable), runs each job's attempts with the stage's retry policy and
 * sends back a plain-data result (value, or a serialised error with the
 * attempts), under the stage's rate limit and per-attempt timeout, as a
 * distributed engine's limiter and job timeout would. It uses nothing of
 * the interpreter but the executor contract
 * and nothing of the scheduler (no `MapRun`), so a test that runs a
 * workflow through it proves the seam is the whole interface.
 *
 * @module
 */

import {
  ErrorBudgetError,
  type ExecutionContext,
  type ExecutionStats,
  type Executor,
  type ExecutorStage,
  type Outcome,
  RateLimiter,
  SourceError,
  type StageExecution,
  TaskError,
  type TaskFn,
} from "../../mod.ts";

/** What crosses from coordinator to engine: data only. */
interface Job {
  readonly index: number;
  readonly payload: unknown;
  attempt: number;
  /** When its first attempt started, for latency. */
  startedAt: number;
}

/** What crosses back: data only. */
type JobResult =
  | {
    readonly index: number;
    readonly ok: true;
    readonly value: unknown;
    readonly attempts: number;
  }
  | {
    readonly index: number;
    readonly ok: false;
    readonly error: { readonly name: string; readonly message: string };
    readonly attempts: number;
  };

/** Every job this executor ran, for tests to check that tasks went through it. */
export class QueueExecutor implements Executor {
  readonly name = "fake-queue";
  /** Jobs taken off the queue by the engine, attempts included. */
  attemptsRun = 0;
  /** When each attempt started (after the rate limit), in `performance.now()` ms. */
  readonly attemptStarts: number[] = [];
  /** Executions started. */
  readonly stages: string[] = [];

  executeStage(
    stage: ExecutorStage,
    items: AsyncIterable<unknown>,
    ctx: ExecutionContext,
  ): StageExecution {
    if (typeof stage.fn !== "function") {
      throw new TypeError(`Stage "${stage.name}" has no function to run`);
    }
    this.stages.push(stage.name);
    return new QueueExecution(this, stage, items, ctx);
  }
}

class QueueExecution implements StageExecution {
  readonly #owner: QueueExecutor;
  readonly #stage: ExecutorStage;
  readonly #items: AsyncIterable<unknown>;
  readonly #ctx: ExecutionContext;
  readonly #controller = new AbortController();
  // The engine's side: global concurrency, the job queue, delayed retries.
  #limit: number;
  readonly #queue: Job[] = [];
  #running = 0;
  readonly #delayed = new Map<number, ReturnType<typeof setTimeout>>();
  // The engine's global rate limit, as a distributed engine keeps one.
  readonly #rate: RateLimiter | undefined;
  // The coordinator's side: inputs in flight by index, outcomes to hand out.
  readonly #inputs = new Map<number, unknown>();
  readonly #ready: Outcome<unknown, unknown>[] = [];
  readonly #held = new Map<number, Outcome<unknown, unknown>>();
  #nextOrdered = 0;
  #started = 0;
  #failed = 0;
  #retried = 0;
  #stopped = false;
  #terminal: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  constructor(
    owner: QueueExecutor,
    stage: ExecutorStage,
    items: AsyncIterable<unknown>,
    ctx: ExecutionContext,
  ) {
    this.#owner = owner;
    this.#stage = stage;
    this.#items = items;
    this.#ctx = ctx;
    this.#limit = stage.concurrency;
    this.#rate = stage.rateLimit === undefined
      ? undefined
      : new RateLimiter(stage.rateLimit);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  resize(concurrency: number): void {
    if (!Number.isInteger(concurrency) || concurrency < 0) {
      throw new RangeError(
        `Invalid concurrency: expected an integer >= 0, got ${concurrency}`,
      );
    }
    this.#limit = concurrency;
    this.#pump();
    this.#notify();
  }

  stats(): ExecutionStats {
    return {
      concurrency: this.#limit,
      started: this.#started,
      running: this.#running,
      waiting: this.#queue.length + this.#delayed.size,
      buffered: this.#ready.length + this.#held.size,
      failed: this.#failed,
      retried: this.#retried,
    };
  }

  abort(reason?: unknown): void {
    this.#stop(
      { error: reason ?? new DOMException("Aborted", "AbortError") },
    );
  }

  [Symbol.asyncIterator](): AsyncIterator<Outcome<unknown, unknown>> {
    return this.#outcomes();
  }

  /** The coordinator: feeds a bounded window of jobs, hands back outcomes. */
  async *#outcomes(): AsyncGenerator<Outcome<unknown, unknown>> {
    const onRunAbort = () => this.abort(this.#ctx.signal.reason);
    if (this.#ctx.signal.aborted) onRunAbort();
    this.#ctx.signal.addEventListener("abort", onRunAbort, { once: true });
    const source = this.#items[Symbol.asyncIterator]();
    let sourceDone = false;
    try {
      for (;;) {
        // Back-pressure: at most twice the concurrency in flight or unread.
        while (
          !this.#stopped && !sourceDone &&
          this.#inputs.size + this.#ready.length < 2 * this.#limit
        ) {
          let step: IteratorResult<unknown>;
          try {
            step = await source.next();
          } catch (error) {
            sourceDone = true;
            this.#stop({ error: new SourceError(this.#started, error) });
            break;
          }
          if (step.done) sourceDone = true;
          else this.#submit(step.value);
        }
        const next = this.#ready.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.#inputs.size === 0 && (sourceDone || this.#stopped)) break;
        await new Promise<void>((resolve) => this.#wake = resolve);
      }
      if (this.#terminal) throw this.#terminal.error;
    } finally {
      // Ended early (or failed): stop, let jobs in flight settle, close the input.
      if (!this.#stopped && this.#inputs.size > 0) {
        this.#stop({ error: new DOMException("Ended early", "AbortError") });
      }
      while (this.#inputs.size > 0) {
        await new Promise<void>((resolve) => this.#wake = resolve);
      }
      this.#ctx.signal.removeEventListener("abort", onRunAbort);
      if (!sourceDone) await source.return?.();
    }
  }

  #submit(item: unknown): void {
    const index = this.#started++;
    this.#inputs.set(index, item);
    // Only data crosses: a closure or a class instance would not survive.
    const payload = structuredClone(this.#stage.valueOf(item));
    this.#queue.push({ index, payload, attempt: 1, startedAt: 0 });
    this.#pump();
  }

  /** The engine: starts queued jobs while under the global concurrency. */
  #pump(): void {
    while (
      !this.#stopped && this.#running < this.#limit && this.#queue.length > 0
    ) {
      const job = this.#queue.shift()!;
      this.#running++;
      this.#owner.attemptsRun++;
      void this.#attempt(job);
    }
  }

  async #attempt(job: Job): Promise<void> {
    const fn = this.#stage.fn as TaskFn<unknown, unknown>;
    let result: JobResult | undefined;
    let thrown: unknown;
    // The engine's own per-attempt time limit, from the stage's policy.
    const timeoutMs = this.#stage.policy.timeoutMs;
    const signal = timeoutMs === undefined
      ? this.#controller.signal
      : AbortSignal.any([
        this.#controller.signal,
        AbortSignal.timeout(timeoutMs),
      ]);
    try {
      await this.#rate?.acquire(this.#controller.signal);
      const now = performance.now();
      this.#owner.attemptStarts.push(now);
      if (job.attempt === 1) job.startedAt = now;
      const value = this.#stage.checkResult(
        await fn(job.payload, {
          signal,
          index: job.index,
          attempt: job.attempt,
        }),
      );
      result = {
        index: job.index,
        ok: true,
        value: structuredClone(value),
        attempts: job.attempt,
      };
    } catch (error) {
      thrown = error;
    }
    this.#running--;
    if (result === undefined) {
      const policy = this.#stage.policy;
      if (
        !this.#stopped && job.attempt < policy.attempts &&
        policy.retryIf(thrown, job.attempt)
      ) {
        this.#retryLater(job, thrown, policy.delayAfter(job.attempt));
        return;
      }
      const e = thrown as Partial<Error>;
      result = {
        index: job.index,
        ok: false,
        error: { name: e.name ?? "Error", message: e.message ?? String(e) },
        attempts: job.attempt,
      };
    }
    this.#ctx.latency.record(performance.now() - job.startedAt);
    this.#receive(result);
    this.#pump();
  }

  /** A failed attempt goes back on the queue after its delay, freeing its slot. */
  #retryLater(job: Job, error: unknown, delayMs: number): void {
    this.#retried++;
    this.#ctx.onRetry({
      index: job.index,
      input: this.#inputs.get(job.index),
      attempt: job.attempt,
      error,
      delayMs,
    });
    job.attempt++;
    this.#delayed.set(
      job.index,
      setTimeout(() => {
        this.#delayed.delete(job.index);
        this.#queue.push(job);
        this.#pump();
      }, delayMs),
    );
    this.#pump();
  }

  /** The coordinator receives a result: an outcome, or the end of the stage. */
  #receive(result: JobResult): void {
    const input = this.#inputs.get(result.index);
    this.#inputs.delete(result.index);
    if (this.#stopped) {
      this.#notify();
      return;
    }
    if (result.ok) {
      this.#deliver({
        ok: true,
        index: result.index,
        input,
        value: result.value,
        attempts: result.attempts,
      });
    } else {
      const cause = Object.assign(new Error(result.error.message), {
        name: result.error.name,
      });
      const failure = new TaskError(
        result.index,
        input,
        result.attempts,
        cause,
      );
      this.#failed++;
      const policy = this.#stage.policy;
      if (policy.failFast) this.#stop({ error: failure });
      else if (this.#failed > policy.maxFailures) {
        this.#stop({
          error: new ErrorBudgetError(
            policy.maxFailures,
            this.#failed,
            failure,
          ),
        });
      } else {
        this.#deliver({
          ok: false,
          index: result.index,
          input,
          error: failure,
          attempts: result.attempts,
        });
      }
    }
    this.#notify();
  }

  #deliver(outcome: Outcome<unknown, unknown>): void {
    if (!this.#stage.ordered) {
      this.#ready.push(outcome);
      return;
    }
    this.#held.set(outcome.index, outcome);
    for (
      let next = this.#held.get(this.#nextOrdered);
      next !== undefined;
      next = this.#held.get(this.#nextOrdered)
    ) {
      this.#held.delete(this.#nextOrdered++);
      this.#ready.push(next);
    }
  }

  #stop(terminal: { error: unknown }): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#terminal = terminal;
    this.#controller.abort(terminal.error);
    // Queued and delayed jobs never start; their inputs are let go.
    for (const job of this.#queue.splice(0)) this.#inputs.delete(job.index);
    for (const [index, timer] of this.#delayed) {
      clearTimeout(timer);
      this.#inputs.delete(index);
    }
    this.#delayed.clear();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
