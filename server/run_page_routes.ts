/**
 * The run page's data, as JSON behind the same token as the rest of the
 * API: `GET /runs/:id/dashboard` (status, per-stage in-flight and queued,
 * throughput over time, latency percentiles and histograms) and
 * `GET /runs/:id/failures?offset=&limit=` (the kept failures, a page at a
 * time). The page's events come from `GET /runs/:id/events`.
 *
 * @module
 */

import type { Hono } from "npm:hono@4.13.19";
import type { RunStats, RunSummary } from "../lib/workflow/stats.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";
import type { FailureRecord } from "./results.ts";
import type { RunPageSnapshot } from "./run_page_data.ts";
import type { RunRegistry } from "./runs.ts";
import { type RunLinks, runLinks, type RunState } from "./views.ts";

/** `GET /runs/:id/dashboard`. */
export interface RunPageBody extends RunPageSnapshot {
  /** The run's id. */
  readonly id: string;
  /** The registered workflow. */
  readonly workflow: string;
  /** Going, or how it ended. */
  readonly status: RunState;
  /** Its counts now, per stage (in flight: `running`; queued: `queued`). */
  readonly stats: RunStats;
  /** How it ended, once it has. */
  readonly summary: RunSummary | null;
  /** Failures kept for `GET /runs/:id/failures`. */
  readonly failuresKept: number;
  /** Its links, and the failures' path. */
  readonly links: RunLinks & { readonly failures: string };
}

/** `GET /runs/:id/failures`. */
export interface FailurePage {
  /** The failures from `offset`, at most `limit`, in the order they came. */
  readonly failures: readonly FailureRecord[];
  /** The first one's position among the kept failures. */
  readonly offset: number;
  /** The page size asked for. */
  readonly limit: number;
  /** Failures kept in all. */
  readonly total: number;
  /** Outcomes (failures or not) not kept because the run's buffer was full. */
  readonly dropped: number;
}

/** Failures per page when `limit` is not given, and at most. */
export const FAILURE_PAGE = { default: 20, max: 200 } as const;

/**
 * Adds the run page's data routes to `app`.
 *
 * @param app The app.
 * @param runs The runs.
 *
 * @example
 * ```ts ignore
 * import { addRunPageRoutes } from "./run_page_routes.ts";
 *
 * addRunPageRoutes(app, registry);
 * ```
 */
export function addRunPageRoutes(app: Hono<AppEnv>, runs: RunRegistry): void {
  app.get("/runs/:id/dashboard", (c) => {
    const record = runs.get(c.req.param("id"));
    const stats = record.handle.stats();
    const summary = record.summary ?? null;
    let failuresKept = 0;
    for (const r of record.results.records) if (!r.ok) failuresKept++;
    const links = runLinks(record.id);
    const body: RunPageBody = {
      id: record.id,
      workflow: record.workflow,
      status: summary?.status ??
        (stats.state === "running" ? "running" : "stopping"),
      stats,
      summary,
      ...record.page.snapshot(),
      failuresKept,
      links: { ...links, failures: `${links.self}/failures` },
    };
    return c.json(body);
  });

  app.get("/runs/:id/failures", (c) => {
    const record = runs.get(c.req.param("id"));
    const offset = count(c.req.query("offset"), "offset", 0, Infinity);
    const limit = count(
      c.req.query("limit"),
      "limit",
      FAILURE_PAGE.default,
      FAILURE_PAGE.max,
    );
    const failures: FailureRecord[] = [];
    let total = 0;
    for (const r of record.results.records) {
      if (r.ok) continue;
      if (total >= offset && failures.length < limit) failures.push(r);
      total++;
    }
    const body: FailurePage = {
      failures,
      offset,
      limit,
      total,
      dropped: record.results.dropped,
    };
    return c.json(body);
  });

  for (const path of ["/runs/:id/dashboard", "/runs/:id/failures"]) {
    app.all(path, () => {
      throw new ApiError(
        405,
        "method_not_allowed",
        `Method not allowed: ${path} takes GET`,
        { headers: { Allow: "GET" } },
      );
    });
  }
}

function count(
  value: string | undefined,
  field: string,
  fallback: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const min = field === "limit" ? 1 : 0;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw new ApiError(
      400,
      "bad_request",
      `Invalid ${field} ${
        JSON.stringify(value.slice(0, 40))
      }: expected an integer from ${min}${
        max === Infinity ? " up" : ` to ${max}`
      }`,
      { field },
    );
  }
  return n;
}
