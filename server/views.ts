/**
 * The JSON shapes of runs in responses: a short form for `GET /runs`, the
 * full one (live stats, the summary once finished) for `GET /runs/:id`,
 * and the links a client follows.
 *
 * @module
 */

import type { SourceProgress } from "../lib/io/types.ts";
import type { RunStats, RunStatus, RunSummary } from "../lib/workflow/stats.ts";
import type { ParamValue } from "./requests.ts";
import type { InputKind, RunRecord } from "./runs.ts";

/** Where to find a run's parts. */
export interface RunLinks {
  /** `GET` the run. */
  readonly self: string;
  /** `GET` its server-sent events. */
  readonly events: string;
  /** `GET` its outcomes (JSON lines, or CSV). */
  readonly results: string;
  /** `POST` to cancel it. */
  readonly cancel: string;
}

/** A run's state: going (`running`, `stopping`) or how it ended. */
export type RunState = "running" | "stopping" | RunStatus;

/** A run in `GET /runs`. */
export interface RunListItem {
  /** The run's id. */
  readonly id: string;
  /** The registered workflow. */
  readonly workflow: string;
  /** Going, or how it ended. */
  readonly status: RunState;
  /** When it was created, in ms since the epoch. */
  readonly createdAt: number;
  /** When it ended, if it has. */
  readonly finishedAt: number | null;
  /** How far the source has read. */
  readonly progress: SourceProgress;
  /** Items read. */
  readonly read: number;
  /** Items written. */
  readonly written: number;
  /** Items that failed. */
  readonly failed: number;
  /** Whether it keeps checkpoints, so that it can be resumed. */
  readonly durable: boolean;
  /** Its links. */
  readonly links: RunLinks;
}

/** A run in `GET /runs/:id`. */
export interface RunDetail extends RunListItem {
  /** Where its items come from. */
  readonly input: InputKind;
  /** The parameters as asked. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Its counts now, per stage. */
  readonly stats: RunStats;
  /**
   * Once a resumed durable run has ended: the run it continued (its first
   * attempt's id) and the items skipped as done; `null` otherwise.
   */
  readonly resumed: NonNullable<RunSummary["resumed"]> | null;
  /** How it ended, once it has. */
  readonly summary: RunSummary | null;
}

/**
 * The links of a run.
 *
 * @param id The run's id.
 * @returns Paths relative to the server's root.
 *
 * @example
 * ```ts
 * import { runLinks } from "./views.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(runLinks("r1").events, "/runs/r1/events");
 * ```
 */
export function runLinks(id: string): RunLinks {
  const self = `/runs/${encodeURIComponent(id)}`;
  return {
    self,
    events: `${self}/events`,
    results: `${self}/results`,
    cancel: `${self}/cancel`,
  };
}

/**
 * A run's short form.
 *
 * @param record The run.
 * @returns Its status, counts and links.
 *
 * @example
 * ```ts ignore
 * import { runListItem } from "./views.ts";
 *
 * const body = { runs: registry.list().map(runListItem) };
 * ```
 */
export function runListItem(record: RunRecord): RunListItem {
  return listItem(record, record.handle.stats());
}

/**
 * A run's full form.
 *
 * @param record The run.
 * @returns Its status, parameters, stats, summary and links.
 *
 * @example
 * ```ts ignore
 * import { runDetail } from "./views.ts";
 *
 * return c.json(runDetail(registry.get(id)));
 * ```
 */
export function runDetail(record: RunRecord): RunDetail {
  const stats = record.handle.stats();
  return {
    ...listItem(record, stats),
    input: record.input,
    params: record.params,
    stats,
    resumed: record.summary?.resumed ?? null,
    summary: record.summary ?? null,
  };
}

function listItem(record: RunRecord, stats: RunStats): RunListItem {
  const summary = record.summary;
  return {
    id: record.id,
    workflow: record.workflow,
    status: summary?.status ??
      (stats.state === "running" ? "running" : "stopping"),
    createdAt: record.createdAt,
    finishedAt: summary?.finishedAt ?? null,
    progress: stats.progress,
    read: stats.read,
    written: stats.written,
    failed: stats.deadLetters,
    durable: record.durable,
    links: runLinks(record.id),
  };
}
