/**
 * The text of the progress display, from a run's stats: a multi-line frame
 * for a terminal (a bar with percent and ETA when the size is known, then a
 * row per stage) and a one-line form for logs. Pure functions.
 *
 * @module
 */

import type { ItemFailedEvent, RunStats, StageStats } from "../mod.ts";
import {
  bar,
  formatBytes,
  formatClock,
  formatCount,
  formatRate,
  table,
} from "./format.ts";

/** How far a run is, as the display shows it. */
export interface Completion {
  /** Done, from 0 to 1, when the size is known. */
  readonly fraction: number | undefined;
  /** What is done, such as `"12.3 MB/25.6 MB"` or `"1,204 items"`. */
  readonly done: string;
  /** Estimated milliseconds left, when it can be told. */
  readonly etaMs: number | undefined;
}

/**
 * Source items the run is done with: read, and no longer running or
 * waiting in a stage (written, filtered out, failed, or invalid). Bytes
 * read say nothing about this: a source reads ahead into its buffers.
 *
 * @param stats The run's stats.
 * @returns The count, between 0 and `stats.read`.
 *
 * @example Read 10, 3 in flight
 * ```ts
 * import { finishedItems } from "./progress_format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(finishedItems({ read: 10, stages: [{ running: 2, queued: 1 }] }), 7);
 * ```
 */
export function finishedItems(
  stats: {
    readonly read: number;
    readonly stages: readonly Pick<StageStats, "running" | "queued">[];
  },
): number {
  const inFlight = stats.stages.reduce(
    (sum, stage) => sum + stage.running + stage.queued,
    0,
  );
  return Math.max(0, Math.min(stats.read, stats.read - inFlight));
}

/**
 * How far a run is, in items finished (see {@linkcode finishedItems}): of
 * `--limit` when set, else of the source's size in items, else of an
 * estimate from the bytes read of a file (exact once it is read to the
 * end), else just the count.
 *
 * @param stats The run's stats.
 * @param limit The run's `--limit`, if any.
 * @returns The fraction done, a label and an ETA.
 *
 * @example A small file read at once, 18 of its 96 rows finished
 * ```ts
 * import { completion } from "./progress_format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const early = completion({
 *   read: 96,
 *   elapsedMs: 1000,
 *   progress: { done: 3200, total: 3200, unit: "bytes" },
 *   stages: [{ running: 4, queued: 74 }],
 * }, undefined);
 * assertEquals(early, { fraction: 0.1875, done: "18/96 items", etaMs: 4333.333333333333 });
 * ```
 *
 * @example A file half read, all its items read so far finished
 * ```ts
 * import { completion } from "./progress_format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const half = completion({
 *   read: 10,
 *   elapsedMs: 4000,
 *   progress: { done: 500, total: 1000, unit: "bytes" },
 *   stages: [],
 * }, undefined);
 * assertEquals(half, { fraction: 0.5, done: "10/~20 items (500 B/1.0 kB read)", etaMs: 4000 });
 * ```
 */
export function completion(
  stats: Pick<RunStats, "read" | "elapsedMs" | "progress"> & {
    readonly stages: readonly Pick<StageStats, "running" | "queued">[];
  },
  limit: number | undefined,
): Completion {
  const { progress } = stats;
  const finished = finishedItems(stats);
  let fraction: number | undefined;
  let done: string;
  if (limit !== undefined) {
    fraction = limit > 0 ? Math.min(1, finished / limit) : 1;
    done = `${formatCount(finished)}/${formatCount(limit)} items`;
  } else if (progress.total !== undefined && progress.total > 0) {
    if (progress.unit === "items") {
      fraction = Math.min(1, finished / progress.total);
      done = `${formatCount(finished)}/${formatCount(progress.total)} items`;
    } else if (progress.done >= progress.total) {
      // Read to the end: every item is known.
      fraction = stats.read > 0 ? finished / stats.read : 1;
      done = `${formatCount(finished)}/${formatCount(stats.read)} items`;
    } else {
      const bytes = `${formatBytes(progress.done)}/${
        formatBytes(progress.total)
      } read`;
      if (progress.done > 0 && stats.read > 0) {
        const estimate = Math.max(
          stats.read,
          Math.round((stats.read * progress.total) / progress.done),
        );
        fraction = Math.min(1, finished / estimate);
        done = `${formatCount(finished)}/~${
          formatCount(estimate)
        } items (${bytes})`;
      } else {
        fraction = 0;
        done = `${formatCount(finished)} items (${bytes})`;
      }
    }
  } else {
    done = `${formatCount(finished)} items`;
  }
  const etaMs = fraction !== undefined && fraction > 0 && fraction < 1
    ? (stats.elapsedMs * (1 - fraction)) / fraction
    : undefined;
  return { fraction, done, etaMs };
}

/** Options of {@linkcode formatProgressFrame}. */
export interface FrameOptions {
  /** The run's `--limit`, if any. */
  readonly limit?: number | undefined;
  /** Cells of the bar. Defaults to 24. */
  readonly barWidth?: number;
}

/**
 * The terminal display: a headline with bar, percent, ETA and elapsed
 * time; a table with a row per stage (in, out, failed, retried, running of
 * concurrency, rate); and the totals.
 *
 * @param stats The run's stats.
 * @param options The limit and the bar's width.
 * @returns The lines, without newlines.
 *
 * @example
 * ```ts
 * import { formatProgressFrame } from "./progress_format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const latency = { p50: 1, p95: 2, p99: 3, max: 4 };
 * const lines = formatProgressFrame({
 *   runId: "r", workflow: "etl", state: "running", startedAt: 0, elapsedMs: 2000,
 *   read: 5, invalid: 0, progress: { done: 5, total: 10, unit: "items" },
 *   stages: [{ name: "parse", kind: "map", in: 5, out: 4, failed: 1, retried: 2,
 *     running: 0, queued: 0, concurrency: 8, rate: 2, latency }],
 *   written: 4, deadLetters: 1,
 * }, { barWidth: 10 });
 * assertEquals(lines, [
 *   "etl  █████░░░░░   50%  5/10 items  ETA 0:02  elapsed 0:02",
 *   "  stage  kind  in  out  failed  retried  running  rate",
 *   "  parse  map    5    4       1        2      0/8   2/s",
 *   "  written 4 · dead letters 1",
 * ]);
 * ```
 */
export function formatProgressFrame(
  stats: RunStats,
  options: FrameOptions = {},
): string[] {
  const { fraction, done, etaMs } = completion(stats, options.limit);
  const head: string[] = [stats.workflow];
  if (fraction !== undefined) {
    head.push(
      bar(fraction, options.barWidth ?? 24),
      `${Math.floor(fraction * 100)}%`.padStart(4),
    );
  }
  head.push(done);
  if (etaMs !== undefined) head.push(`ETA ${formatClock(etaMs)}`);
  head.push(`elapsed ${formatClock(stats.elapsedMs)}`);
  if (stats.state === "stopping") {
    head.push("stopping: finishing items in flight");
  }
  const lines = [head.join("  ")];
  if (stats.stages.length > 0) {
    const header = [
      "stage",
      "kind",
      "in",
      "out",
      "failed",
      "retried",
      "running",
      "rate",
    ];
    const rows = stats.stages.map((stage) => [
      stage.name,
      stage.kind,
      formatCount(stage.in),
      formatCount(stage.out),
      formatCount(stage.failed),
      formatCount(stage.retried),
      running(stage),
      formatRate(stage.rate),
    ]);
    lines.push(
      ...table([header, ...rows], [2, 3, 4, 5, 6, 7]).map((l) => `  ${l}`),
    );
  }
  lines.push(`  ${totals(stats)}`);
  return lines;
}

/**
 * The one-line progress for logs and pipes.
 *
 * @param stats The run's stats.
 * @param limit The run's `--limit`, if any.
 * @returns Such as `"[0:04] etl: 48% of 1,190/~2,480 items (12.3 MB/25.6 MB read), ETA 0:05 · written 1,190 · dead letters 4 | parse 310/s 8/8"`.
 *
 * @example
 * ```ts
 * import { formatProgressLine } from "./progress_format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const latency = { p50: 1, p95: 2, p99: 3, max: 4 };
 * assertEquals(formatProgressLine({
 *   runId: "r", workflow: "etl", state: "running", startedAt: 0, elapsedMs: 4000,
 *   read: 7, invalid: 0, progress: { done: 7, total: undefined, unit: "items" },
 *   stages: [{ name: "parse", kind: "map", in: 7, out: 6, failed: 0, retried: 0,
 *     running: 1, queued: 0, concurrency: 8, rate: 1.5, latency }],
 *   written: 6, deadLetters: 0,
 * }, undefined), "[0:04] etl: 6 items · written 6 · dead letters 0 | parse 1.5/s 1/8");
 * ```
 */
export function formatProgressLine(
  stats: RunStats,
  limit: number | undefined,
): string {
  const { fraction, done, etaMs } = completion(stats, limit);
  let head = `[${formatClock(stats.elapsedMs)}] ${stats.workflow}: `;
  head += fraction === undefined
    ? done
    : `${Math.floor(fraction * 100)}% of ${done}`;
  if (etaMs !== undefined) head += `, ETA ${formatClock(etaMs)}`;
  if (stats.state === "stopping") head += " (stopping)";
  const stages = stats.stages.map((stage) =>
    `${stage.name} ${formatRate(stage.rate)} ${running(stage)}`
  );
  return [`${head} · ${totals(stats)}`, ...stages].join(" | ");
}

/**
 * A failed item, for the lines above the display.
 *
 * @param event The `item-failed` event.
 * @returns Such as `"failed: parse #12 after 3 attempts: timeout"`.
 *
 * @example
 * ```ts
 * import { formatFailure } from "./progress_format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   formatFailure({ type: "item-failed", stage: "parse", index: 12, error: "bad row", attempts: 1 }),
 *   "failed: parse #12: bad row",
 * );
 * ```
 */
export function formatFailure(event: ItemFailedEvent): string {
  const attempts = event.attempts > 1
    ? ` after ${event.attempts} attempts`
    : "";
  const error = event.error.split("\n")[0] ?? "";
  return `failed: ${event.stage} #${event.index}${attempts}: ${error}`;
}

function running(stage: StageStats): string {
  return stage.kind === "batch"
    ? "-"
    : `${formatCount(stage.running)}/${formatCount(stage.concurrency)}`;
}

function totals(stats: RunStats): string {
  const parts = [
    `written ${formatCount(stats.written)}`,
    `dead letters ${formatCount(stats.deadLetters)}`,
  ];
  if (stats.invalid > 0) parts.push(`invalid ${formatCount(stats.invalid)}`);
  return parts.join(" · ");
}
