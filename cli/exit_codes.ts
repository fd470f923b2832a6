/**
 * The CLI's exit codes, and how a run's status maps to one.
 *
 * @module
 */

import type { RunStatus } from "../lib/workflow/stats.ts";
import type { StopSignal } from "./signals.ts";

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
  /**
   * `init` cannot create a file: it exists (nothing is overwritten) or
   * cannot be written (BSD's `EX_CANTCREAT`).
   */
  CannotCreate: 73,
  /**
   * A crash: an uncaught error or an unhandled rejection (a stage that
   * forgot an `await`), or a bug of poolflow's own (BSD's `EX_SOFTWARE`).
   * Not 1, which means "finished, some items failed".
   */
  Crashed: 70,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  Interrupted: 130,
  /** Terminated by SIGTERM (128 + 15), as by `docker stop` or systemd. */
  Terminated: 143,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/**
 * The exit code for a run that ended with `status`.
 *
 * @param status How the run ended.
 * @param signal The signal that stopped or aborted it, if one did.
 * @returns `0` succeeded, `1` completed with failures, `2` failed; for any
 * other ending after a signal, `130` (SIGINT) or `143` (SIGTERM).
 *
 * @example Map statuses
 * ```ts
 * import { exitCodeFor } from "./exit_codes.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(exitCodeFor("succeeded", undefined), 0);
 * assertEquals(exitCodeFor("completed-with-failures", undefined), 1);
 * assertEquals(exitCodeFor("failed", undefined), 2);
 * assertEquals(exitCodeFor("stopped", "SIGINT"), 130);
 * assertEquals(exitCodeFor("aborted", "SIGTERM"), 143);
 * ```
 */
export function exitCodeFor(
  status: RunStatus,
  signal: StopSignal | undefined,
): ExitCode {
  switch (status) {
    case "succeeded":
      return ExitCode.Ok;
    case "completed-with-failures":
      return ExitCode.ItemsFailed;
    // Only a signal stops or aborts a CLI run; without one, treat them as failures.
    case "failed":
    case "stopped":
    case "aborted":
      return signal === "SIGTERM"
        ? ExitCode.Terminated
        : signal === "SIGINT"
        ? ExitCode.Interrupted
        : ExitCode.RunFailed;
  }
}
