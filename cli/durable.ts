/**
 * Durable runs from the command line: a run whose outputs are files keeps
 * checkpoints in a SQLite file (`.poolflow/checkpoints.db` by default), so
 * `--resume` continues it after Ctrl-C, SIGTERM or a crash. Other outputs
 * (stdout, memory) cannot resume: such a run is not durable, and
 * `--resume` with them is a usage error.
 *
 * @module
 */

import type {
  DurableOptions,
  ResumeErrorCode,
  RunSummary,
  Sink,
  WorkflowPlan,
} from "../mod.ts";
import { unresumableOutput, workflowFileFingerprint } from "../host/resume.ts";
import type { CliArgs } from "./args.ts";
import { UsageError } from "./errors.ts";

/** Where checkpoints go unless `--checkpoint` says otherwise, under the working folder. */
export const DEFAULT_CHECKPOINT = ".poolflow/checkpoints.db";

/** A durable run as the command line sets it up. */
export interface CliDurable {
  /** The checkpoint file, as given or the default. */
  readonly path: string;
  /** For `RunOptions.durable`. */
  readonly options: DurableOptions;
}

/**
 * The durable options of a run, or `undefined` for a run without
 * checkpoints: with `--no-checkpoint`, or silently when an output cannot
 * resume (unless `--resume` asks for it).
 *
 * @param plan The checked plan, with `--out` applied.
 * @param args The parsed command line.
 * @param url The workflow file, whose text is fingerprinted so that an
 * edited file is not resumed by mistake.
 * @returns The checkpoint file and the options, or `undefined`.
 * @throws {UsageError} With `--resume`, if the sink or dead-letter sink
 * cannot resume; if the checkpoint file's folder may not be read and
 * written.
 */
export async function durableFor(
  plan: Pick<WorkflowPlan, "sink" | "deadLetter">,
  args: Pick<CliArgs, "checkpoints" | "checkpoint" | "resume" | "force">,
  url: URL,
): Promise<CliDurable | undefined> {
  if (!args.checkpoints) return undefined;
  const unresumable = unresumableOutput(plan);
  if (unresumable !== undefined) {
    if (!args.resume) return undefined;
    throw new UsageError(
      `Cannot --resume: the ${unresumable.role} ${
        describeSink(unresumable.sink)
      } cannot resume; write to a .jsonl, .csv or .json file instead (such as --out results.jsonl)`,
    );
  }
  const path = args.checkpoint ?? DEFAULT_CHECKPOINT;
  checkAllowed(path);
  return {
    path,
    options: {
      store: path,
      resume: args.resume,
      force: args.force,
      workflowFingerprint: await workflowFileFingerprint(url),
    },
  };
}

/** What to do about a refused resume, in the command line's words, by code. */
const RESUME_ADVICE: Readonly<Record<ResumeErrorCode, string>> = {
  resume_nothing: ": run it without --resume",
  resume_finished: ": run it without --resume to start again",
  resume_workflow_changed: "; pass --force to resume anyway",
  resume_input_changed: "; pass --force to resume anyway",
  resume_sink_not_durable:
    "; write to a .jsonl, .csv or .json file (such as --out results.jsonl), or run with --no-checkpoint",
  resume_output_shorter:
    "; put the file back and --resume again, or run without --resume to start over (every item is done again)",
  resume_store_damaged:
    ". Restore the checkpoint file and its -wal file from a backup and --resume again; or pass --force to resume from its last intact checkpoint (items done after it are done again); or run without --resume to start over (every item is done again)",
  resume_store_missing:
    ". Put the checkpoint file back (the -wal file alone cannot be read) and --resume again; or run without --resume to start over (every item is done again)",
  resume_still_running: ": wait for it to end, or stop it, before resuming",
};

/**
 * Whether a run's error is a refused resume: its `code` is one of
 * `ResumeError`'s.
 *
 * @param error The summary's error, if any.
 * @returns Whether it is a refused resume.
 *
 * @example
 * ```ts
 * import { isRefusedResume } from "./durable.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(isRefusedResume({ name: "ResumeError", message: "", code: "resume_nothing" }), true);
 * assertEquals(isRefusedResume({ name: "Error", message: "", code: "ENOENT" }), false);
 * ```
 */
export function isRefusedResume(
  error: RunSummary["error"],
): error is { name: string; message: string; code: ResumeErrorCode } {
  return error?.code !== undefined && Object.hasOwn(RESUME_ADVICE, error.code);
}

/**
 * A refused resume in the command line's words: the library says what is
 * wrong, the CLI adds what to do by the error's `code`.
 *
 * @param error The error's message and code.
 * @returns The message with what to do, in flags.
 *
 * @example
 * ```ts
 * import { resumeMessage } from "./durable.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   resumeMessage({ message: "The input rows.csv changed", code: "resume_input_changed" }),
 *   "The input rows.csv changed; pass --force to resume anyway",
 * );
 * ```
 */
export function resumeMessage(
  error: { readonly message: string; readonly code: ResumeErrorCode },
): string {
  return `${error.message}${RESUME_ADVICE[error.code]}`;
}

/** SQLite writes files next to the checkpoint file: its folder must be writable. */
function checkAllowed(path: string): void {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const folder = cut === -1 ? "." : path.slice(0, cut) || "/";
  for (const name of ["read", "write"] as const) {
    if (
      Deno.permissions.querySync({ name, path: folder }).state === "granted"
    ) {
      continue;
    }
    throw new UsageError(
      `Cannot keep checkpoints in "${path}": allow it with --allow-${name}=${folder}, or run with --no-checkpoint`,
    );
  }
}

function describeSink(sink: Sink<never>): string {
  if (sink.location === "-") return `"-" (stdout)`;
  return `"${sink.location}" (${sink.kind})`;
}
