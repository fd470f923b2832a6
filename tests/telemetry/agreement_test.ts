/**
 * One run's numbers agree across its summary (`GET /runs/:id`), `GET
 * /metrics`, the OpenTelemetry export (in-memory) and the run page's data
 * (`GET /runs/:id/dashboard`), all read from the HTTP runner with
 * OpenTelemetry on.
 */

import { assertEquals } from "@std/assert";
import type { Histogram } from "@opentelemetry/sdk-metrics";
import { startRun, testServer, waitFinished } from "../server/_helpers.ts";
import { inMemoryOtel, valueOf } from "./_otel.ts";

function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

interface PageData {
  stats: {
    written: number;
    deadLetters: number;
    read: number;
    stages: { name: string; in: number; failed: number }[];
  };
  series: { points: { written: number; failed: number }[] };
  latency: {
    stage: string;
    count: number;
    errors: number;
    sumMs: number;
    counts: number[];
  }[];
}

Deno.test("summary, /metrics, the OpenTelemetry export and the run page show the same counts for a run", async () => {
  await using otel = inMemoryOtel();
  await using test = testServer({
    otel: {
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
      traceTasks: "all",
    },
  });
  const { id } = await startRun(test, {
    workflow: "squares",
    params: { n: 8 },
  });
  const run = await waitFinished(test, id);
  const summary = run.summary as {
    status: string;
    read: number;
    written: number;
    failed: number;
    retried: number;
    stages: { name: string; in: number; failed: number; retried: number }[];
  };
  const stage = summary.stages[0]!;
  const m = samples(await (await test.request("/metrics")).text());
  const page = await (await test.request(`/runs/${id}/dashboard`))
    .json() as PageData;
  const pageStage = page.stats.stages[0]!;
  const pageLatency = page.latency.find((l) => l.stage === "square")!;
  const lastPoint = page.series.points.at(-1)!;
  const points = await otel.points();
  const spans = await otel.spans();
  const where = { "poolflow.workflow": "squares", "poolflow.stage": "square" };
  const label = 'workflow="squares",stage="square"';

  const failed = [
    stage.failed,
    m.get(`poolflow_items_total{${label},outcome="failed"}`),
    valueOf(points, "poolflow.stage.items", {
      ...where,
      "poolflow.outcome": "failed",
    }),
    spans.find((s) => s.name === "poolflow.stage square")
      ?.attributes["poolflow.items.failed"],
    pageStage.failed,
    page.stats.deadLetters,
    lastPoint.failed,
  ];
  assertEquals(failed, [1, 1, 1, 1, 1, 1, 1]);
  const succeeded = [
    stage.in - stage.failed,
    m.get(`poolflow_items_total{${label},outcome="succeeded"}`),
    valueOf(points, "poolflow.stage.items", {
      ...where,
      "poolflow.outcome": "succeeded",
    }),
    spans.filter((s) =>
      s.name === "poolflow.task square" &&
      s.attributes["poolflow.outcome"] === "ok"
    ).length,
    pageStage.in - pageStage.failed,
  ];
  assertEquals(succeeded, [7, 7, 7, 7, 7]);
  assertEquals([
    summary.written,
    m.get('poolflow_sink_items_total{workflow="squares"}'),
    valueOf(points, "poolflow.sink.items", { "poolflow.workflow": "squares" }),
    spans.find((s) => s.name === "poolflow.run squares")
      ?.attributes["poolflow.items.written"],
    page.stats.written,
    lastPoint.written,
  ], [7, 7, 7, 7, 7, 7]);
  assertEquals([
    summary.read,
    m.get('poolflow_source_items_total{workflow="squares"}'),
    valueOf(points, "poolflow.source.items", {
      "poolflow.workflow": "squares",
    }),
    page.stats.read,
  ], [8, 8, 8, 8]);
  assertEquals([
    1,
    m.get(`poolflow_runs_total{workflow="squares",status="${summary.status}"}`),
    valueOf(points, "poolflow.runs", {
      "poolflow.workflow": "squares",
      "poolflow.run.status": summary.status,
    }),
  ], [1, 1, 1]);
  const histogram = valueOf(points, "poolflow.task.duration", {
    ...where,
    "poolflow.outcome": "ok",
  }) as Histogram;
  assertEquals(
    [
      m.get(`poolflow_task_duration_seconds_count{${label},outcome="ok"}`),
      histogram.count,
      pageLatency.count - pageLatency.errors,
    ],
    [7, 7, 7],
  );
  // Every attempt, ok or not: the page's histogram holds both outcomes.
  const errorCount = m.get(
    `poolflow_task_duration_seconds_count{${label},outcome="error"}`,
  )!;
  assertEquals([pageLatency.errors, pageLatency.count], [
    errorCount,
    7 + errorCount,
  ]);
  assertEquals(
    pageLatency.counts.reduce((a, b) => a + b, 0),
    pageLatency.count,
  );
  const promSum = m.get(
    `poolflow_task_duration_seconds_sum{${label},outcome="ok"}`,
  )!;
  assertEquals(Math.abs(promSum - (histogram.sum ?? 0)) < 1e-9, true);
  const promErrorSum = m.get(
    `poolflow_task_duration_seconds_sum{${label},outcome="error"}`,
  )!;
  assertEquals(
    Math.abs((promSum + promErrorSum) * 1000 - pageLatency.sumMs) < 1e-6,
    true,
  );
});
