/**
 * The fingerprint of a workflow as a worker must serve it: its name, its
 * parameter values, its stages' names, kinds and code, and optionally the
 * workflow file's text. Coordinator and workers compute it the same way;
 * a worker refuses the jobs of a run whose fingerprint is not its own.
 *
 * @module
 */

import type { WorkflowPlan } from "../workflow/plan.ts";

/**
 * Computes a plan's fingerprint.
 *
 * @param plan The workflow as planned with its parameters.
 * @param fileText The workflow file's text, when there is one.
 * @returns A hex digest (16 characters).
 *
 * @example Same workflow, same fingerprint; other params, another
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow } from "@poolflow/poolflow";
 * import { planFingerprint } from "@poolflow/poolflow/distributed";
 * import { assert, assertEquals } from "@std/assert";
 *
 * const workflow = defineWorkflow({
 *   name: "w",
 *   params: { factor: { type: "number", default: 2 } },
 *   source: fromIterable([1]),
 *   pipeline: (rows, p) => rows.map("scale", (n) => n * p.factor),
 * });
 * const a = await planFingerprint(planWorkflow(workflow));
 * assertEquals(a, await planFingerprint(planWorkflow(workflow)));
 * assert(a !== await planFingerprint(planWorkflow(workflow, { params: { factor: 3 } })));
 * ```
 */
export async function planFingerprint(
  plan: WorkflowPlan,
  fileText?: string,
): Promise<string> {
  const params = Object.keys(plan.params).sort().map((key) => [
    key,
    plan.params[key],
  ]);
  const stages = plan.stages.map((stage) => [
    stage.spec.name,
    stage.spec.kind,
    typeof stage.spec.fn === "function" ? String(stage.spec.fn) : "",
  ]);
  const text = JSON.stringify([plan.name, params, stages, fileText ?? null]);
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest).slice(0, 8),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
}
