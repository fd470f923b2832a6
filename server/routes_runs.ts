/**
 * The run endpoints: start (`POST /runs`, JSON or CSV), list, inspect,
 * resize (`PATCH`), cancel, follow the events and read the results.
 *
 * @module
 */

import type { Hono } from "npm:hono@4.13.19";
import { fromIterable } from "../lib/io/iterable_source.ts";
import type { Source } from "../lib/io/types.ts";
import type { AnyWorkflow } from "../lib/workflow/define.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { CSV_INPUT_LOCATION, parseCsvInput } from "./csv_input.ts";
import { ApiError } from "./errors.ts";
import type { ResolvedLimits } from "./limits.ts";
import {
  type CreateRunRequest,
  isMediaType,
  parseCancel,
  parseCreateRun,
  parseCsvRunQuery,
  parseResize,
  readJson,
} from "./requests.ts";
import { type ResultFormat, resultStream } from "./results_stream.ts";
import type { InputKind, RunRecord, RunRegistry } from "./runs.ts";
import { eventStreamResponse, lastEventId } from "./sse.ts";
import type { StreamTracker } from "./streams.ts";
import { runDetail, runLinks, runListItem } from "./views.ts";
import { workflowFingerprint } from "./workflows.ts";

/** What the run endpoints use. */
export interface RunRoutesDeps {
  /** The server's limits. */
  readonly limits: ResolvedLimits;
  /** The runs. */
  readonly runs: RunRegistry;
  /** The open streams. */
  readonly streams: StreamTracker;
  /** The registered workflows, once loaded. */
  readonly workflows: () => Promise<ReadonlyMap<string, AnyWorkflow>>;
  /** Milliseconds of silence before an event stream's keep-alive. */
  readonly keepAliveMs: number;
}

/**
 * Adds the run endpoints to `app`.
 *
 * @param app The app.
 * @param deps What the endpoints use.
 *
 * @example
 * ```ts ignore
 * import { Hono } from "hono";
 * import { addRunRoutes } from "./routes_runs.ts";
 *
 * const app = new Hono();
 * addRunRoutes(app, { limits, runs, streams, workflows, keepAliveMs: 15_000 });
 * ```
 */
export function addRunRoutes(app: Hono<AppEnv>, deps: RunRoutesDeps): void {
  const { limits, runs, streams } = deps;

  app.post("/runs", async (c) => {
    let request: Omit<CreateRunRequest, "input">;
    let source: Source<unknown> | undefined;
    let rows: readonly unknown[] | undefined;
    let input: InputKind = "workflow";
    const query = new URL(c.req.url).searchParams;
    if (isMediaType(c.req.header("content-type"), "text/csv")) {
      request = parseCsvRunQuery(query, limits);
      rows = parseCsvInput(await c.req.text(), limits.maxInputRows);
      source = fromIterable(rows, { name: CSV_INPUT_LOCATION });
      input = "csv";
    } else {
      const [key] = query.keys();
      if (key !== undefined) {
        throw new ApiError(
          400,
          "bad_request",
          `Unknown query parameter "${key}": with a JSON body, put everything in the body`,
          { field: key },
        );
      }
      const body = parseCreateRun(await readJson(c.req.raw), limits);
      request = body;
      if (body.input !== undefined) {
        rows = body.input;
        source = fromIterable(rows, { name: "request" });
        input = "inline";
      }
    }
    const workflow = (await deps.workflows()).get(request.workflow);
    if (workflow === undefined) {
      throw new ApiError(
        404,
        "not_found",
        `Unknown workflow ${
          JSON.stringify(request.workflow.slice(0, 100))
        }: see GET /workflows for the registered ones`,
        { field: "workflow" },
      );
    }
    const record = await runs.start({
      name: request.workflow,
      workflow,
      params: request.params,
      concurrency: request.concurrency,
      source,
      rows,
      input,
      resume: request.resume,
      force: request.force,
      fingerprint: workflowFingerprint(workflow),
    });
    const links = runLinks(record.id);
    return c.json(
      {
        id: record.id,
        workflow: record.workflow,
        status: "running",
        durable: record.durable,
        links,
      },
      201,
      { Location: links.self },
    );
  });

  app.get("/runs", (c) =>
    c.json({
      runs: runs.list().map(runListItem),
      active: runs.active,
      maxConcurrentRuns: limits.maxConcurrentRuns,
    }));

  app.get("/runs/:id", (c) => c.json(runDetail(runs.get(c.req.param("id")))));

  app.patch("/runs/:id", async (c) => {
    const record = runs.get(c.req.param("id"));
    const sizes = parseResize(await readJson(c.req.raw), limits);
    requireRunning(record, "resize");
    const stages = record.handle.stats().stages;
    for (const name of Object.keys(sizes)) {
      const stage = stages.find((s) => s.name === name);
      if (stage === undefined || stage.kind === "batch") {
        const names = stages.filter((s) => s.kind !== "batch").map((s) =>
          `"${s.name}"`
        );
        throw new ApiError(
          400,
          "bad_request",
          `${
            stage === undefined
              ? "Unknown stage"
              : "Cannot resize the batch stage"
          } ${
            JSON.stringify(name.slice(0, 100))
          }: the stages with a concurrency are ${names.join(", ") || "none"}`,
          { field: `concurrency.${name}` },
        );
      }
    }
    for (const [name, n] of Object.entries(sizes)) {
      record.handle.resize(name, n);
    }
    return c.json(runDetail(record));
  });

  app.post("/runs/:id/cancel", async (c) => {
    const record = runs.get(c.req.param("id"));
    const { graceful } = parseCancel(await readJson(c.req.raw, true));
    requireRunning(record, "cancel");
    if (graceful) record.handle.stop();
    else {
      record.handle.abort(
        new DOMException("The run was cancelled over HTTP", "AbortError"),
      );
    }
    return c.json(runDetail(record), 202);
  });

  app.get("/runs/:id/events", (c) => {
    const record = runs.get(c.req.param("id"));
    const after = lastEventId(
      c.req.header("last-event-id"),
      c.req.query("lastEventId"),
    );
    return eventStreamResponse(c, record.events, after, {
      streams,
      keepAliveMs: deps.keepAliveMs,
    });
  });

  app.get("/runs/:id/results", (c) => {
    const record = runs.get(c.req.param("id"));
    const format = resultFormat(c);
    const ended = new AbortController();
    const slot = streams.open(() => ended.abort());
    const body = resultStream(
      record.results,
      format,
      AbortSignal.any([slot.signal, ended.signal]),
      () => slot.release(),
    );
    return c.body(body, 200, {
      "Content-Type": format === "csv"
        ? "text/csv; charset=utf-8"
        : "application/x-ndjson; charset=utf-8",
      "X-Results-Limit": String(record.results.limit),
    });
  });

  for (
    const [path, allow] of [
      ["/runs", "GET, POST"],
      ["/runs/:id", "GET, PATCH"],
      ["/runs/:id/cancel", "POST"],
      ["/runs/:id/events", "GET"],
      ["/runs/:id/results", "GET"],
    ] as const
  ) {
    app.all(path, () => {
      throw new ApiError(
        405,
        "method_not_allowed",
        `Method not allowed: ${path} takes ${allow}`,
        { headers: { Allow: allow } },
      );
    });
  }
}

function requireRunning(record: RunRecord, action: string): void {
  if (record.summary !== undefined) {
    throw new ApiError(
      409,
      "conflict",
      `Cannot ${action} run "${record.id}": it has finished (${record.summary.status})`,
    );
  }
}

/** JSON lines, unless `?format=csv` or an `Accept` that prefers CSV. */
function resultFormat(c: AppContext): ResultFormat {
  const format = c.req.query("format");
  if (format !== undefined) {
    if (format === "csv" || format === "jsonl") return format;
    throw new ApiError(
      400,
      "bad_request",
      `Invalid format ${
        JSON.stringify(format.slice(0, 40))
      }: expected "jsonl" or "csv"`,
      { field: "format" },
    );
  }
  const accept = c.req.header("accept") ?? "";
  return /\btext\/csv\b/i.test(accept) &&
      !/\bapplication\/(?:x-ndjson|jsonl)\b/i.test(accept)
    ? "csv"
    : "jsonl";
}
