/**
 * Which tasks of a group have started and not yet been reported: what a
 * group needs to call `onCancel` and `onEnd` per task even for the tasks a
 * stopped run drops.
 *
 * @module
 */

import type { CancelledTask } from "./task_group.ts";
import type { TaskContext, TaskFn } from "./types.ts";

/** How one call of a task ended. */
export type Attempt<O> =
  | { readonly ok: true; readonly value: O }
  | { readonly ok: false; readonly error: unknown };

/** A task that started and has not been reported. */
export interface TrackedTask<I, O> {
  /** Its input. */
  readonly input: I;
  /** Calls of it running now (a timed-out call may still run). */
  active: number;
  /** The latest attempt number. */
  attempts: number;
  /** How its latest call ended. */
  last: Attempt<O> | undefined;
  /** Whether a call of it was running when its group was cancelled. */
  cancelled: boolean;
}

/**
 * The started tasks of one group, by index. Memory is bounded by the
 * group's concurrency: a task is forgotten once reported.
 *
 * @typeParam I The input type.
 * @typeParam O The type a task returns.
 */
export class TaskTracker<I, O> {
  readonly #tasks = new Map<number, TrackedTask<I, O>>();

  /**
   * Wraps a task so that each call is tracked; the call's result is passed
   * on untouched.
   *
   * @param fn The task.
   * @param onCallEnded Called after each call settles, with its index.
   * @returns The tracked task.
   */
  wrap(
    fn: TaskFn<I, O>,
    onCallEnded: (index: number) => void,
  ): TaskFn<I, O> {
    return (input: I, ctx: TaskContext): O | PromiseLike<O> => {
      const { index } = ctx;
      let task = this.#tasks.get(index);
      if (task === undefined) {
        task = {
          input,
          active: 0,
          attempts: 0,
          last: undefined,
          cancelled: false,
        };
        this.#tasks.set(index, task);
      }
      task.active++;
      task.attempts = Math.max(task.attempts, ctx.attempt);
      const tracked = task;
      const ended = (last: Attempt<O>): void => {
        tracked.active--;
        tracked.last = last;
        onCallEnded(index);
      };
      let result: O | PromiseLike<O>;
      try {
        result = fn(input, ctx);
      } catch (error) {
        ended({ ok: false, error });
        throw error;
      }
      if (!isThenable(result)) {
        ended({ ok: true, value: result });
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          ended({ ok: true, value });
          return value;
        },
        (error: unknown) => {
          ended({ ok: false, error });
          throw error;
        },
      );
    };
  }

  /**
   * Forgets a task, to report it.
   *
   * @param index The task's index.
   * @returns The task, or `undefined` if it was reported already.
   */
  end(index: number): TrackedTask<I, O> | undefined {
    const task = this.#tasks.get(index);
    this.#tasks.delete(index);
    return task;
  }

  /**
   * Marks the tasks with a call running as cancelled.
   *
   * @returns Them, for `onCancel`.
   */
  markCancelled(): CancelledTask<I>[] {
    const running: CancelledTask<I>[] = [];
    for (const [index, task] of this.#tasks) {
      if (task.active === 0) continue;
      task.cancelled = true;
      running.push({ index, input: task.input, attempt: task.attempts });
    }
    return running;
  }

  /**
   * The tasks without a running call.
   *
   * @returns Their indexes.
   */
  idle(): number[] {
    const indexes: number[] = [];
    for (const [index, task] of this.#tasks) {
      if (task.active === 0) indexes.push(index);
    }
    return indexes;
  }
}

function isThenable<O>(value: O | PromiseLike<O>): value is PromiseLike<O> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
