/**
 * What a run page shows beyond the run's own stats: completions over time
 * ({@linkcode ThroughputSeries}, fed from progress events) and each
 * stage's task latencies (the attempts the metrics count, told through the
 * watcher's task listener), as a histogram with the `/metrics` buckets and
 * as p50/p90/p99. Memory per run is fixed: a ring of time buckets and two
 * histograms per stage.
 *
 * @module
 */

import {
  BucketHistogram,
  DEFAULT_BUCKETS_MS,
} from "../lib/telemetry/buckets.ts";
import type { TaskEnd } from "../lib/telemetry/task_observer.ts";
import { LatencyHistogram } from "../lib/workflow/histogram.ts";
import type { RunStats } from "../lib/workflow/stats.ts";
import { type SeriesSnapshot, ThroughputSeries } from "./run_series.ts";

/** One stage's task latencies in one run. */
export interface StageLatency {
  /** The stage's name. */
  readonly stage: string;
  /** Attempts timed (ok and error). */
  readonly count: number;
  /** Attempts timed that threw. */
  readonly errors: number;
  /** Their total time, in milliseconds. */
  readonly sumMs: number;
  /** Percentiles in milliseconds (0 when nothing was timed). */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Slowest. */
  readonly max: number;
  /** Upper bounds of the histogram's buckets, in ms (`+Inf` implied). */
  readonly boundsMs: readonly number[];
  /** Attempts per bucket (not cumulative); one more for `+Inf`. */
  readonly counts: readonly number[];
}

/** A run page's numbers at one moment. */
export interface RunPageSnapshot {
  /** Completions over time. */
  readonly series: SeriesSnapshot;
  /** Per stage, in stage order. */
  readonly latency: readonly StageLatency[];
}

interface StageRecorder {
  readonly buckets: BucketHistogram;
  readonly percentiles: LatencyHistogram;
  errors: number;
}

/**
 * The numbers a run page needs that the run does not keep.
 *
 * @example
 * ```ts
 * import { RunPageData } from "./run_page_data.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const data = new RunPageData(0, ["work"]);
 * data.onTask({
 *   workflow: "w", stage: "work", index: 0, attempt: 1, outcome: "ok",
 *   error: undefined, timed: true, startedAt: 0, durationMs: 3,
 * });
 * assertEquals(data.snapshot().latency[0]?.count, 1);
 * ```
 */
export class RunPageData {
  readonly #series: ThroughputSeries;
  readonly #stages = new Map<string, StageRecorder>();

  /**
   * Empty data for a run.
   *
   * @param startedAt When the run started, in ms since the epoch.
   * @param stages The run's stage names, in order.
   * @param options The throughput buckets' first width in ms (default
   *   1000; best the progress interval, as the samples come that often)
   *   and the latency bucket bounds (those of `/metrics` by default).
   */
  constructor(
    startedAt: number,
    stages: readonly string[],
    options: {
      readonly seriesBucketMs?: number;
      readonly bucketsMs?: readonly number[];
    } = {},
  ) {
    const bucketsMs = options.bucketsMs ?? DEFAULT_BUCKETS_MS;
    this.#series = new ThroughputSeries(startedAt, {
      bucketMs: options.seriesBucketMs ?? 1000,
    });
    for (const stage of stages) {
      this.#stages.set(stage, {
        buckets: new BucketHistogram(bucketsMs),
        percentiles: new LatencyHistogram(),
        errors: 0,
      });
    }
  }

  /**
   * Records a timed attempt (a `RunTaskListener`).
   *
   * @param task The attempt.
   */
  readonly onTask = (task: TaskEnd): void => {
    const stage = this.#stages.get(task.stage);
    if (stage === undefined || !task.timed) return;
    stage.buckets.record(task.durationMs);
    stage.percentiles.record(task.durationMs);
    if (task.outcome === "error") stage.errors++;
  };

  /**
   * Records the run's counts (from a progress event or the final stats).
   *
   * @param at When, in ms since the epoch.
   * @param stats The run's stats then.
   */
  sample(at: number, stats: Pick<RunStats, "written" | "deadLetters">): void {
    this.#series.sample(at, stats.written, stats.deadLetters);
  }

  /** The numbers now. */
  snapshot(): RunPageSnapshot {
    const latency: StageLatency[] = [];
    for (const [stage, recorder] of this.#stages) {
      const histogram = recorder.buckets.snapshot();
      const p = recorder.percentiles;
      latency.push({
        stage,
        count: histogram.count,
        errors: recorder.errors,
        sumMs: histogram.sumMs,
        p50: p.percentile(50),
        p90: p.percentile(90),
        p99: p.percentile(99),
        max: p.max,
        boundsMs: histogram.boundsMs,
        counts: histogram.cumulative.map((n, i) =>
          n - (i === 0 ? 0 : histogram.cumulative[i - 1]!)
        ),
      });
    }
    return { series: this.#series.snapshot(), latency };
  }
}
