/**
 * How a run's ending is told: its status and the error worth reporting.
 *
 * @module
 */

import {
  describeThrown,
  ErrorBudgetError,
  SourceError,
  TaskError,
} from "../policy/errors.ts";
import type { RunStatus } from "./stats.ts";

/** What decides a run's status. */
export interface Ending {
  /** The error that ended it, if any (after {@linkcode rootCause}). */
  readonly error: unknown;
  /** Whether `abort()` or the run's signal ended it. */
  readonly aborted: boolean;
  /** Whether `stop()` ended it before the source was read to its end. */
  readonly stoppedEarly: boolean;
  /** Failed items, this attempt and (when resumed) the earlier ones. */
  readonly failed: number;
}

/** The status of a run that ended so. */
export function statusOf(ending: Ending): RunStatus {
  if (ending.error !== undefined) return ending.aborted ? "aborted" : "failed";
  if (ending.stoppedEarly) return "stopped";
  return ending.failed > 0 ? "completed-with-failures" : "succeeded";
}

/**
 * A stage's failure reaches the sink through the stages after it, each of
 * which sees it as its source failing; the run reports the original.
 */
export function rootCause(error: unknown): unknown {
  while (
    error instanceof SourceError &&
    (error.cause instanceof TaskError ||
      error.cause instanceof ErrorBudgetError ||
      error.cause instanceof SourceError)
  ) {
    error = error.cause;
  }
  return error;
}

/** An error as the summary shows it. */
export function errorInfo(
  error: unknown,
): { name: string; message: string; code?: string } {
  if (error instanceof Error || error instanceof DOMException) {
    // Adapters branch on a library error's `code`, never on its words.
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  return { name: "Error", message: describeThrown(error) };
}
