/**
 * The hono app factory: middleware (request ids, CORS when configured,
 * the loopback guard or the bearer token, the body limit), `/health`, the
 * dashboard, the workflow and run endpoints, and one error handler that
 * answers every failure with the common error body and never with a
 * stack trace.
 *
 * @module
 */

import { Hono } from "npm:hono@4.13.19";
import { cors } from "npm:hono@4.13.19/cors";
import { HTTPException } from "npm:hono@4.13.19/http-exception";
import type { ContentfulStatusCode } from "npm:hono@4.13.19/utils/http-status";
import type { AnyWorkflow } from "../lib/workflow/define.ts";
import { limitBody } from "./body_limit.ts";
import { bearerAuth, loopbackOnly } from "./auth.ts";
import type { AppContext, AppEnv, Logger } from "./context.ts";
import {
  DASHBOARD_CSP,
  DASHBOARD_CSS,
  DASHBOARD_HTML,
  DASHBOARD_SCRIPT,
} from "./dashboard.ts";
import { ApiError, errorBody, type ErrorCode } from "./errors.ts";
import type { ResolvedLimits } from "./limits.ts";
import type { RunTotals } from "../lib/telemetry/totals.ts";
import { addMetricsRoute } from "./metrics.ts";
import { addRunPageRoutes } from "./run_page_routes.ts";
import { addRunRoutes } from "./routes_runs.ts";
import { CHARTS_SCRIPT } from "./charts.ts";
import { RUN_PAGE_CSS, RUN_PAGE_HTML, RUN_PAGE_SCRIPT } from "./run_page.ts";
import type { RunRegistry } from "./runs.ts";
import type { StreamTracker } from "./streams.ts";
import { describeWorkflow } from "./workflows.ts";

/** What the app is made of. */
export interface AppDeps {
  /** The server's limits. */
  readonly limits: ResolvedLimits;
  /** The runs. */
  readonly runs: RunRegistry;
  /** The open streams. */
  readonly streams: StreamTracker;
  /** The registered workflows, once loaded (503 if they failed to load). */
  readonly workflows: () => Promise<ReadonlyMap<string, AnyWorkflow>>;
  /** The bearer token, if any. */
  readonly token: string | undefined;
  /** Origins allowed by CORS; none turns CORS off. */
  readonly corsOrigins: readonly string[];
  /** Without a token, answer clients other than loopback too. */
  readonly allowRemoteWithoutToken: boolean;
  /** Milliseconds of silence before an event stream's keep-alive. */
  readonly keepAliveMs: number;
  /** Where failures are logged in detail. */
  readonly log: Logger;
  /** What the runs counted, for `GET /metrics`. */
  readonly totals?: RunTotals;
}

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
  503: "unavailable",
};

/**
 * Builds the app.
 *
 * @param deps The runs, workflows, limits and security settings.
 * @returns The hono app (internal: the server exposes only its `fetch`).
 *
 * @example
 * ```ts ignore
 * import { createApp } from "./app.ts";
 *
 * const app = createApp({ limits, runs, streams, workflows, token, corsOrigins: [], ... });
 * const response = await app.request("/health");
 * ```
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const id = crypto.randomUUID();
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "no-store");
    await next();
  });
  if (deps.corsOrigins.length > 0) {
    app.use(cors({
      origin: [...deps.corsOrigins],
      allowMethods: ["GET", "POST", "PATCH", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"],
      exposeHeaders: ["Location", "Retry-After", "X-Request-Id"],
      maxAge: 600,
    }));
  }

  app.onError((error, c) => errorReply(error, c, deps.log));
  app.notFound((c) =>
    reply(c, 404, "not_found", `No endpoint ${c.req.method} ${c.req.path}`)
  );

  app.get("/health", (c) => c.json({ status: "ok" }));

  if (deps.token === undefined && !deps.allowRemoteWithoutToken) {
    app.use(loopbackOnly());
  }

  // The dashboard's files hold no data: they are served without a token.
  const page = (body: string, type: string) => (c: AppContext) =>
    c.body(body, 200, {
      "Content-Type": type,
      "Content-Security-Policy": DASHBOARD_CSP,
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
    });
  app.get("/", page(DASHBOARD_HTML, "text/html; charset=utf-8"));
  app.get(
    "/dashboard.js",
    page(DASHBOARD_SCRIPT, "text/javascript; charset=utf-8"),
  );
  app.get("/dashboard.css", page(DASHBOARD_CSS, "text/css; charset=utf-8"));
  app.get(
    "/dashboard/runs/:id",
    page(RUN_PAGE_HTML, "text/html; charset=utf-8"),
  );
  app.get(
    "/run_page.js",
    page(RUN_PAGE_SCRIPT, "text/javascript; charset=utf-8"),
  );
  app.get("/run_page.css", page(RUN_PAGE_CSS, "text/css; charset=utf-8"));
  app.get("/charts.js", page(CHARTS_SCRIPT, "text/javascript; charset=utf-8"));

  if (deps.token !== undefined) app.use(bearerAuth(deps.token));
  app.use(limitBody(deps.limits.maxBodyBytes, () => {
    throw new ApiError(
      413,
      "payload_too_large",
      `Request body too large: at most ${deps.limits.maxBodyBytes} bytes`,
      { field: "body" },
    );
  }));

  app.get("/workflows", async (c) => {
    const workflows = await deps.workflows();
    return c.json({
      workflows: [...workflows].map(([name, workflow]) =>
        describeWorkflow(name, workflow)
      ),
    });
  });
  app.get("/workflows/:name", async (c) => {
    const name = c.req.param("name");
    const workflow = (await deps.workflows()).get(name);
    if (workflow === undefined) {
      throw new ApiError(
        404,
        "not_found",
        `Unknown workflow ${
          JSON.stringify(name.slice(0, 100))
        }: see GET /workflows for the registered ones`,
      );
    }
    return c.json(describeWorkflow(name, workflow));
  });

  addRunRoutes(app, deps);
  addRunPageRoutes(app, deps.runs);
  if (deps.totals !== undefined) addMetricsRoute(app, deps.totals);
  return app;
}

function reply(
  c: AppContext,
  status: number,
  code: ErrorCode,
  message: string,
  options: {
    field?: string | undefined;
    reason?: string | undefined;
    requestId?: string;
  } = {},
  headers: Readonly<Record<string, string>> = {},
): Response {
  return c.json(
    errorBody(code, message, options),
    status as ContentfulStatusCode,
    { ...headers },
  );
}

/** Every failure's answer: the common body; detail goes to the log only. */
function errorReply(error: Error, c: AppContext, log: Logger): Response {
  const requestId = c.get("requestId");
  if (error instanceof ApiError) {
    return reply(
      c,
      error.status,
      error.code,
      error.message,
      {
        field: error.field,
        reason: error.reason,
        ...(error.status >= 500 ? { requestId } : {}),
      },
      error.headers,
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    const code = STATUS_CODES[error.status] ?? "bad_request";
    return reply(c, error.status, code, `Request refused (${code})`);
  }
  log({
    level: "error",
    message: `${c.req.method} ${c.req.path} failed`,
    requestId,
    error,
  });
  return reply(
    c,
    500,
    "internal",
    "Internal server error: the server's log has the detail under this request id",
    { requestId },
  );
}
