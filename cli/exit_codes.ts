/**
 * The CLI's exit codes, and how a run's status maps to one.
 *
 * @module
 */

import type { RunStatus } from "../lib/workflow/stats.ts";

/** Exit codes of `poolflow`. */
export const ExitCode = {
  /** Every item went through (status `succeeded`), or `--help`, `--version`, `--dry-run`. */
  Ok: 0,
  /** The run finished under `continue`, but some items failed. */
  ItemsFailed: 1,
  /** The run failed: a fail-fast failure, a blown error budget, a source or sink error. */
  RunFailed: 2,
  /** A wrong command line or workflow file (BSD's `EX_USAGE`). */
  Usage: 64,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  Interrupted: 130,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/**
 * The exit code for a run that ended with `status`.
 *
 * @param status How the run ended.
 * @param interrupted Whether Ctrl-C stopped or aborted it.
 * @returns `0` succeeded, `1` completed with failures, `2` failed; `130`
 * for any other ending after an interrupt.
 *
 * @example Map statuses
 * ```ts
 * import { exitCodeFor } from "./exit_codes.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(exitCodeFor("succeeded", false), 0);
 * assertEquals(exitCodeFor("completed-with-failures", false), 1);
 * assertEquals(exitCodeFor("failed", false), 2);
 * assertEquals(exitCodeFor("stopped", true), 130);
 * ```
 */
export function exitCodeFor(status: RunStatus, interrupted: boolean): ExitCode {
  switch (status) {
    case "succeeded":
      return ExitCode.Ok;
    case "completed-with-failures":
      return ExitCode.ItemsFailed;
    // Only Ctrl-C stops or aborts a CLI run; without it, treat them as failures.
    case "failed":
    case "stopped":
    case "aborted":
      return interrupted ? ExitCode.Interrupted : ExitCode.RunFailed;
  }
}
