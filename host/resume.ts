/**
 * Resume decisions both adapters make the same way: which outputs of a
 * plan can take part in a durable run (each sink says so itself, with
 * `Sink.resumable`), and the fingerprint of a workflow file, so that an
 * edited file is not resumed by mistake. The wording of a refusal stays
 * with each adapter.
 *
 * @module
 */

import type { Sink } from "../lib/io/types.ts";
import { sha256Hex } from "../lib/units/sha256.ts";
import type { WorkflowPlan } from "../lib/workflow/plan.ts";

/**
 * Whether a sink can take part in a durable run: none at all, or one that
 * declares itself `resumable` (`toJsonl`, `toCsv` and `toJson` writing to
 * a file).
 *
 * @param sink The sink, if any.
 * @returns Whether it can resume.
 *
 * @example
 * ```ts
 * import { canResume } from "./resume.ts";
 * import { toJsonl, toStdout } from "../mod.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(canResume(toJsonl("out.jsonl")), true);
 * assertEquals(canResume(toJsonl("-")), false);
 * assertEquals(canResume(toStdout()), false);
 * assertEquals(canResume(undefined), true);
 * ```
 */
export function canResume(sink: Sink<never> | undefined): boolean {
  return sink === undefined || sink.resumable === true;
}

/** An output of a plan that cannot resume, and its role for messages. */
export interface UnresumableOutput {
  /** `"sink"` or `"dead-letter sink"`. */
  readonly role: "sink" | "dead-letter sink";
  /** The sink. */
  readonly sink: Sink<never>;
}

/**
 * The first output of a plan that cannot resume, if any: a run with one
 * keeps no checkpoints, and a resume of it is refused.
 *
 * @param plan The plan's sink and dead-letter sink.
 * @returns The output that cannot resume, or `undefined` if all can.
 *
 * @example
 * ```ts
 * import { unresumableOutput } from "./resume.ts";
 * import { collect, toJsonl } from "../mod.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(unresumableOutput({ sink: toJsonl("out.jsonl"), deadLetter: undefined }), undefined);
 * assertEquals(
 *   unresumableOutput({ sink: toJsonl("out.jsonl"), deadLetter: collect() })?.role,
 *   "dead-letter sink",
 * );
 * ```
 */
export function unresumableOutput(
  plan: Pick<WorkflowPlan, "sink" | "deadLetter">,
): UnresumableOutput | undefined {
  const outputs = [
    ["sink", plan.sink],
    ["dead-letter sink", plan.deadLetter],
  ] as const;
  for (const [role, sink] of outputs) {
    if (!canResume(sink)) return { role, sink: sink! };
  }
  return undefined;
}

/**
 * The fingerprint of a workflow file: the SHA-256 of its text, in hex. A
 * durable run records it and refuses to resume over another.
 *
 * @param url The file.
 * @returns The digest in hex.
 *
 * @example
 * ```ts
 * import { workflowFileFingerprint } from "./resume.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const path = await Deno.makeTempFile({ suffix: ".ts" });
 * try {
 *   await Deno.writeTextFile(path, "abc");
 *   assertEquals(
 *     await workflowFileFingerprint(new URL(`file://${path}`)),
 *     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 *   );
 * } finally {
 *   await Deno.remove(path);
 * }
 * ```
 */
export async function workflowFileFingerprint(url: URL): Promise<string> {
  return await sha256Hex(await Deno.readFile(url));
}
