/**
 * What a run counts, per stage and in all, and how it reports it.
 *
 * @module
 */

import type { SourceProgress } from "../io/types.ts";
import { LatencyHistogram } from "./histogram.ts";
import type { StageKind } from "./pipeline.ts";

/** Latency percentiles of a stage, in milliseconds per item. */
export interface Latency {
  /** Median. */
  readonly p50: number;
  /** 95th percentile. */
  readonly p95: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Slowest. */
  readonly max: number;
}

/** One stage's counts at a moment. */
export interface StageStats {
  /** The stage's name. */
  readonly name: string;
  /** What it does. */
  readonly kind: StageKind;
  /** Items it has taken in. */
  readonly in: number;
  /** Items it has passed on. */
  readonly out: number;
  /** Items that failed for good. */
  readonly failed: number;
  /** Retries scheduled. */
  readonly retried: number;
  /** Items being worked on now. */
  readonly running: number;
  /** Finished items waiting for the next stage. */
  readonly queued: number;
  /** Its concurrency now. */
  readonly concurrency: number;
  /** Items passed on per second, over the last second or so. */
  readonly rate: number;
  /** Time per item, first attempt to outcome. */
  readonly latency: Latency;
}

/** A whole run's counts at a moment. */
export interface RunStats {
  /** The run's id. */
  readonly runId: string;
  /** The workflow's name. */
  readonly workflow: string;
  /** `"running"`, `"stopping"` (no new items) or `"finished"`. */
  readonly state: "running" | "stopping" | "finished";
  /** When it started, in milliseconds since the epoch. */
  readonly startedAt: number;
  /** Milliseconds since it started (until it finished). */
  readonly elapsedMs: number;
  /** Items read from the source, invalid records included. */
  readonly read: number;
  /** Invalid records the source produced. */
  readonly invalid: number;
  /** How far the source has read, for progress bars. */
  readonly progress: SourceProgress;
  /** Each stage, in order. */
  readonly stages: readonly StageStats[];
  /** Items written to the sink. */
  readonly written: number;
  /** Items sent to the dead-letter sink (or counted, without one). */
  readonly deadLetters: number;
}

/** How a run ended. */
export type RunStatus =
  | "succeeded"
  | "completed-with-failures"
  | "failed"
  | "stopped"
  | "aborted";

/** What `RunHandle.done` resolves to. */
export interface RunSummary {
  /** The run's id. */
  readonly runId: string;
  /** The workflow's name. */
  readonly workflow: string;
  /**
   * `"succeeded"`: every item went through; `"completed-with-failures"`:
   * the run finished under `continue` with failed items; `"failed"`: a
   * fail-fast failure, a blown error budget, a source or sink error;
   * `"stopped"`: `stop()` ended it early and gracefully; `"aborted"`:
   * `abort()` or the run's signal ended it.
   */
  readonly status: RunStatus;
  /**
   * Why it failed or was aborted; `code` is the error's stable code when
   * it has one (such as a `ResumeError`'s `resume_input_changed`),
   * for programs to branch on instead of the message.
   */
  readonly error?: {
    readonly name: string;
    readonly message: string;
    readonly code?: string;
  };
  /** Start and end, in milliseconds since the epoch. */
  readonly startedAt: number;
  /** When it ended. */
  readonly finishedAt: number;
  /** Wall time in milliseconds. */
  readonly wallMs: number;
  /** Items read from the source. */
  readonly read: number;
  /** Items written to the sink. */
  readonly written: number;
  /** Items that failed for good, in any stage or at the source. */
  readonly failed: number;
  /** Retries in all stages. */
  readonly retried: number;
  /** Source items per second of wall time. */
  readonly throughput: number;
  /** Each stage's final counts and latencies. */
  readonly stages: readonly StageStats[];
  /** Where the outputs went. */
  readonly outputs: { readonly sink?: string; readonly deadLetter?: string };
  /** For a durable run that resumed: the run it continued, and the items skipped as done. */
  readonly resumed?: { readonly runId: string; readonly skipped: number };
}

/** What a stage's counters read from its execution (see executors/). */
export interface StageProbe {
  stats(): {
    readonly started: number;
    readonly running: number;
    readonly buffered: number;
    readonly concurrency: number;
  };
}

/** A stage's live counters. Internal to the interpreter. */
export class StageCounters {
  readonly name: string;
  readonly kind: StageKind;
  readonly latency: LatencyHistogram = new LatencyHistogram();
  in = 0;
  out = 0;
  failed = 0;
  retried = 0;
  probe: StageProbe | undefined;
  #concurrency: number;
  // The first rate window starts with the stage, not the first snapshot.
  #rateAt = Date.now();
  #rateOut = 0;
  #rate = 0;
  #windowed = false;

  constructor(name: string, kind: StageKind, concurrency: number) {
    this.name = name;
    this.kind = kind;
    this.#concurrency = concurrency;
  }

  /** A snapshot; the rate covers the last second or so. */
  snapshot(now: number): StageStats {
    const elapsed = now - this.#rateAt;
    if (elapsed >= 1000) {
      this.#rate = ((this.out - this.#rateOut) * 1000) / elapsed;
      this.#rateAt = now;
      this.#rateOut = this.out;
      this.#windowed = true;
    } else if (!this.#windowed && elapsed > 0) {
      // Within the first second, the average so far.
      this.#rate = (this.out * 1000) / elapsed;
    }
    const h = this.latency;
    const probe = this.probe?.stats();
    return {
      name: this.name,
      kind: this.kind,
      in: probe?.started ?? this.in,
      out: this.out,
      failed: this.failed,
      retried: this.retried,
      running: probe?.running ?? 0,
      queued: probe?.buffered ?? 0,
      concurrency: probe?.concurrency ?? this.#concurrency,
      rate: this.#rate,
      latency: {
        p50: h.percentile(50),
        p95: h.percentile(95),
        p99: h.percentile(99),
        max: h.max,
      },
    };
  }
}
