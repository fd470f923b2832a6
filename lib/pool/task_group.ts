/**
 * One named group of tasks in a `TaskPool`: its run, its outcomes and its
 * end.
 *
 * @module
 */

import { ErrorBudgetError, TaskError } from "../policy/errors.ts";
import { Channel } from "../sync/channel.ts";
import type { MapRun } from "./map_run.ts";
import type { Outcome } from "./types.ts";

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
}

/** Callbacks of a group, called as its tasks end. */
export interface GroupCallbacks<I, O> {
  /** Called with every outcome, success or failure, as the task ends. */
  onEnd?: (outcome: Outcome<I, O>, group: TaskGroup<I, O>) => void;
  /** Called once if the group is cancelled. */
  onCancel?: (group: TaskGroup<I, O>) => void;
}

/**
 * A group of tasks started by `TaskPool.map()` or `TaskPool.apply()`. It
 * runs on its own as soon as it is created; read its outcomes with
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
   * it: an unobserved rejection is not reported as unhandled.
   */
  readonly done: Promise<GroupSummary>;
  readonly #run: MapRun<I, O>;
  readonly #results: Channel<Outcome<I, O>> | undefined;
  readonly #callbacks: GroupCallbacks<I, O>;
  readonly #onOutcome: () => void;
  #state: GroupState = "running";
  #succeeded = 0;
  #failed = 0;

  /**
   * Made by `TaskPool`; starts running `run` at once.
   *
   * @param id The group's id.
   * @param run The map that runs the group's tasks.
   * @param keepResults Whether `results()` delivers outcomes.
   * @param callbacks Called as tasks end.
   * @param onOutcome Called after each outcome, for the pool's counts.
   */
  constructor(
    id: string,
    run: MapRun<I, O>,
    keepResults: boolean,
    callbacks: GroupCallbacks<I, O>,
    onOutcome: () => void,
  ) {
    this.id = id;
    this.#run = run;
    this.#callbacks = callbacks;
    this.#onOutcome = onOutcome;
    this.#results = keepResults
      ? new Channel(Math.max(1, run.concurrency))
      : undefined;
    // Start on a microtask, so no task runs before `map()` has returned the
    // group to its caller.
    this.done = Promise.resolve().then(() => this.#drive());
    // A group may run without anybody awaiting it; its failure is still
    // reported to whoever does await `done`, `flush()` or `close()`.
    this.done.catch(() => {});
  }

  /** Where the group is in its life. */
  get state(): GroupState {
    return this.#state;
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

  /**
   * The group's outcomes in completion order. The group pulls its inputs
   * only as fast as they are read, so memory stays bounded. After a cancel
   * or a fail-fast stop the iteration throws the reason once the outcomes
   * already finished are read.
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
   * Cancels the group: its tasks' signals abort with `reason`, and nothing
   * new starts. `done` resolves with state `"cancelled"` once they settle.
   * Does nothing if the group has ended.
   *
   * @param reason Why; defaults to a `DOMException` named `AbortError`.
   */
  cancel(reason?: unknown): void {
    if (this.#state !== "running") return;
    this.#state = "cancelled";
    const why = reason ??
      new DOMException(`Task group "${this.id}" was cancelled`, "AbortError");
    this.#run.abort(why);
    // A reader that stopped reading must not keep the group from ending.
    this.#results?.close(why);
    this.#callbacks.onCancel?.(this);
  }

  async #drive(): Promise<GroupSummary> {
    try {
      for await (const outcome of this.#run) {
        if (outcome.ok) this.#succeeded++;
        else this.#failed++;
        this.#onOutcome();
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
      if (failure && this.#state !== "cancelled") {
        this.#failed++;
        this.#onOutcome();
        const outcome = {
          ok: false as const,
          index: failure.index,
          input: failure.input as I,
          error: failure as TaskError<I>,
          attempts: failure.attempts,
        };
        try {
          this.#callbacks.onEnd?.(outcome, this);
        } catch {
          // The group is failing already; its error is the one to report.
        }
      }
      if (this.#state !== "cancelled") {
        this.#state = "failed";
        // The loop may have left early (a throwing callback): stop the rest.
        this.#run.abort(error);
        this.#results?.close(error);
        throw error;
      }
    }
    if (this.#state === "running") this.#state = "ended";
    this.#results?.close();
    return {
      id: this.id,
      state: this.#state === "cancelled" ? "cancelled" : "ended",
      succeeded: this.#succeeded,
      failed: this.#failed,
    };
  }
}
