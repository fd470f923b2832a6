/**
 * The errors a caller of poolflow is meant to catch.
 *
 * @module
 */

/** Short, readable form of anything thrown, for error messages. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  if (typeof thrown === "string") return JSON.stringify(thrown);
  if (thrown === undefined) return "undefined was thrown";
  if (thrown === null) return "null was thrown";
  try {
    return `${JSON.stringify(thrown) ?? String(thrown)} was thrown`;
  } catch {
    return `${Object.prototype.toString.call(thrown)} was thrown`;
  }
}

/**
 * A task failed for good (after its retries). `cause` is what the task
 * threw, untouched, even when it was not an `Error`.
 *
 * @typeParam I The type of the task's input.
 *
 * @example Inspect a failure
 * ```ts
 * import { mapAll, TaskError } from "@poolflow/poolflow";
 * import { assert, assertEquals } from "@std/assert";
 *
 * try {
 *   await mapAll([1, 2, 3], (n) => {
 *     if (n === 2) throw "two is not allowed";
 *     return n;
 *   });
 * } catch (error) {
 *   assert(error instanceof TaskError);
 *   assertEquals(error.input, 2);
 *   assertEquals(error.cause, "two is not allowed");
 * }
 * ```
 */
export class TaskError<I = unknown> extends Error {
  /** Position of the input in the source, from 0. */
  readonly index: number;
  /** The input the task was given. */
  readonly input: I;
  /** How many attempts were made. */
  readonly attempts: number;
  /**
   * Errors of other tasks that failed while a fail-fast run was stopping,
   * other than echoes of the abort itself.
   */
  readonly suppressed: unknown[] = [];

  /**
   * Creates the error of a task that failed for good.
   *
   * @param index Position of the input in the source.
   * @param input The input the task was given.
   * @param attempts How many attempts were made.
   * @param cause What the last attempt threw.
   */
  constructor(index: number, input: I, attempts: number, cause: unknown) {
    super(
      `Task ${index} failed after ${attempts} attempt${
        attempts === 1 ? "" : "s"
      }: ${describeThrown(cause)}`,
      { cause },
    );
    this.name = "TaskError";
    this.index = index;
    this.input = input;
    this.attempts = attempts;
  }
}

/**
 * More tasks failed than the error budget (`maxFailures`) allows; the run
 * stopped as under fail-fast. `cause` is the failure that broke the budget.
 *
 * @example Catch a blown budget
 * ```ts
 * import { ErrorBudgetError, mapConcurrent } from "@poolflow/poolflow";
 * import { assert, assertEquals } from "@std/assert";
 *
 * const failed: number[] = [];
 * try {
 *   for await (const outcome of mapConcurrent([1, 2, 3, 4], (n) => {
 *     if (n % 2 === 0) throw new Error(`even ${n}`);
 *     return n;
 *   }, { concurrency: 1, onError: "continue", maxFailures: 1 })) {
 *     if (!outcome.ok) failed.push(outcome.input);
 *   }
 * } catch (error) {
 *   assert(error instanceof ErrorBudgetError);
 *   assertEquals(error.failures, 2);
 * }
 * assertEquals(failed, [2]);
 * ```
 */
export class ErrorBudgetError extends Error {
  /** The budget that was exceeded. */
  readonly maxFailures: number;
  /** How many tasks had failed when the run stopped. */
  readonly failures: number;

  /**
   * Creates the error of a run whose error budget ran out.
   *
   * @param maxFailures The budget that was exceeded.
   * @param failures How many tasks had failed.
   * @param cause The failure that exceeded the budget.
   */
  constructor(maxFailures: number, failures: number, cause: TaskError) {
    super(
      `Error budget exceeded: ${failures} task${
        failures === 1 ? "" : "s"
      } failed, more than maxFailures ${maxFailures}; last: ${cause.message}`,
      { cause },
    );
    this.name = "ErrorBudgetError";
    this.maxFailures = maxFailures;
    this.failures = failures;
  }
}

/**
 * The source iterable threw. This is not a task failure: tasks already
 * running finish and are reported, then the iteration throws this error
 * with what the source threw as `cause`.
 *
 * @example A failing source
 * ```ts
 * import { mapConcurrent, SourceError } from "@poolflow/poolflow";
 * import { assert, assertEquals } from "@std/assert";
 *
 * function* rows() {
 *   yield 1;
 *   throw new Error("disk gone");
 * }
 * const seen: number[] = [];
 * try {
 *   for await (const o of mapConcurrent(rows(), (n) => n)) {
 *     if (o.ok) seen.push(o.value);
 *   }
 * } catch (error) {
 *   assert(error instanceof SourceError);
 *   assertEquals(error.itemsRead, 1);
 * }
 * assertEquals(seen, [1]);
 * ```
 */
export class SourceError extends Error {
  /** How many items the source had yielded before it threw. */
  readonly itemsRead: number;

  /**
   * Creates the error of a source that threw.
   *
   * @param itemsRead Items read before the failure.
   * @param cause What the source threw.
   */
  constructor(itemsRead: number, cause: unknown) {
    super(
      `The source failed after ${itemsRead} item${
        itemsRead === 1 ? "" : "s"
      }: ${describeThrown(cause)}`,
      { cause },
    );
    this.name = "SourceError";
    this.itemsRead = itemsRead;
  }
}
