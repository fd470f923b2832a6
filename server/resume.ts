/**
 * Resumes on the server: what identifies a durable run's outputs, refused
 * resumes in the API's words, and the check a resume passes before it
 * takes a run slot.
 *
 * @module
 */

import type { CheckpointStore, ResumeErrorCode } from "../lib/durable/store.ts";
import type { Sink } from "../lib/io/types.ts";
import type { RunSummary } from "../lib/workflow/stats.ts";
import type { WorkflowPlan } from "../lib/workflow/plan.ts";
import { ApiError, redactPaths } from "./errors.ts";

/**
 * What identifies the outputs of a durable run (as its checkpoints do).
 *
 * @param plan The run's plan.
 * @returns Its scope.
 *
 * @example
 * ```ts ignore
 * const scope = scopeOf(plan); // '["files","jsonl:out/a.jsonl",null]'
 * ```
 */
export function scopeOf(plan: WorkflowPlan): string {
  const where = (sink: Sink<never> | undefined) =>
    sink ? `${sink.kind}:${sink.location}` : null;
  return JSON.stringify([plan.name, where(plan.sink), where(plan.deadLetter)]);
}

/** Which runs are durable, in the API's words: their sinks say so. */
export const SINKS_THAT_RESUME =
  "only runs whose sinks keep checkpoints (toJsonl, toCsv or toJson writing to a file, or no sink) are durable";

/** What to do about a refused resume, in the API's words, by code. */
const RESUME_ADVICE: Readonly<Record<ResumeErrorCode, string>> = {
  resume_nothing: ': start it without "resume"',
  resume_finished: ': start it without "resume" to run it again',
  resume_workflow_changed: '; send "force": true to resume anyway',
  resume_input_changed: '; send "force": true to resume anyway',
  resume_sink_not_durable: `; ${SINKS_THAT_RESUME}`,
  resume_output_shorter:
    '; put the file back and resume again, or start it without "resume"',
  resume_store_damaged: ': start it without "resume"',
  resume_store_missing: ': start it without "resume"',
  resume_still_running: ": wait for it to end, or cancel it, before resuming",
};

/**
 * Whether a run's error is a refused resume, by its code.
 *
 * @param error A finished run's error.
 * @returns Whether it is a refused resume.
 *
 * @example
 * ```ts ignore
 * if (isRefusedResume(summary.error)) throw new ApiError(409, "conflict", resumeMessage(summary.error));
 * ```
 */
export function isRefusedResume(
  error: RunSummary["error"],
): error is { name: string; message: string; code: ResumeErrorCode } {
  return error?.code !== undefined && Object.hasOwn(RESUME_ADVICE, error.code);
}

/**
 * A refused resume in the API's words, without file paths.
 *
 * @param error The refusal.
 * @returns The message for the client.
 *
 * @example
 * ```ts ignore
 * resumeMessage({ code: "resume_nothing", message: "No checkpoint to resume" });
 * // 'No checkpoint to resume: start it without "resume"'
 * ```
 */
export function resumeMessage(
  error: { readonly message: string; readonly code: ResumeErrorCode },
): string {
  return `${redactPaths(error.message)}${RESUME_ADVICE[error.code]}`;
}

/**
 * Refuses a resume that cannot begin whatever the server's load: nothing
 * checkpointed for these outputs, or the last run finished. Asked before
 * the run limit, so that such a request is told why it is wrong (409)
 * rather than to retry (429). The run checks again, and also whether the
 * workflow or input changed, once it has a slot.
 *
 * @param store The server's checkpoints.
 * @param plan The run's plan.
 * @param name The workflow's registered name.
 * @throws {ApiError} 409 with the reason.
 *
 * @example
 * ```ts ignore
 * await checkResumeBeforeStart(store, plan, "files");
 * ```
 */
export async function checkResumeBeforeStart(
  store: CheckpointStore,
  plan: WorkflowPlan,
  name: string,
): Promise<void> {
  const latest = await store.latest(scopeOf(plan));
  if (latest !== undefined && latest.status !== "finished") return;
  const where = `workflow "${name}"${
    plan.sink ? ` writing to ${plan.sink.location}` : ""
  }`;
  const refusal = latest === undefined
    ? {
      code: "resume_nothing" as const,
      message: `No checkpoint to resume for ${where}`,
    }
    : {
      code: "resume_finished" as const,
      message: `Run ${latest.runId} of ${where} already finished`,
    };
  throw new ApiError(409, "conflict", resumeMessage(refusal), {
    field: "resume",
  });
}
