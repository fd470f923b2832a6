/**
 * Totals over many runs, for metrics: what finished runs counted (kept
 * after a run is forgotten) plus what live runs count now, read from
 * their `stats()` only when somebody asks. Watching a run adds no work to
 * it; only task latencies need the plan wrapped (see `observe`).
 *
 * @module
 */

import type { RunHandle } from "../workflow/handle.ts";
import type { WorkflowPlan } from "../workflow/plan.ts";
import type { RunStatus, StageStats } from "../workflow/stats.ts";
import { BucketHistogram, type HistogramSnapshot } from "./buckets.ts";
import type { PreparedRun, RunTaskListener } from "./prepared.ts";
import { observeTasks, type TaskEnd } from "./task_observer.ts";

/** One stage's totals over all runs of a workflow. */
export interface StageTotals {
  /** The workflow's name. */
  readonly workflow: string;
  /** The stage's name. */
  readonly stage: string;
  /** Items the stage finished without an error (after retries). */
  readonly succeeded: number;
  /** Items that failed for good in the stage. */
  readonly failed: number;
  /** Items the stage passed on. */
  readonly out: number;
  /** Retries scheduled. */
  readonly retried: number;
  /** Tasks running now, in live runs. */
  readonly running: number;
  /** Finished items waiting for the next stage now, in live runs. */
  readonly queued: number;
}

/** One workflow's totals over all its runs. */
export interface WorkflowTotals {
  /** The workflow's name. */
  readonly workflow: string;
  /** Items read from the source, invalid records included. */
  readonly read: number;
  /** Invalid source records. */
  readonly invalid: number;
  /** Items written to the sink. */
  readonly written: number;
  /** Items that failed for good anywhere (the dead letters). */
  readonly failed: number;
  /** Runs live now. */
  readonly active: number;
  /** Finished runs by how they ended. */
  readonly runs: Readonly<Record<RunStatus, number>>;
}

/** Task latencies of one stage and outcome. */
export interface LatencyTotals extends HistogramSnapshot {
  /** The workflow's name. */
  readonly workflow: string;
  /** The stage's name. */
  readonly stage: string;
  /** `"ok"` or `"error"`: how the attempt ended. */
  readonly outcome: "ok" | "error";
}

/** Everything at one moment. */
export interface TotalsSnapshot {
  /** Per workflow, sorted by name. */
  readonly workflows: readonly WorkflowTotals[];
  /** Per workflow and stage, in stage order. */
  readonly stages: readonly StageTotals[];
  /** Task latencies, for runs whose plan went through `observe`. */
  readonly latencies: readonly LatencyTotals[];
}

/** Options of {@linkcode RunTotals}. */
export interface RunTotalsOptions {
  /** Latency bucket bounds in milliseconds, ascending. */
  readonly bucketsMs?: readonly number[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Counts = Mutable<
  Pick<StageTotals, "succeeded" | "failed" | "out" | "retried">
>;
type FlowCounts =
  & Mutable<Pick<WorkflowTotals, "read" | "invalid" | "written" | "failed">>
  & {
    runs: Record<RunStatus, number>;
  };

const STATUSES: readonly RunStatus[] = [
  "succeeded",
  "completed-with-failures",
  "failed",
  "stopped",
  "aborted",
];

/**
 * Adds up runs for metrics: `track(handle)` each run; `snapshot()` gives
 * totals that only grow, however many runs were forgotten since.
 *
 * @example Totals of one run
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow, runPlan } from "@poolflow/poolflow";
 * import { RunTotals } from "@poolflow/poolflow/telemetry";
 * import { assertEquals } from "@std/assert";
 *
 * const totals = new RunTotals();
 * const plan = planWorkflow(defineWorkflow({
 *   name: "double",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("x2", (n) => n * 2),
 * }));
 * const handle = runPlan(totals.observe(plan));
 * totals.track(handle);
 * await handle.done;
 * await Promise.resolve();
 * assertEquals(totals.snapshot().stages[0]?.succeeded, 3);
 * assertEquals(totals.snapshot().latencies[0]?.count, 3);
 * ```
 */
export class RunTotals {
  readonly #bucketsMs: readonly number[] | undefined;
  readonly #live = new Set<RunHandle>();
  readonly #stages = new Map<
    string,
    Counts & { workflow: string; stage: string }
  >();
  readonly #flows = new Map<string, FlowCounts>();
  readonly #latency = new Map<string, BucketHistogram & { key: LatencyKey }>();

  /**
   * Empty totals.
   *
   * @param options Latency buckets.
   */
  constructor(options: RunTotalsOptions = {}) {
    this.#bucketsMs = options.bucketsMs;
  }

  /**
   * Counts `handle`'s run: live while it runs, added to the totals when it
   * ends.
   *
   * @param handle A run from `run` or `runPlan`.
   */
  track(handle: RunHandle): void {
    if (this.#live.has(handle)) return;
    this.#live.add(handle);
    this.#flow(handle.plan.name);
    for (const stage of handle.plan.stages) {
      this.#stage(handle.plan.name, stage.spec.name);
    }
    void handle.done.then((summary) => {
      // Moved in one step: a snapshot sees the run live or finished, never both.
      this.#live.delete(handle);
      const flow = this.#flow(summary.workflow);
      flow.read += summary.read;
      flow.written += summary.written;
      flow.failed += summary.failed;
      // The summary has no invalid count; the finished run's stats do.
      flow.invalid += handle.stats().invalid;
      flow.runs[summary.status]++;
      for (const stats of summary.stages) {
        addStage(this.#stage(summary.workflow, stats.name), stats);
      }
    });
  }

  /**
   * A copy of `plan` whose task latencies are recorded here.
   *
   * @param plan A checked plan.
   * @param onTask Also told of the run's timed attempts.
   * @returns The plan to run.
   */
  observe(plan: WorkflowPlan, onTask?: RunTaskListener): WorkflowPlan {
    // Per stage: [ok, error], found by the stage's name (one map lookup).
    const series = new Map<string, [BucketHistogram, BucketHistogram]>();
    for (const stage of plan.stages) {
      const key = { workflow: plan.name, stage: stage.spec.name };
      series.set(stage.spec.name, [
        this.#histogram({ ...key, outcome: "ok" }),
        this.#histogram({ ...key, outcome: "error" }),
      ]);
    }
    return observeTasks(plan, {
      end: (task) => {
        series.get(task.stage)![task.outcome === "ok" ? 0 : 1].record(
          task.durationMs,
        );
        onTask?.(task);
      },
    });
  }

  /**
   * Records one attempt's latency, for an observer of its own that wraps
   * the plan already (as `Telemetry` does).
   *
   * @param task The attempt, as the observer was told of it.
   */
  recordTask(task: TaskEnd): void {
    if (task.timed) this.#histogram(task).record(task.durationMs);
  }

  /**
   * `observe` and `track` in one: the plan to run and what to do with its
   * handle.
   *
   * @param plan A checked plan.
   * @param onTask Also told of the run's timed attempts.
   * @returns The plan to run, and `attach` for its handle.
   */
  prepare(plan: WorkflowPlan, onTask?: RunTaskListener): PreparedRun {
    return {
      plan: this.observe(plan, onTask),
      attach: (handle) => {
        this.track(handle);
        return handle;
      },
    };
  }

  /** The totals now: finished runs plus live ones. */
  snapshot(): TotalsSnapshot {
    const stages = new Map<string, Mutable<StageTotals>>();
    for (const [key, counts] of this.#stages) {
      stages.set(key, { ...counts, running: 0, queued: 0 });
    }
    const flows = new Map<string, Mutable<WorkflowTotals>>();
    for (const [workflow, counts] of this.#flows) {
      flows.set(workflow, {
        workflow,
        read: counts.read,
        invalid: counts.invalid,
        written: counts.written,
        failed: counts.failed,
        active: 0,
        runs: { ...counts.runs },
      });
    }
    for (const handle of this.#live) {
      const stats = handle.stats();
      const flow = flows.get(stats.workflow)!;
      flow.active++;
      flow.read += stats.read;
      flow.invalid += stats.invalid;
      flow.written += stats.written;
      flow.failed += stats.deadLetters;
      for (const stage of stats.stages) {
        const totals = stages.get(stageKey(stats.workflow, stage.name))!;
        addStage(totals, stage);
        totals.running += stage.running;
        totals.queued += stage.queued;
      }
    }
    return {
      workflows: [...flows.values()].sort((a, b) =>
        a.workflow < b.workflow ? -1 : a.workflow > b.workflow ? 1 : 0
      ),
      stages: [...stages.values()],
      latencies: [...this.#latency.values()].map((h) => ({
        ...h.key,
        ...h.snapshot(),
      })),
    };
  }

  #flow(workflow: string): FlowCounts {
    let flow = this.#flows.get(workflow);
    if (flow === undefined) {
      const runs = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<
        RunStatus,
        number
      >;
      flow = { read: 0, invalid: 0, written: 0, failed: 0, runs };
      this.#flows.set(workflow, flow);
    }
    return flow;
  }

  #stage(workflow: string, stage: string): Counts {
    const key = stageKey(workflow, stage);
    let counts = this.#stages.get(key);
    if (counts === undefined) {
      counts = { workflow, stage, succeeded: 0, failed: 0, out: 0, retried: 0 };
      this.#stages.set(key, counts);
    }
    return counts;
  }

  #histogram(key: LatencyKey): BucketHistogram {
    const id = `${stageKey(key.workflow, key.stage)}\u0000${key.outcome}`;
    let histogram = this.#latency.get(id);
    if (histogram === undefined) {
      const own = {
        workflow: key.workflow,
        stage: key.stage,
        outcome: key.outcome,
      };
      histogram = Object.assign(new BucketHistogram(this.#bucketsMs), {
        key: own,
      });
      this.#latency.set(id, histogram);
    }
    return histogram;
  }
}

type LatencyKey = Pick<LatencyTotals, "workflow" | "stage" | "outcome">;

function stageKey(workflow: string, stage: string): string {
  return `${workflow}\u0000${stage}`;
}

/**
 * Items a stage finished: taken in, minus those still running or waiting
 * to be read, minus those that failed.
 */
export function succeededOf(stage: StageStats): number {
  return Math.max(0, stage.in - stage.running - stage.queued - stage.failed);
}

function addStage(totals: Counts, stage: StageStats): void {
  totals.succeeded += succeededOf(stage);
  totals.failed += stage.failed;
  totals.out += stage.out;
  totals.retried += stage.retried;
}
