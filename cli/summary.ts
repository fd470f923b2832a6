/**
 * The table printed when a run ends: done (and what a resumed run
 * skipped), failed, retried, wall time, throughput, latency percentiles per
 * stage, where the outputs and the checkpoint went, and the status with its
 * exit code.
 *
 * @module
 */

import type { RunSummary } from "../mod.ts";
import type { StopSignal } from "./signals.ts";
import {
  formatCount,
  formatDuration,
  formatLatency,
  formatRate,
  table,
} from "./format.ts";

/** Options of {@linkcode formatSummary}. */
export interface SummaryOptions {
  /** The workflow file, as given. */
  readonly file?: string | undefined;
  /** The exit code the CLI ends with. */
  readonly exitCode: number;
  /** Whether Ctrl-C or SIGTERM stopped or aborted the run. */
  readonly interrupted: boolean;
  /** The signal that stopped it, when not Ctrl-C: named in the status. */
  readonly signal?: StopSignal | undefined;
  /** The checkpoint file of a durable run. */
  readonly checkpoint?: string | undefined;
}

/** Endings that leave a durable run to resume. */
const UNFINISHED: ReadonlySet<string> = new Set([
  "stopped",
  "aborted",
  "failed",
]);

/**
 * The summary as text for people.
 *
 * @param summary What `RunHandle.done` resolved to.
 * @param options The file, the exit code and whether it was interrupted.
 * @returns Lines joined by newlines, ending with one.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./summary.ts";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const text = formatSummary({
 *   runId: "r", workflow: "etl", status: "completed-with-failures",
 *   startedAt: 0, finishedAt: 2500, wallMs: 2500, read: 10, written: 9,
 *   failed: 1, retried: 3, throughput: 4, stages: [],
 *   outputs: { sink: "out.jsonl", deadLetter: "failed.jsonl" },
 * }, { file: "etl.ts", exitCode: 1, interrupted: false });
 * assertStringIncludes(text, "done         9 written of 10 read");
 * assertStringIncludes(text, "dead letter  failed.jsonl");
 * assertStringIncludes(text, "status       completed-with-failures (exit code 1)");
 * ```
 */
export function formatSummary(
  summary: RunSummary,
  options: SummaryOptions,
): string {
  const lines: string[] = [
    `Summary of "${summary.workflow}"${
      options.file ? ` (${options.file})` : ""
    }`,
  ];
  const facts: [string, string][] = [
    [
      "done",
      `${formatCount(summary.written)} written of ${
        formatCount(summary.read)
      } read`,
    ],
    ["failed", formatCount(summary.failed)],
    ["retried", formatCount(summary.retried)],
    ["wall time", formatDuration(summary.wallMs)],
    ["throughput", formatRate(summary.throughput, "items")],
  ];
  if (summary.resumed) {
    const { runId, skipped } = summary.resumed;
    facts.splice(1, 0, [
      "",
      `resumed run ${runId}: ${formatCount(skipped)} ${
        skipped === 1
          ? "item already done was skipped"
          : "items already done were skipped"
      }`,
    ]);
  }
  lines.push(...labelled(facts));

  if (summary.stages.length > 0) {
    lines.push("");
    const header = [
      "stage",
      "kind",
      "in",
      "out",
      "failed",
      "retried",
      "p50",
      "p95",
      "p99",
    ];
    const rows = summary.stages.map((stage) => [
      stage.name,
      stage.kind,
      formatCount(stage.in),
      formatCount(stage.out),
      formatCount(stage.failed),
      formatCount(stage.retried),
      formatLatency(stage.latency.p50),
      formatLatency(stage.latency.p95),
      formatLatency(stage.latency.p99),
    ]);
    lines.push(
      ...table([header, ...rows], [2, 3, 4, 5, 6, 7, 8]).map((l) => `  ${l}`),
    );
  }

  lines.push("");
  const outputs: [string, string][] = [
    ["output", summary.outputs.sink ?? "none (results counted, not kept)"],
    [
      "dead letter",
      summary.outputs.deadLetter ??
        (summary.failed > 0 ? "none (failed items counted, not kept)" : "none"),
    ],
  ];
  if (options.checkpoint !== undefined) {
    outputs.push([
      "checkpoint",
      UNFINISHED.has(summary.status) &&
        summary.error?.code !== "checkpoint_store_failed"
        ? `${options.checkpoint} (continue this run with --resume)`
        : options.checkpoint,
    ]);
  }
  if (summary.error) {
    outputs.push([
      "error",
      `${summary.error.name}: ${summary.error.message.split("\n")[0]}`,
    ]);
  }
  const by = options.signal === "SIGTERM" ? " by SIGTERM" : "";
  const status = options.interrupted
    ? `${summary.status}, interrupted${by} (exit code ${options.exitCode})`
    : `${summary.status} (exit code ${options.exitCode})`;
  outputs.push(["status", status]);
  lines.push(...labelled(outputs));
  return `${lines.join("\n")}\n`;
}

/** Label-value lines, the values lined up in one column across blocks. */
function labelled(rows: readonly (readonly [string, string])[]): string[] {
  return rows.map(([label, value]) => `  ${label.padEnd(11)}  ${value}`);
}
