/**
 * Made-up stats, summaries and plans for the formatting tests.
 *
 * @module
 */

import type { RunStats, RunSummary, StageStats } from "../../mod.ts";

/** A stage's stats, with `changes`. */
export function stageStats(changes: Partial<StageStats> = {}): StageStats {
  return {
    name: "parse",
    kind: "map",
    in: 0,
    out: 0,
    failed: 0,
    retried: 0,
    running: 0,
    queued: 0,
    concurrency: 8,
    rate: 0,
    latency: { p50: 0, p95: 0, p99: 0, max: 0 },
    ...changes,
  };
}

/** A run's stats, with `changes`. */
export function runStats(changes: Partial<RunStats> = {}): RunStats {
  return {
    runId: "run-1",
    workflow: "etl",
    state: "running",
    startedAt: 0,
    elapsedMs: 0,
    read: 0,
    invalid: 0,
    progress: { done: 0, total: undefined, unit: "items" },
    stages: [],
    written: 0,
    deadLetters: 0,
    ...changes,
  };
}

/** A run's summary, with `changes`. */
export function runSummary(changes: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: "run-1",
    workflow: "etl",
    status: "succeeded",
    startedAt: 0,
    finishedAt: 1000,
    wallMs: 1000,
    read: 0,
    written: 0,
    failed: 0,
    retried: 0,
    throughput: 0,
    stages: [],
    outputs: {},
    ...changes,
  };
}
