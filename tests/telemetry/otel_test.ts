/**
 * `Telemetry`: a run's spans and metrics as an OpenTelemetry SDK receives
 * them (in-memory exporters), with the run's own summary as the reference.
 */

import { assert, assertEquals, assertLessOrEqual } from "@std/assert";
import { SpanStatusCode } from "@opentelemetry/api";
import type { Histogram } from "@opentelemetry/sdk-metrics";
import { defineWorkflow, planWorkflow, range } from "@poolflow/poolflow";
import { Telemetry } from "@poolflow/poolflow/telemetry";
import { inMemoryOtel, valueOf } from "./_otel.ts";
import { FAILED, ITEMS, knownPlan, RETRIED } from "./_workflow.ts";

Deno.test("a run makes one run span with a stage span per stage, and the summary's counts as attributes", async () => {
  await using otel = inMemoryOtel();
  const telemetry = new Telemetry({ ...otel, traceTasks: "none" });
  const summary = await telemetry.run(knownPlan()).done;
  const spans = await otel.spans();
  assertEquals(spans.map((s) => s.name).sort(), [
    "poolflow.run known",
    "poolflow.stage check",
    "poolflow.stage parse",
  ]);
  const run = spans.find((s) => s.name === "poolflow.run known")!;
  assertEquals(run.attributes["poolflow.workflow"], "known");
  assertEquals(run.attributes["poolflow.run.id"], summary.runId);
  assertEquals(run.attributes["poolflow.run.status"], summary.status);
  assertEquals(run.attributes["poolflow.items.read"], ITEMS);
  assertEquals(run.attributes["poolflow.items.failed"], FAILED);
  assertEquals(run.attributes["poolflow.items.retried"], RETRIED);
  for (
    const stage of spans.filter((s) => s.name.startsWith("poolflow.stage"))
  ) {
    assertEquals(stage.parentSpanContext?.spanId, run.spanContext().spanId);
    assertEquals(stage.attributes["poolflow.workflow"], "known");
  }
  const check = spans.find((s) => s.name === "poolflow.stage check")!;
  assertEquals(check.attributes["poolflow.items.failed"], FAILED);
  assertEquals(check.status.code, SpanStatusCode.ERROR);
});

Deno.test('traceTasks "all" makes a span per attempt with workflow, stage, attempt and outcome', async () => {
  await using otel = inMemoryOtel();
  const telemetry = new Telemetry({ ...otel, traceTasks: "all" });
  await telemetry.run(knownPlan()).done;
  const tasks = (await otel.spans()).filter((s) =>
    s.name.startsWith("poolflow.task")
  );
  const parse = tasks.filter((s) => s.attributes["poolflow.stage"] === "parse");
  const check = tasks.filter((s) => s.attributes["poolflow.stage"] === "check");
  assertEquals(parse.length, ITEMS + RETRIED);
  assertEquals(check.length, ITEMS);
  const retried = parse.filter((s) =>
    s.attributes["poolflow.task.attempt"] === 2
  );
  assertEquals(retried.length, RETRIED);
  const flaky = parse.filter((s) =>
    s.attributes["poolflow.outcome"] === "error"
  );
  assertEquals(flaky.map((s) => s.status.message).sort(), [
    "flaky 3",
    "flaky 7",
  ]);
  assertEquals(
    check.filter((s) => s.attributes["poolflow.outcome"] === "error").length,
    FAILED,
  );
  for (const span of tasks) {
    assertEquals(span.attributes["poolflow.workflow"], "known");
    assert(typeof span.attributes["poolflow.task.index"] === "number");
  }
});

Deno.test("sampled task spans stay bounded: 1 in 100 items, plus failures up to maxErrorSpans", async () => {
  await using otel = inMemoryOtel();
  const telemetry = new Telemetry({
    ...otel,
    traceTasks: "sampled",
    taskSampleRate: 0.01,
    maxErrorSpans: 3,
  });
  const plan = planWorkflow(defineWorkflow({
    name: "many",
    source: range(5000),
    errors: { onError: "continue" },
    pipeline: (rows) =>
      rows.map("odd", (n: number) => {
        if (n % 2 === 1) throw new Error("odd");
        return n;
      }),
  }));
  const summary = await telemetry.run(plan).done;
  assertEquals(summary.failed, 2500);
  const tasks = (await otel.spans()).filter((s) =>
    s.name.startsWith("poolflow.task")
  );
  // Items 0, 100, ... 4900 are sampled (all even, so ok); 3 failures more.
  assertEquals(tasks.length, 50 + 3);
  assertEquals(
    tasks.filter((s) => s.attributes["poolflow.outcome"] === "error").length,
    3,
  );
});

Deno.test("metrics agree with the summary: items by outcome, retries, source and sink, runs by status, latencies", async () => {
  await using otel = inMemoryOtel();
  const telemetry = new Telemetry({ ...otel, traceTasks: "none" });
  const summary = await telemetry.run(knownPlan()).done;
  await Promise.resolve();
  const points = await otel.points();
  const where = (stage: string, outcome?: string) => ({
    "poolflow.workflow": "known",
    "poolflow.stage": stage,
    ...(outcome ? { "poolflow.outcome": outcome } : {}),
  });
  for (const stage of summary.stages) {
    assertEquals(
      valueOf(points, "poolflow.stage.items", where(stage.name, "failed")),
      stage.failed,
    );
    assertEquals(
      valueOf(points, "poolflow.stage.items", where(stage.name, "succeeded")),
      stage.in - stage.failed,
    );
    assertEquals(
      valueOf(points, "poolflow.stage.retries", where(stage.name)),
      stage.retried,
    );
    assertEquals(
      valueOf(points, "poolflow.stage.tasks.running", where(stage.name)),
      0,
    );
    assertEquals(
      valueOf(points, "poolflow.stage.items.queued", where(stage.name)),
      0,
    );
  }
  assertEquals(
    valueOf(points, "poolflow.source.items", { "poolflow.workflow": "known" }),
    summary.read,
  );
  assertEquals(
    valueOf(points, "poolflow.sink.items", { "poolflow.workflow": "known" }),
    summary.written,
  );
  assertEquals(
    valueOf(points, "poolflow.runs", {
      "poolflow.workflow": "known",
      "poolflow.run.status": summary.status,
    }),
    1,
  );
  const okParse = valueOf(
    points,
    "poolflow.task.duration",
    where("parse", "ok"),
  ) as Histogram;
  const errParse = valueOf(
    points,
    "poolflow.task.duration",
    where("parse", "error"),
  ) as Histogram;
  assertEquals(okParse.count, ITEMS);
  assertEquals(errParse.count, RETRIED);
  const okCheck = valueOf(
    points,
    "poolflow.task.duration",
    where("check", "ok"),
  ) as Histogram;
  assertEquals(okCheck.count, ITEMS - FAILED);
  assertLessOrEqual(okCheck.sum ?? 0, summary.wallMs / 1000);
});

Deno.test("in-flight and queued gauges read a live run", async () => {
  await using otel = inMemoryOtel();
  const telemetry = new Telemetry({ ...otel, traceTasks: "none" });
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  let started = 0;
  const allStarted = Promise.withResolvers<void>();
  const plan = planWorkflow(defineWorkflow({
    name: "held",
    source: range(10),
    pipeline: (rows) =>
      rows.map("hold", async (n: number) => {
        if (++started === 3) allStarted.resolve();
        await gate;
        return n;
      }, { concurrency: 3 }),
  }));
  const handle = telemetry.run(plan);
  await allStarted.promise;
  const points = await otel.points();
  assertEquals(
    valueOf(points, "poolflow.stage.tasks.running", {
      "poolflow.workflow": "held",
      "poolflow.stage": "hold",
    }),
    3,
  );
  assertEquals(
    valueOf(points, "poolflow.runs.active", { "poolflow.workflow": "held" }),
    1,
  );
  open();
  await handle.done;
});

Deno.test("Telemetry refuses options out of range with the value in the message", () => {
  for (
    const [options, needle] of [
      [{ taskSampleRate: 2 }, "taskSampleRate 2"],
      [{ maxErrorSpans: -1 }, "maxErrorSpans -1"],
      [{ traceTasks: "some" as never }, '"some"'],
    ] as const
  ) {
    let message = "";
    try {
      new Telemetry(options);
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes(needle), message);
  }
});
