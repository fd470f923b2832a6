/**
 * One named group of tasks in a `TaskPool`: its run, its outcomes and its
 * end, with callbacks per task as in asyncio-taskpool.
 *
 * @module
 */

import { ErrorBudgetError, TaskError } from "../policy/errors.ts";
import { Channel } from "../sync/channel.ts";
import type { MapRun } from "./map_run.ts";
import { type GroupReport, KEPT_FAILURES } from "./pool_errors.ts";
import { type Attempt, TaskTracker } from "./task_tracker.ts";
import type { Failure, Outcome, TaskFn } from "./types.ts";

/** Where a group is in its life. */
export type GroupState = "running" | "ended" | "cancelled" | "failed";

/** How a group ended: what `TaskGroup.done` resolves to. */
export interface GroupSummary {
  /** The group's id. */
  readonly id: string;
  /** `"ended"` when every task ran, `"cancelled"` when it was cancelled. */
  readonly state: "ended" | "cancelled";
  /** Tasks that produced a value. */
  readonly succeeded: number;
  /** Tasks that failed for good. */
  readonly failed: number;
  /** Tasks that were running when the group was cancelled. */
  readonly cancelled: number;
}

/** A task that was running when its group was cancelled. */
export interface CancelledTask<I> {
  /** Position of the task's input in the group, from 0. */
  readonly index: number;
  /** The task's input (for `apply()`, the call's number). */
  readonly input: I;
  /** The attempt that was running, from 1. */
  readonly attempt: number;
}

/** Callbacks of a group, called per task, as in asyncio-taskpool. */
export interface GroupCallbacks<I, O> {
  /**
   * Called once per task that started, with its outcome, as the task ends:
   * success, failure, or a task that ended after its group was cancelled
   * or stopped by a fail-fast failure (then with what it gave back, or the
   * last error of a task that was waiting to retry). A task that was only
   * waiting for a slot of the pool never started and is not reported.
   * Passing `onEnd` marks the group's failures as seen: `close()` and
   * `flush()` do not report them again.
   */
  onEnd?: (outcome: Outcome<I, O>, group: TaskGroup<I, O>) => void;
  /**
   * Called once per task whose function was running when the group was
   * cancelled, at the cancel, before that task's `onEnd`.
   */
  onCancel?: (task: CancelledTask<I>, group: TaskGroup<I, O>) => void;
}

/**
 * A group of tasks started by `TaskPool.map()`, `starmap()` or `apply()`.
 * It runs on its own as soon as it is created; read its outcomes with
 * `results()` (when created with `results: true`), await `done`, or cancel
 * it.
 *
 * @typeParam I The input type.
 * @typeParam O The type a task returns.
 *
 * @example Read a group's outcomes
 * ```ts
 * import { TaskPool } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const pool = new TaskPool({ limit: 4 });
 * const group = pool.map(async (n: number) => n * n, [1, 2, 3], { results: true });
 * const squares: number[] = [];
 * for await (const o of group.results()) if (o.ok) squares.push(o.value);
 * assertEquals(squares.sort(), [1, 4, 9]);
 * assertEquals((await group.done).succeeded, 3);
 * await pool.close();
 * ```
 */
export class TaskGroup<I, O> {
  /** The group's id: the name given, or one made up such as `"map-1"`. */
  readonly id: string;
  /**
   * Settles when every task of the group has ended: resolves with a
   * summary, or rejects with the error that stopped a fail-fast group (a
   * `TaskError`, `ErrorBudgetError` or `SourceError`). Nobody has to await
   * it: an unobserved rejection is not reported as unhandled, and
   * `close()` or `flush()` report it.
   */
  readonly done: Promise<GroupSummary>;
  readonly #run: MapRun<I, O>;
  readonly #results: Channel<Outcome<I, O>> | undefined;
  readonly #callbacks: GroupCallbacks<I, O>;
  readonly #onOutcome: () => void;
  readonly #tracker = new TaskTracker<I, O>();
  #state: GroupState = "running";
  #succeeded = 0;
  #failed = 0;
  #cancelled = 0;
  #error: { reason: unknown } | undefined;
  readonly #callbackErrors: unknown[] = [];
  readonly #unreported: TaskError[] = [];
  #unreportedCount = 0;

  /**
   * Made by `TaskPool`; starts running at once.
   *
   * @param id The group's id.
   * @param fn The task.
   * @param makeRun Makes the map that runs the (wrapped) task.
   * @param keepResults Whether `results()` delivers outcomes.
   * @param callbacks Called as tasks end.
   * @param onOutcome Called after each task's end, for the pool's counts.
   */
  constructor(
    id: string,
    fn: TaskFn<I, O>,
    makeRun: (task: TaskFn<I, O>) => MapRun<I, O>,
    keepResults: boolean,
    callbacks: GroupCallbacks<I, O>,
    onOutcome: () => void,
  ) {
    this.id = id;
    this.#callbacks = callbacks;
    this.#onOutcome = onOutcome;
    this.#run = makeRun(this.#tracker.wrap(fn, this.#onCallEnded));
    this.#results = keepResults
      ? new Channel(Math.max(1, this.#run.concurrency))
      : undefined;
    // Start on a microtask, so no task runs before `map()` has returned the
    // group to its caller.
    this.done = Promise.resolve().then(() => this.#drive());
    this.done.catch(() => {});
  }

  /** Where the group is in its life. */
  get state(): GroupState {
    return this.#state;
  }

  /** Tasks of the group this group lets run at once. */
  get concurrency(): number {
    return this.#run.concurrency;
  }

  /** Tasks of the group running now. */
  get running(): number {
    return this.#run.running;
  }

  /** Tasks of the group started and waiting for a slot of the pool. */
  get pending(): number {
    return this.#run.waiting;
  }

  /** Tasks that produced a value so far. */
  get succeeded(): number {
    return this.#succeeded;
  }

  /** Tasks that failed for good so far. */
  get failed(): number {
    return this.#failed;
  }

  /** Tasks that were running when the group was cancelled, so far. */
  get cancelled(): number {
    return this.#cancelled;
  }

  /**
   * The group's outcomes in completion order. The group pulls its inputs
   * only as fast as they are read, so memory stays bounded. After a cancel
   * or a fail-fast stop the iteration throws the reason once the outcomes
   * already finished are read. Failures read here count as seen.
   *
   * @returns An async iterable of outcomes.
   * @throws {TypeError} If the group was created without `results: true`.
   */
  results(): AsyncIterable<Outcome<I, O>> {
    if (!this.#results) {
      throw new TypeError(
        `Cannot read results of task group "${this.id}": create it with { results: true }`,
      );
    }
    return this.#results;
  }

  /**
   * Changes how many tasks of this group run at once (within the pool's
   * limit). Growing starts tasks at once; shrinking lets running tasks
   * finish; `0` pauses the group.
   *
   * @param concurrency The new limit, an integer `>= 0`.
   * @throws {RangeError} If `concurrency` is negative or fractional.
   */
  resize(concurrency: number): void {
    this.#run.resize(concurrency);
  }

  /**
   * Cancels the group: its tasks' signals abort with `reason`, nothing new
   * starts, and `onCancel` is called for each task that was running. `done`
   * resolves with state `"cancelled"` once they settle. Does nothing if the
   * group has ended.
   *
   * @param reason Why; defaults to a `DOMException` named `AbortError`.
   * @throws {AggregateError} With what `onCancel` threw, once every task
   * was cancelled.
   */
  cancel(reason?: unknown): void {
    if (this.#state !== "running") return;
    this.#state = "cancelled";
    const why = reason ??
      new DOMException(`Task group "${this.id}" was cancelled`, "AbortError");
    const running = this.#tracker.markCancelled();
    this.#cancelled += running.length;
    this.#run.abort(why);
    // A reader that stopped reading must not keep the group from ending.
    this.#results?.close(why);
    const errors: unknown[] = [];
    for (const task of running) {
      try {
        this.#callbacks.onCancel?.(task, this);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} onCancel callback(s) of task group "${this.id}" threw`,
      );
    }
  }

  /**
   * What the pool reports of this group once it forgets it: for the pool
   * only, so kept out of the docs.
   *
   * @returns The group's error, callback errors and unseen failures.
   * @ignore
   */
  report(): GroupReport {
    return {
      id: this.id,
      errors: this.#error
        ? [
          this.#error.reason,
          ...this.#callbackErrors.filter((e) => e !== this.#error?.reason),
        ]
        : this.#callbackErrors,
      unreported: this.#unreported,
      unreportedCount: this.#unreportedCount,
    };
  }

  /** A call ended after the run stopped: the run will not report it. */
  #onCallEnded = (index: number): void => {
    if (!this.#run.signal.aborted) return;
    this.#endStopped(index);
  };

  #endStopped(index: number): void {
    const task = this.#tracker.end(index);
    if (task === undefined) return;
    const outcome = outcomeOf(index, task.input, task.attempts, task.last);
    if (!task.cancelled) {
      if (outcome.ok) this.#succeeded++;
      else this.#failed++;
    }
    this.#onOutcome();
    try {
      this.#callbacks.onEnd?.(outcome, this);
    } catch (error) {
      // A group that failed reports its error; after a cancel, nobody
      // else would hear of this one.
      if (this.#error === undefined && !this.#callbackErrors.includes(error)) {
        this.#callbackErrors.push(error);
      }
    }
  }

  #count(outcome: Outcome<I, O>, cancelled: boolean): void {
    if (cancelled) {
      // Counted as cancelled already.
    } else if (outcome.ok) {
      this.#succeeded++;
    } else {
      this.#failed++;
      const seen = this.#callbacks.onEnd !== undefined ||
        (this.#results !== undefined && !this.#results.closed);
      if (!seen && this.#error === undefined) {
        this.#unreportedCount++;
        if (this.#unreported.length < KEPT_FAILURES) {
          this.#unreported.push(outcome.error as TaskError);
        }
      }
    }
    this.#onOutcome();
  }

  async #drive(): Promise<GroupSummary> {
    try {
      for await (const outcome of this.#run) {
        const task = this.#tracker.end(outcome.index);
        this.#count(outcome, task?.cancelled ?? false);
        this.#callbacks.onEnd?.(outcome, this);
        if (this.#results && !this.#results.closed) {
          await this.#results.send(outcome);
        }
      }
    } catch (error) {
      // Under fail-fast the failing task is thrown rather than yielded;
      // it still ended, and `onEnd` promises every outcome.
      const failure = error instanceof TaskError
        ? error
        : error instanceof ErrorBudgetError && error.cause instanceof TaskError
        ? error.cause
        : undefined;
      if (this.#state !== "cancelled") {
        this.#state = "failed";
        this.#error = { reason: error };
        if (failure && this.#tracker.end(failure.index)) {
          this.#failed++;
          this.#onOutcome();
          try {
            this.#callbacks.onEnd?.(failureOf(failure), this);
          } catch {
            // The group is failing already; its error is the one to report.
          }
        }
        // The loop may have left early (a throwing callback): stop the rest.
        this.#run.abort(error);
        this.#results?.close(error);
        this.#endAllStopped();
        throw error;
      }
    }
    if (this.#state === "running") this.#state = "ended";
    this.#results?.close();
    this.#endAllStopped();
    return {
      id: this.id,
      state: this.#state === "cancelled" ? "cancelled" : "ended",
      succeeded: this.#succeeded,
      failed: this.#failed,
      cancelled: this.#cancelled,
    };
  }

  /**
   * Ends the tasks the stopped run dropped: those between attempts, or
   * settled just as it stopped. Calls still running end as they settle.
   */
  #endAllStopped(): void {
    for (const index of this.#tracker.idle()) this.#endStopped(index);
  }
}

function failureOf<I>(error: TaskError<I>): Failure<I> {
  return {
    ok: false,
    index: error.index,
    input: error.input,
    error,
    attempts: error.attempts,
  };
}

function outcomeOf<I, O>(
  index: number,
  input: I,
  attempts: number,
  last: Attempt<O> | undefined,
): Outcome<I, O> {
  if (last?.ok) {
    return { ok: true, index, input, value: last.value, attempts };
  }
  const cause = last === undefined ? undefined : last.error;
  return failureOf(new TaskError(index, input, Math.max(1, attempts), cause));
}
