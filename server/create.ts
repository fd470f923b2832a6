/**
 * {@linkcode createServer}: the HTTP runner as a plain `fetch` handler with
 * a `close()`, built from the registered workflows and the options. The
 * hono app stays inside: the exported types name only `Request` and
 * `Response`.
 *
 * @module
 */

import type { AnyWorkflow } from "../lib/workflow/define.ts";
import { SqliteCheckpointStore } from "../lib/durable/sqlite_store.ts";
import { type Duration, parseDuration } from "../lib/units/duration.ts";
import { createApp } from "./app.ts";
import { type ClientInfo, consoleLogger, type Logger } from "./context.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { resolveLimits, type ServerLimits } from "./limits.ts";
import { otelFromEnv } from "../lib/telemetry/env.ts";
import { Telemetry, type TelemetryOptions } from "../lib/telemetry/otel.ts";
import { RunTotals } from "../lib/telemetry/totals.ts";
import { RunRegistry } from "./runs.ts";
import { StreamTracker } from "./streams.ts";
import {
  loadWorkflowFolder,
  workflowMap,
  type WorkflowSet,
} from "./workflows.ts";

/** Options of {@linkcode createServer}. */
export interface ServerOptions {
  /**
   * The only workflows the server runs: a folder of workflow files (loaded
   * once, at start), or the workflows by name.
   */
  workflows: WorkflowSet;
  /**
   * The bearer token every request but `/health` must carry (at least 16
   * printable characters, no spaces). Without one, the server answers only
   * loopback clients unless `allowRemoteWithoutToken` is set.
   */
  token?: string | undefined;
  /** Body size, runs at once, retention; see {@linkcode ServerLimits}. */
  limits?: ServerLimits;
  /** Origins allowed to call the API from a browser; none turns CORS off. */
  corsOrigins?: readonly string[];
  /** How often runs send `progress` events. Defaults to `"1s"`. */
  progressInterval?: Duration;
  /** Silence after which an event stream sends a keep-alive comment. Defaults to `"15s"`. */
  keepAliveInterval?: Duration;
  /** Without a token, answer clients other than loopback too (not advised). */
  allowRemoteWithoutToken?: boolean;
  /** Receives errors in detail (clients only get a request id). Defaults to stderr. */
  log?: Logger;
  /**
   * The path of a SQLite file (created with its folder) where durable runs
   * keep their checkpoints. With it, every run whose outputs are files
   * (`.jsonl`, `.csv`, `.json`) or none is durable, and `POST /runs`
   * takes `"resume": true` to continue the latest unfinished one. Without
   * it, no run is durable.
   */
  checkpoints?: string | undefined;
  /**
   * How long `close()` lets running runs stop gracefully (no new items;
   * items in flight finish, durable runs commit a checkpoint) before
   * aborting them. Defaults to 0: `close()` aborts them at once.
   */
  shutdownGrace?: Duration;
  /**
   * Also trace runs and export their metrics through OpenTelemetry: `true`
   * for the global providers (Deno's exporter under `OTEL_DENO=true`), or
   * the providers and sampling to use. Defaults to `true` when
   * `OTEL_DENO=true`. `GET /metrics` works either way.
   */
  otel?: boolean | TelemetryOptions;
}

/** The HTTP runner: a `fetch` handler for `Deno.serve`, and its shutdown. */
export interface PoolflowServer {
  /**
   * Answers one request. Pass it to `Deno.serve`, or call it in tests.
   *
   * @param request The request.
   * @param info The connection, as `Deno.serve` gives it (the client's
   * address is checked when the server has no token).
   * @returns The response.
   */
  fetch(request: Request, info?: ClientInfo): Promise<Response>;
  /**
   * Resolves once the workflows are loaded.
   *
   * @returns The registered workflow names.
   * @throws {Error} If the workflow folder cannot be loaded.
   */
  ready(): Promise<readonly string[]>;
  /**
   * Refuses new requests (503) and ends the running runs: aborts them, or
   * with `shutdownGrace` stops them gracefully first (durable ones keep
   * their outputs to resume) and aborts those still going after it. Then
   * ends every open stream, closes the checkpoint store, and resolves once
   * all have ended and every timer is stopped. Calling it again while it
   * waits aborts the runs at once.
   */
  close(): Promise<void>;
}

const TOKEN = /^[!-~]{16,}$/;
/** How long closing waits for event streams to deliver their last events. */
const CLOSE_GRACE_MS = 1000;

/**
 * Creates the HTTP runner. Nothing listens: serve its `fetch`.
 *
 * @param options The workflows, the token, limits, CORS origins.
 * @returns The server.
 * @throws {TypeError} If the token, a limit or a workflow is invalid.
 * @throws {RangeError} If a limit or duration is out of range.
 * @throws {CheckpointStoreError} If the `checkpoints` file cannot be opened.
 *
 * @example Run a registered workflow over HTTP, in-process
 * ```ts
 * import { defineWorkflow, fromIterable } from "@poolflow/poolflow";
 * import { createServer } from "@poolflow/poolflow/server";
 * import { assertEquals } from "@std/assert";
 *
 * const squares = defineWorkflow({
 *   name: "squares",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("square", (n) => n * n),
 * });
 * const server = createServer({ workflows: { squares } });
 * const created = await server.fetch(new Request("http://localhost/runs", {
 *   method: "POST",
 *   headers: { "Content-Type": "application/json" },
 *   body: JSON.stringify({ workflow: "squares", input: [4, 5] }),
 * }));
 * assertEquals(created.status, 201);
 * const { links } = await created.json();
 * const results = await server.fetch(new Request(`http://localhost${links.results}`));
 * assertEquals(await results.text(), '{"ok":true,"value":16}\n{"ok":true,"value":25}\n');
 * await server.close();
 * ```
 */
export function createServer(options: ServerOptions): PoolflowServer {
  const token = options.token;
  if (
    token !== undefined && (typeof token !== "string" || !TOKEN.test(token))
  ) {
    throw new TypeError(
      "Invalid token: expected at least 16 printable ASCII characters without spaces",
    );
  }
  const corsOrigins = options.corsOrigins ?? [];
  for (const origin of corsOrigins) {
    if (
      typeof origin !== "string" || !/^(?:\*|https?:\/\/[^/\s]+)$/.test(origin)
    ) {
      throw new TypeError(
        `Invalid CORS origin ${
          JSON.stringify(origin)
        }: expected an origin such as "https://example.com"`,
      );
    }
  }
  const limits = resolveLimits(options.limits);
  const progressIntervalMs = parseDuration(
    options.progressInterval ?? "1s",
    "progressInterval",
  );
  const keepAliveMs = parseDuration(
    options.keepAliveInterval ?? "15s",
    "keepAliveInterval",
  );
  if (progressIntervalMs < 10 || keepAliveMs < 10) {
    throw new RangeError(
      "Invalid progressInterval or keepAliveInterval: expected at least 10ms",
    );
  }
  const graceMs = parseDuration(options.shutdownGrace ?? 0, "shutdownGrace");
  if (
    options.checkpoints !== undefined &&
    (typeof options.checkpoints !== "string" ||
      options.checkpoints.trim() === "")
  ) {
    throw new TypeError(
      `Invalid checkpoints: expected the path of a SQLite file, such as ".poolflow/checkpoints.db", got ${
        JSON.stringify(options.checkpoints)
      }`,
    );
  }
  const log = options.log ?? consoleLogger;
  const loading: Promise<ReadonlyMap<string, AnyWorkflow>> =
    typeof options.workflows === "string" || options.workflows instanceof URL
      ? loadWorkflowFolder(options.workflows)
      : Promise.resolve(workflowMap(options.workflows));
  let loadFailure: unknown;
  loading.catch((error) => {
    loadFailure = error;
    log({ level: "error", message: "Cannot load the workflows", error });
  });
  const workflows = async (): Promise<ReadonlyMap<string, AnyWorkflow>> => {
    try {
      return await loading;
    } catch {
      throw new ApiError(
        503,
        "unavailable",
        "The server's workflows failed to load: its log says why",
      );
    }
  };

  // Opened last: nothing can fail after it and leave it open.
  const checkpoints = options.checkpoints === undefined
    ? undefined
    : new SqliteCheckpointStore(options.checkpoints);
  const totals = new RunTotals();
  const otel = options.otel ?? otelFromEnv();
  const watcher = otel === false
    ? totals
    : new Telemetry({ ...(otel === true ? {} : otel), totals });
  const runs = new RunRegistry({
    limits,
    progressIntervalMs,
    checkpoints,
    watcher,
  });
  const streams = new StreamTracker(limits.maxEventStreams);
  const app = createApp({
    limits,
    runs,
    streams,
    workflows,
    token,
    corsOrigins,
    allowRemoteWithoutToken: options.allowRemoteWithoutToken === true,
    keepAliveMs,
    log,
    totals,
  });
  let closing: Promise<void> | undefined;

  return {
    async fetch(request: Request, info?: ClientInfo): Promise<Response> {
      if (closing !== undefined) {
        return errorResponse(503, "unavailable", "The server is shutting down");
      }
      return await app.fetch(request, info);
    },
    async ready(): Promise<readonly string[]> {
      const map = await loading.catch(() => {
        throw loadFailure;
      });
      return [...map.keys()];
    },
    close(): Promise<void> {
      // A second call while the runs get their grace: abort them now.
      if (closing !== undefined) void runs.close();
      closing ??= (async () => {
        // Runs end first, so their streams can send `run-finished`.
        streams.refuse();
        try {
          await runs.close(graceMs);
        } finally {
          checkpoints?.close();
        }
        await streams.close(CLOSE_GRACE_MS);
      })();
      return closing;
    },
  };
}
