/**
 * `GET /metrics`: the runs' totals in the Prometheus text exposition
 * format (`text/plain; version=0.0.4`), read from a {@linkcode RunTotals}
 * on each scrape, so that a run pays nothing for being scraped and the
 * totals outlive the runs the registry forgets.
 *
 * The renderer is our own (about a hundred lines) rather than
 * `prom-client`: that library keeps its own counters, to be incremented
 * as things happen, and cannot be set from a snapshot (a counter only
 * goes up by `inc`, a histogram only by `observe`), so using it would mean
 * mirroring every count twice. The format itself is small and fixed.
 *
 * @module
 */

import type { Hono } from "npm:hono@4.13.19";
import type {
  LatencyTotals,
  RunTotals,
  TotalsSnapshot,
} from "../lib/telemetry/totals.ts";
import type { AppEnv } from "./context.ts";

/** The content type of the text exposition format, version 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly samples: readonly (readonly [suffix: string, Labels, number])[];
}

/**
 * Renders totals as Prometheus text: the metric families below, each with
 * its `# HELP` and `# TYPE`, label values escaped.
 *
 * - `poolflow_items_total{workflow,stage,outcome}`: items a stage
 *   finished, `outcome` `succeeded` or `failed` (after retries);
 * - `poolflow_retries_total{workflow,stage}`;
 * - `poolflow_source_items_total{workflow}`, `poolflow_source_invalid_total`,
 *   `poolflow_sink_items_total`, `poolflow_dead_letters_total`;
 * - `poolflow_runs_total{workflow,status}` (finished runs),
 *   `poolflow_runs_active{workflow}`;
 * - `poolflow_tasks_in_flight{workflow,stage}`,
 *   `poolflow_items_queued{workflow,stage}`;
 * - `poolflow_task_duration_seconds{workflow,stage,outcome}`: a histogram
 *   of timed attempts (`_bucket`, `_sum`, `_count`).
 *
 * @param totals The totals now.
 * @returns The exposition text.
 *
 * @example
 * ```ts
 * import { renderPrometheus } from "./metrics.ts";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const text = renderPrometheus({
 *   workflows: [],
 *   stages: [{ workflow: "w", stage: "s", succeeded: 3, failed: 1, out: 3, retried: 0, running: 0, queued: 0 }],
 *   latencies: [],
 * });
 * assertStringIncludes(text, 'poolflow_items_total{workflow="w",stage="s",outcome="failed"} 1');
 * ```
 */
export function renderPrometheus(totals: TotalsSnapshot): string {
  const families: Family[] = [];
  const stage = (s: { workflow: string; stage: string }) => ({
    workflow: s.workflow,
    stage: s.stage,
  });
  families.push({
    name: "poolflow_items_total",
    help:
      "Items a stage finished, by outcome (succeeded or failed, after retries)",
    type: "counter",
    samples: totals.stages.flatMap((s) => [
      ["", { ...stage(s), outcome: "succeeded" }, s.succeeded] as const,
      ["", { ...stage(s), outcome: "failed" }, s.failed] as const,
    ]),
  });
  families.push({
    name: "poolflow_retries_total",
    help: "Retries a stage scheduled",
    type: "counter",
    samples: totals.stages.map((s) => ["", stage(s), s.retried] as const),
  });
  const perWorkflow = (
    name: string,
    help: string,
    type: "counter" | "gauge",
    value: (w: TotalsSnapshot["workflows"][number]) => number,
  ) =>
    families.push({
      name,
      help,
      type,
      samples: totals.workflows.map((w) =>
        ["", { workflow: w.workflow }, value(w)] as const
      ),
    });
  perWorkflow(
    "poolflow_source_items_total",
    "Items read from sources, invalid records included",
    "counter",
    (w) => w.read,
  );
  perWorkflow(
    "poolflow_source_invalid_total",
    "Invalid records sources produced",
    "counter",
    (w) => w.invalid,
  );
  perWorkflow(
    "poolflow_sink_items_total",
    "Items written to sinks",
    "counter",
    (w) => w.written,
  );
  perWorkflow(
    "poolflow_dead_letters_total",
    "Items that failed for good anywhere in a run (the dead letters)",
    "counter",
    (w) => w.failed,
  );
  families.push({
    name: "poolflow_runs_total",
    help: "Finished runs, by status",
    type: "counter",
    samples: totals.workflows.flatMap((w) =>
      Object.entries(w.runs).map(([status, n]) =>
        ["", { workflow: w.workflow, status }, n] as const
      )
    ),
  });
  perWorkflow(
    "poolflow_runs_active",
    "Runs in progress now",
    "gauge",
    (w) => w.active,
  );
  families.push({
    name: "poolflow_tasks_in_flight",
    help: "Tasks running now",
    type: "gauge",
    samples: totals.stages.map((s) => ["", stage(s), s.running] as const),
  });
  families.push({
    name: "poolflow_items_queued",
    help: "Finished items waiting for the next stage now",
    type: "gauge",
    samples: totals.stages.map((s) => ["", stage(s), s.queued] as const),
  });
  families.push({
    name: "poolflow_task_duration_seconds",
    help:
      "Time of one attempt of a stage's function (timed attempts: the first 1024 items of a stage, then one in eight)",
    type: "histogram",
    samples: totals.latencies.flatMap(histogramSamples),
  });
  return families.map(renderFamily).join("");
}

function histogramSamples(
  h: LatencyTotals,
): (readonly [string, Labels, number])[] {
  const labels = { workflow: h.workflow, stage: h.stage, outcome: h.outcome };
  const samples: (readonly [string, Labels, number])[] = h.boundsMs.map((
    bound,
    i,
  ) =>
    [
      "_bucket",
      { ...labels, le: formatNumber(bound / 1000) },
      h.cumulative[i]!,
    ] as const
  );
  samples.push(["_bucket", { ...labels, le: "+Inf" }, h.count]);
  samples.push(["_sum", labels, h.sumMs / 1000]);
  samples.push(["_count", labels, h.count]);
  return samples;
}

function renderFamily(family: Family): string {
  let text = `# HELP ${family.name} ${escapeHelp(family.help)}\n` +
    `# TYPE ${family.name} ${family.type}\n`;
  for (const [suffix, labels, value] of family.samples) {
    const pairs = Object.entries(labels).map(([k, v]) =>
      `${k}="${escapeLabel(v)}"`
    );
    text += `${family.name}${suffix}${
      pairs.length ? `{${pairs.join(",")}}` : ""
    } ${formatNumber(value)}\n`;
  }
  return text;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(
    /"/g,
    '\\"',
  );
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

/**
 * Adds `GET /metrics` to the app (after the token check, like every data
 * endpoint).
 *
 * @param app The app.
 * @param totals What the runs counted.
 */
export function addMetricsRoute(app: Hono<AppEnv>, totals: RunTotals): void {
  app.get("/metrics", (c) =>
    c.body(renderPrometheus(totals.snapshot()), 200, {
      "Content-Type": PROMETHEUS_CONTENT_TYPE,
    }));
}
