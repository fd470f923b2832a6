/**
 * The errors of task pools: new work refused, and the failures nobody saw.
 *
 * @module
 */

import { describeThrown, type TaskError } from "../policy/errors.ts";

/** Why a pool refused new work: the `code` of a {@linkcode PoolRefusedError}. */
export type PoolRefusedCode = "pool_closed" | "pool_locked";

/**
 * A pool refused to start new work because it is closed or locked. A
 * `TypeError`, as starting work on a closed pool always was; branch on
 * `code`.
 *
 * @example Refused while locked
 * ```ts
 * import { PoolRefusedError, TaskPool } from "@poolflow/poolflow";
 * import { assertEquals, assertInstanceOf } from "@std/assert";
 *
 * const pool = new TaskPool();
 * pool.lock();
 * try {
 *   pool.map((n: number) => n, [1]);
 * } catch (error) {
 *   assertInstanceOf(error, PoolRefusedError);
 *   assertEquals(error.code, "pool_locked");
 * }
 * pool.unlock();
 * await pool.close();
 * ```
 */
export class PoolRefusedError extends TypeError {
  /** `"pool_closed"` or `"pool_locked"`. */
  readonly code: PoolRefusedCode;

  /**
   * Creates the error.
   *
   * @param code Why work was refused.
   * @param what What was refused, such as `"a task group"`.
   */
  constructor(code: PoolRefusedCode, what: string) {
    super(
      code === "pool_closed"
        ? `Cannot start ${what}: the pool is closed`
        : `Cannot start ${what}: the pool is locked; call unlock() to allow new work`,
    );
    this.name = "PoolRefusedError";
    this.code = code;
  }
}

/** Failures kept in full by a {@linkcode TaskPoolError}; the rest are counted. */
export const KEPT_FAILURES = 100;

/**
 * What `close()` and `flush()` throw when work they awaited failed: the
 * errors that stopped groups (fail-fast `TaskError`s, `ErrorBudgetError`s,
 * source errors, throwing callbacks) and every task failure that reached
 * nobody, neither an `onEnd` callback nor a `results()` reader. A failure
 * the caller has seen is not reported twice. Up to 100 failures are kept
 * in `errors`; `failures` counts them all.
 *
 * @example A failed task nobody looked at
 * ```ts
 * import { TaskPool, TaskPoolError } from "@poolflow/poolflow";
 * import { assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
 *
 * const pool = new TaskPool();
 * pool.map((n: number) => {
 *   if (n === 2) throw new Error("two");
 *   return n;
 * }, [1, 2, 3], { group: "nums" });
 * const error = await assertRejects(() => pool.close(), TaskPoolError);
 * assertEquals(error.code, "task_failures");
 * assertEquals(error.failures, 1);
 * assertEquals(error.message, 'Task group "nums": 1 task failed: input 1 (Error: two)');
 * ```
 */
export class TaskPoolError extends AggregateError {
  /** Always `"task_failures"`. */
  readonly code = "task_failures" as const;
  /** Failures in all, including those not kept in `errors`. */
  readonly failures: number;

  /**
   * Creates the error.
   *
   * @param errors The group errors, then the unreported task failures.
   * @param failures How many failures there were in all.
   * @param message The summary.
   */
  constructor(errors: readonly unknown[], failures: number, message: string) {
    super(errors, message);
    this.name = "TaskPoolError";
    this.failures = failures;
  }
}

/** What a group hands its pool when it is forgotten. */
export interface GroupReport {
  /** The group's id. */
  readonly id: string;
  /** What the message calls it; defaults to `Task group "<id>"`. */
  readonly label?: string;
  /** The error that stopped the group, then what its callbacks threw. */
  readonly errors: readonly unknown[];
  /** Task failures nobody saw (at most {@linkcode KEPT_FAILURES}). */
  readonly unreported: readonly TaskError[];
  /** How many task failures nobody saw, in all. */
  readonly unreportedCount: number;
}

/**
 * Sums up the reports of forgotten groups.
 *
 * @param reports One per group.
 * @returns The error to throw, or `undefined` if nothing failed unseen.
 */
export function summarize(
  reports: readonly GroupReport[],
): TaskPoolError | undefined {
  const errors: unknown[] = [];
  const parts: string[] = [];
  let failures = 0;
  for (const report of reports) {
    const said: string[] = [];
    if (report.errors.length > 0) {
      errors.push(...report.errors);
      failures += report.errors.length;
      said.push(`failed with ${describeThrown(report.errors[0])}`);
    }
    if (report.unreportedCount > 0) {
      const room = KEPT_FAILURES - errors.length;
      errors.push(...report.unreported.slice(0, Math.max(0, room)));
      failures += report.unreportedCount;
      const shown = report.unreported.slice(0, 3).map((e) =>
        `input ${e.index} (${describeThrown(e.cause)})`
      );
      const more = report.unreportedCount - shown.length;
      said.push(
        `${report.unreportedCount} task${
          report.unreportedCount === 1 ? "" : "s"
        } failed: ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`,
      );
    }
    if (said.length > 0) {
      const label = report.label ?? `Task group "${report.id}"`;
      parts.push(`${label}: ${said.join("; ")}`);
    }
  }
  if (parts.length === 0) return undefined;
  return new TaskPoolError(errors, failures, parts.join(". "));
}
