/**
 * OpenTelemetry for runs, through `@opentelemetry/api`: a span per run, a
 * span per stage, spans per task (sampled by default), and metrics read
 * from the runs' stats when an exporter collects. With no SDK and no
 * `OTEL_DENO=true`, the API is a no-op and so is all of this.
 *
 * @module
 */

import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from "npm:@opentelemetry/api@1.10.0";
import type { RunHandle, RunnerOptions } from "../workflow/handle.ts";
import type { WorkflowPlan } from "../workflow/plan.ts";
import { runPlan } from "../workflow/run.ts";
import type { RunSummary, StageStats } from "../workflow/stats.ts";
import { DEFAULT_BUCKETS_MS } from "./buckets.ts";
import { registerRunMetrics } from "./otel_metrics.ts";
import {
  observeTasks,
  type TaskEnd,
  type TaskRunner,
  type TaskStart,
  timedItem,
} from "./task_observer.ts";
import type { PreparedRun, RunTaskListener } from "./prepared.ts";
import { RunTotals } from "./totals.ts";

/**
 * An OpenTelemetry `TracerProvider` (from `@opentelemetry/api` or an SDK),
 * typed loosely so that any version's fits.
 */
export interface TracerSource {
  /** Returns the tracer of a scope. */
  getTracer(name: string): unknown;
}

/** An OpenTelemetry `MeterProvider`, typed loosely like `TracerSource`. */
export interface MeterSource {
  /** Returns the meter of a scope. */
  getMeter(name: string): unknown;
}

/** Which task attempts get a span of their own. */
export type TraceTasks = "none" | "sampled" | "all";

/** Options of {@linkcode Telemetry}. */
export interface TelemetryOptions {
  /** Where spans go; defaults to the global one (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerSource;
  /** Where metrics go; defaults to the global one (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterSource;
  /**
   * Spans per task attempt: `"none"` (run and stage spans only),
   * `"sampled"` (the default: the items picked by `taskSampleRate`, every
   * attempt of each, plus failed attempts up to `maxErrorSpans`), or
   * `"all"` (a span per attempt: a million items make a million spans).
   */
  readonly traceTasks?: TraceTasks;
  /** Share of items traced under `"sampled"`, from 0 to 1. Defaults to 0.01. */
  readonly taskSampleRate?: number;
  /** Failed attempts of unsampled items traced per stage and run. Defaults to 100. */
  readonly maxErrorSpans?: number;
  /**
   * Totals to add the runs to, for example the ones a `/metrics` endpoint
   * reads, so both show the same numbers. Defaults to totals of its own.
   */
  readonly totals?: RunTotals;
}

const SCOPE = "poolflow";

/**
 * Traces and metrics of runs, through `@opentelemetry/api`. Make one per
 * process (its metrics add up every run it saw) and run plans through it.
 *
 * @example Trace a run into an in-memory exporter
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow } from "@poolflow/poolflow";
 * import { Telemetry } from "@poolflow/poolflow/telemetry";
 * import {
 *   InMemorySpanExporter,
 *   SimpleSpanProcessor,
 *   TracerProvider,
 * } from "@opentelemetry/sdk-trace";
 * import { assertEquals } from "@std/assert";
 *
 * const exporter = new InMemorySpanExporter();
 * const tracerProvider = new TracerProvider({
 *   spanProcessors: [new SimpleSpanProcessor({ exporter })],
 * });
 * const telemetry = new Telemetry({ tracerProvider, traceTasks: "all" });
 * const plan = planWorkflow(defineWorkflow({
 *   name: "double",
 *   source: fromIterable([1, 2]),
 *   pipeline: (rows) => rows.map("x2", (n) => n * 2),
 * }));
 * await telemetry.run(plan).done;
 * await tracerProvider.forceFlush();
 * const names = exporter.getFinishedSpans().map((s) => s.name).sort();
 * await tracerProvider.shutdown();
 * assertEquals(names, [
 *   "poolflow.run double",
 *   "poolflow.stage x2",
 *   "poolflow.task x2",
 *   "poolflow.task x2",
 * ]);
 * ```
 */
export class Telemetry {
  readonly #tracer: Tracer;
  readonly #meter: Meter;
  readonly #duration: Histogram;
  readonly #totals: RunTotals;
  readonly #traceTasks: TraceTasks;
  readonly #sampleEvery: number;
  readonly #maxErrorSpans: number;

  /**
   * Makes the instruments; nothing is exported until a run goes.
   *
   * @param options Providers and how many task spans.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options: TelemetryOptions = {}) {
    const traceTasks = options.traceTasks ?? "sampled";
    if (!["none", "sampled", "all"].includes(traceTasks)) {
      throw new RangeError(
        `Invalid traceTasks "${traceTasks}": use "none", "sampled" or "all"`,
      );
    }
    const rate = options.taskSampleRate ?? 0.01;
    if (!(rate >= 0 && rate <= 1)) {
      throw new RangeError(
        `Invalid taskSampleRate ${rate}: use a number from 0 to 1`,
      );
    }
    this.#traceTasks = traceTasks;
    this.#totals = options.totals ?? new RunTotals();
    this.#sampleEvery = rate === 0
      ? Infinity
      : Math.max(1, Math.round(1 / rate));
    this.#maxErrorSpans = count(options.maxErrorSpans ?? 100, "maxErrorSpans");
    const tracers =
      (options.tracerProvider ?? trace.getTracerProvider()) as TracerProvider;
    const meters =
      (options.meterProvider ?? metrics.getMeterProvider()) as MeterProvider;
    this.#tracer = tracers.getTracer(SCOPE);
    this.#meter = meters.getMeter(SCOPE);
    this.#duration = this.#meter.createHistogram("poolflow.task.duration", {
      description: "Time of one attempt of a stage's function",
      unit: "s",
      advice: {
        explicitBucketBoundaries: DEFAULT_BUCKETS_MS.map((ms) => ms / 1000),
      },
    });
    registerRunMetrics(this.#meter, () => this.#totals.snapshot());
  }

  /**
   * Starts the run's span and wraps the plan's tasks.
   *
   * @param plan A checked plan.
   * @param onTask Also told of the run's timed attempts.
   * @returns The plan to run and the function to attach its handle.
   */
  prepare(plan: WorkflowPlan, onTask?: RunTaskListener): PreparedRun {
    const tracer = this.#tracer;
    const runSpan = tracer.startSpan(`poolflow.run ${plan.name}`, {
      attributes: {
        "poolflow.workflow": plan.name,
        "poolflow.stages": plan.stages.map((s) => s.spec.name),
      },
    });
    const runContext = trace.setSpan(context.active(), runSpan);
    const stages = new Map<string, StageTrace>();
    for (const stage of plan.stages) {
      const span = tracer.startSpan(`poolflow.stage ${stage.spec.name}`, {
        attributes: {
          "poolflow.workflow": plan.name,
          "poolflow.stage": stage.spec.name,
          "poolflow.stage.kind": stage.spec.kind,
          "poolflow.stage.concurrency": stage.concurrency,
        },
      }, runContext);
      stages.set(stage.spec.name, {
        span,
        context: trace.setSpan(runContext, span),
        errorSpans: 0,
      });
    }
    const observed = observeTasks(plan, {
      timed: (index) => this.#timed(index),
      failures: this.#traceTasks !== "none",
      start: (task) => this.#startTask(task, stages.get(task.stage)!),
      end: (task) => {
        this.#endTask(task, stages.get(task.stage)!);
        if (task.timed) onTask?.(task);
      },
    });
    let attached = false;
    return {
      plan: observed,
      attach: (handle) => {
        if (attached) return handle;
        attached = true;
        runSpan.setAttribute("poolflow.run.id", handle.id);
        this.#totals.track(handle);
        void handle.done.then((summary) => {
          endRun(runSpan, stages, summary);
        });
        return handle;
      },
    };
  }

  /**
   * Runs a plan with telemetry: `prepare`, `runPlan`, `attach`.
   *
   * @param plan A checked plan.
   * @param options As for `runPlan`.
   * @returns The run's handle.
   */
  run(plan: WorkflowPlan, options: RunnerOptions = {}): RunHandle {
    const prepared = this.prepare(plan);
    return prepared.attach(runPlan(prepared.plan, options));
  }

  #timed(index: number): boolean {
    return this.#traceTasks === "all" || timedItem(index) ||
      (this.#traceTasks === "sampled" && index % this.#sampleEvery === 0);
  }

  #sampled(task: TaskStart): boolean {
    return this.#traceTasks === "all" ||
      (this.#traceTasks === "sampled" && task.index % this.#sampleEvery === 0);
  }

  #startTask(task: TaskStart, stage: StageTrace): TaskRunner | undefined {
    if (!this.#sampled(task)) return undefined;
    const span = this.#tracer.startSpan(
      `poolflow.task ${task.stage}`,
      { attributes: taskAttributes(task) },
      stage.context,
    );
    stage.open ??= new Map();
    stage.open.set(openKey(task), span);
    const taskContext: Context = trace.setSpan(stage.context, span);
    return (call) => context.with(taskContext, call);
  }

  #endTask(task: TaskEnd, stage: StageTrace): void {
    if (task.timed) {
      this.#totals.recordTask(task);
      this.#duration.record(task.durationMs / 1000, {
        "poolflow.workflow": task.workflow,
        "poolflow.stage": task.stage,
        "poolflow.outcome": task.outcome,
      });
    }
    const key = openKey(task);
    let span = stage.open?.get(key);
    if (span !== undefined) stage.open!.delete(key);
    else if (
      task.outcome === "error" && this.#traceTasks !== "none" &&
      stage.errorSpans < this.#maxErrorSpans
    ) {
      // An unsampled failure still gets its span, after the fact.
      stage.errorSpans++;
      span = this.#tracer.startSpan(`poolflow.task ${task.stage}`, {
        attributes: taskAttributes(task),
        startTime: task.startedAt,
      }, stage.context);
    }
    if (span === undefined) return;
    span.setAttribute("poolflow.outcome", task.outcome);
    if (task.outcome === "error") {
      const error = task.error;
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    span.end(task.startedAt + task.durationMs);
  }
}

interface StageTrace {
  readonly span: Span;
  readonly context: Context;
  errorSpans: number;
  open?: Map<string, Span>;
}

function openKey(task: TaskStart): string {
  return `${task.index}:${task.attempt}`;
}

function taskAttributes(task: TaskStart): Attributes {
  return {
    "poolflow.workflow": task.workflow,
    "poolflow.stage": task.stage,
    "poolflow.task.index": task.index,
    "poolflow.task.attempt": task.attempt,
  };
}

function endRun(
  runSpan: Span,
  stages: ReadonlyMap<string, StageTrace>,
  summary: RunSummary,
): void {
  for (const stats of summary.stages) {
    const stage = stages.get(stats.name);
    if (stage === undefined) continue;
    stage.span.setAttributes(stageAttributes(stats));
    if (stats.failed > 0) {
      stage.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${stats.failed} items failed`,
      });
    }
    // Attempts still open (abandoned tasks) end with the run.
    for (const span of stage.open?.values() ?? []) span.end(summary.finishedAt);
    stage.span.end(summary.finishedAt);
  }
  runSpan.setAttributes({
    "poolflow.run.status": summary.status,
    "poolflow.items.read": summary.read,
    "poolflow.items.written": summary.written,
    "poolflow.items.failed": summary.failed,
    "poolflow.items.retried": summary.retried,
    "poolflow.throughput": summary.throughput,
  });
  if (summary.status === "failed" || summary.status === "aborted") {
    runSpan.setStatus({
      code: SpanStatusCode.ERROR,
      message: summary.error?.message ?? summary.status,
    });
  }
  runSpan.end(summary.finishedAt);
}

function stageAttributes(stats: StageStats): Attributes {
  return {
    "poolflow.items.in": stats.in,
    "poolflow.items.out": stats.out,
    "poolflow.items.failed": stats.failed,
    "poolflow.items.retried": stats.retried,
    "poolflow.latency.p50_ms": stats.latency.p50,
    "poolflow.latency.p95_ms": stats.latency.p95,
    "poolflow.latency.p99_ms": stats.latency.p99,
    "poolflow.latency.max_ms": stats.latency.max,
  };
}

function count(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Invalid ${name} ${value}: use an integer of 0 or more`,
    );
  }
  return value;
}
