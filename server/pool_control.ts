/**
 * Control of a running `TaskPool` from outside the process, as
 * asyncio-taskpool's control server: a small hono app to list its groups,
 * start a registered function, resize, cancel, lock and unlock, and to
 * start and stop the tasks of registered `SimpleTaskPool`s.
 *
 * Least privilege: a request can only name a function or a
 * `SimpleTaskPool` the operator registered and say how many; it passes no
 * arguments and no code. It is guarded as the HTTP runner is: with a token,
 * every request must carry `Authorization: Bearer <token>`; without one,
 * only loopback clients are answered.
 *
 * @module
 */

import { Hono } from "npm:hono@4.13.19";
import { HTTPException } from "npm:hono@4.13.19/http-exception";
import type { ContentfulStatusCode } from "npm:hono@4.13.19/utils/http-status";
import { PoolRefusedError } from "../lib/pool/pool_errors.ts";
import type { StoppedTask } from "../lib/pool/simple_task_pool.ts";
import type { TaskGroup } from "../lib/pool/task_group.ts";
import type { TaskPool } from "../lib/pool/task_pool.ts";
import type { TaskContext } from "../lib/pool/types.ts";
import { bearerAuth, loopbackOnly } from "./auth.ts";
import { limitBody } from "./body_limit.ts";
import { type ClientInfo, consoleLogger, type Logger } from "./context.ts";
import { ApiError, errorBody } from "./errors.ts";
import {
  checkBody,
  checkCountField,
  checkNameField,
  type ControlledWorkers,
  groupView,
  poolView,
  workersView,
} from "./pool_control_requests.ts";
import { readJson } from "./requests.ts";

export type {
  ControlledWorkers,
  GroupView,
  PoolView,
  WorkersView,
} from "./pool_control_requests.ts";

/** A function a control request may start: it gets only the task context. */
export type ControlFunction = (ctx: TaskContext) => unknown;

/** Options of {@linkcode poolControl}. */
export interface PoolControlOptions {
  /** The pool to control. */
  pool: TaskPool;
  /**
   * The functions `POST /groups` may start, by name. Nothing else can be
   * started; leave it out to allow no start at all.
   */
  functions?: Readonly<Record<string, ControlFunction>>;
  /** `SimpleTaskPool`s whose tasks `/workers/:name/...` may start and stop. */
  workers?: Readonly<Record<string, ControlledWorkers>>;
  /**
   * The token every request must carry as `Authorization: Bearer <token>`:
   * at least 16 printable ASCII characters. Without it, only loopback
   * clients are answered.
   */
  token?: string | undefined;
  /** Without a token, answer clients other than loopback too (not advised). */
  allowRemoteWithoutToken?: boolean;
  /**
   * The highest count a request may ask for (tasks to start or stop, a
   * concurrency, a limit). Defaults to 1000.
   */
  maxCount?: number;
  /** Where unexpected failures are logged; defaults to stderr. */
  log?: Logger;
}

/** The hono environment of the control app. */
type PoolControlEnv = {
  Variables: { requestId: string };
  Bindings: ClientInfo;
};

/**
 * The control app: a hono app, typed here by what serving and testing it
 * need. Mount it in another hono app with `app.mount("/control", control.fetch)`.
 */
export interface PoolControlApp {
  /**
   * Answers one request. Pass it to `Deno.serve`.
   *
   * @param request The request.
   * @param info The connection, as `Deno.serve` gives it (the client's
   * address is checked when there is no token).
   * @returns The response.
   */
  fetch(request: Request, info?: ClientInfo): Response | Promise<Response>;
  /**
   * Answers a request made in-process, as hono's `app.request()`.
   *
   * @param input A path such as `"/pool"`, a URL or a request.
   * @param init The method, headers and body.
   * @param info The connection, to test the loopback check.
   * @returns The response.
   */
  request(
    input: string | URL | Request,
    init?: RequestInit,
    info?: ClientInfo,
  ): Response | Promise<Response>;
}

const TOKEN = /^[!-~]{16,}$/;
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Builds the control app of a pool. Serve its `fetch` (on loopback, or
 * with a token), or mount it in another hono app with `app.mount()`.
 *
 * | Method and path              | Body                                   | Does                                   |
 * | ---------------------------- | -------------------------------------- | -------------------------------------- |
 * | `GET /pool`                  |                                        | limits, counts, functions and groups   |
 * | `PATCH /pool`                | `{ "limit": n }`                       | `pool.resize(n)`                       |
 * | `POST /pool/lock`, `/unlock` |                                        | refuse or allow new groups             |
 * | `GET /groups`, `/groups/:id` |                                        | the groups, or one                     |
 * | `POST /groups`               | `{ "function", "num"?, "group"? }`     | `pool.apply(fn, { num, group })`: 201  |
 * | `PATCH /groups/:id`          | `{ "concurrency": n }`                 | `group.resize(n)`                      |
 * | `POST /groups/:id/cancel`    |                                        | `pool.cancel(id)`: 202                 |
 * | `GET /workers`, `/workers/:name` |                                    | the registered `SimpleTaskPool`s       |
 * | `POST /workers/:name/start`  | `{ "n"? }`                             | `start(n)`: `{ started, workers }`     |
 * | `POST /workers/:name/stop`   | `{ "k"? }` or `{ "all": true }`        | `stop(k)`: `{ stopped, workers }`      |
 * | `PATCH /workers/:name`       | `{ "limit": n }`                       | `resize(n)`                            |
 *
 * Errors have the HTTP runner's body, `{ error: { code, message, field? } }`:
 * 400 for a bad field, 401 without the token, 404 for an unknown group,
 * function or workers, 409 when the pool refuses (locked, closed, a group
 * id in use, a group that has ended).
 *
 * @param options The pool, what may be started, and who may call.
 * @returns The hono app.
 * @throws {TypeError} If the token or `maxCount` is invalid.
 *
 * @example Start and cancel a registered function over HTTP
 * ```ts
 * import { TaskPool } from "@poolflow/poolflow";
 * import { poolControl } from "@poolflow/poolflow/server";
 * import { assertEquals } from "@std/assert";
 *
 * const pool = new TaskPool({ limit: 4 });
 * const app = poolControl({
 *   pool,
 *   token: "control-token-0123456789",
 *   functions: {
 *     heartbeat: ({ signal }) =>
 *       new Promise((resolve) => signal.addEventListener("abort", resolve)),
 *   },
 * });
 * const headers = {
 *   authorization: "Bearer control-token-0123456789",
 *   "content-type": "application/json",
 * };
 * const started = await app.request("/groups", {
 *   method: "POST",
 *   headers,
 *   body: JSON.stringify({ function: "heartbeat", num: 2, group: "beat" }),
 * });
 * assertEquals(started.status, 201);
 * assertEquals(started.headers.get("location"), "/groups/beat");
 * assertEquals((await started.json()).state, "running");
 * const cancelled = await app.request("/groups/beat/cancel", { method: "POST", headers });
 * assertEquals((await cancelled.json()).state, "cancelled");
 * await pool.close();
 * ```
 */
export function poolControl(
  options: PoolControlOptions,
): PoolControlApp {
  const { pool, token } = options;
  if (
    token !== undefined && (typeof token !== "string" || !TOKEN.test(token))
  ) {
    throw new TypeError(
      "Invalid token: expected at least 16 printable ASCII characters without spaces",
    );
  }
  const maxCount = options.maxCount ?? 1000;
  if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
    throw new TypeError(
      `Invalid maxCount: expected an integer >= 1, got ${String(maxCount)}`,
    );
  }
  const functions = new Map(Object.entries(options.functions ?? {}));
  const workers = new Map(Object.entries(options.workers ?? {}));
  const names = [...functions.keys()];
  const log = options.log ?? consoleLogger;

  const app = new Hono<PoolControlEnv>();
  app.use(async (c, next) => {
    const id = crypto.randomUUID();
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "no-store");
    await next();
  });
  app.onError((error, c) => {
    const { status, body } = errorAnswer(error, c.get("requestId"), log, c);
    return c.json(body, status as ContentfulStatusCode);
  });
  app.notFound((c) =>
    c.json(
      errorBody("not_found", `No endpoint ${c.req.method} ${c.req.path}`),
      404,
    )
  );
  if (token === undefined && options.allowRemoteWithoutToken !== true) {
    app.use(loopbackOnly());
  }
  if (token !== undefined) app.use(bearerAuth(token));
  app.use(limitBody(MAX_BODY_BYTES, () => {
    throw new ApiError(
      413,
      "payload_too_large",
      `Request body too large: at most ${MAX_BODY_BYTES} bytes`,
      { field: "body" },
    );
  }));

  const body = async (request: Request, allowed: readonly string[]) =>
    checkBody(await readJson(request, true), allowed);
  const findGroup = (id: string): TaskGroup<unknown, unknown> => {
    const group = pool.group(id);
    if (group === undefined) {
      throw new ApiError(
        404,
        "not_found",
        `Unknown group ${quote(id)}: see GET /groups for the pool's groups`,
      );
    }
    return group;
  };
  const findWorkers = (name: string): ControlledWorkers => {
    const found = workers.get(name);
    if (found === undefined) {
      throw new ApiError(
        404,
        "not_found",
        `Unknown workers ${quote(name)}: registered are ${
          [...workers.keys()].map(quote).join(", ") || "none"
        }`,
      );
    }
    return found;
  };

  app.get("/pool", (c) => c.json(poolView(pool, names)));
  app.patch("/pool", async (c) => {
    const given = await body(c.req.raw, ["limit"]);
    pool.resize(checkCountField(given, "limit", { min: 0, max: maxCount }));
    return c.json(poolView(pool, names));
  });
  app.post("/pool/lock", (c) => {
    pool.lock();
    return c.json(poolView(pool, names));
  });
  app.post("/pool/unlock", (c) => {
    pool.unlock();
    return c.json(poolView(pool, names));
  });

  app.get("/groups", (c) => c.json({ groups: pool.groups.map(groupView) }));
  app.get(
    "/groups/:id",
    (c) => c.json(groupView(findGroup(c.req.param("id")))),
  );
  app.post("/groups", async (c) => {
    const given = await body(c.req.raw, ["function", "num", "group"]);
    const name = checkNameField(given, "function");
    const fn = name === undefined ? undefined : functions.get(name);
    if (name === undefined || fn === undefined) {
      throw new ApiError(
        name === undefined ? 400 : 404,
        name === undefined ? "bad_request" : "not_found",
        `${
          name === undefined
            ? "Missing function"
            : `Unknown function ${quote(name)}`
        }: registered are ${names.map(quote).join(", ") || "none"}`,
        { field: "function" },
      );
    }
    const num = checkCountField(given, "num", {
      min: 1,
      max: maxCount,
      default: 1,
    });
    const group = checkNameField(given, "group");
    if (group !== undefined && pool.group(group) !== undefined) {
      throw new ApiError(
        409,
        "conflict",
        `Cannot start group ${
          quote(group)
        }: the id is in use; pick another or leave "group" out`,
        { field: "group" },
      );
    }
    const started = pool.apply((ctx) => fn(ctx), {
      num,
      ...(group === undefined ? {} : { group }),
    });
    c.header("Location", `/groups/${encodeURIComponent(started.id)}`);
    return c.json(groupView(started), 201);
  });
  app.patch("/groups/:id", async (c) => {
    const group = findGroup(c.req.param("id"));
    const given = await body(c.req.raw, ["concurrency"]);
    const n = checkCountField(given, "concurrency", { min: 0, max: maxCount });
    requireRunning(group, "resize");
    group.resize(n);
    return c.json(groupView(group));
  });
  app.post("/groups/:id/cancel", async (c) => {
    const group = findGroup(c.req.param("id"));
    await body(c.req.raw, []);
    requireRunning(group, "cancel");
    pool.cancel(group);
    return c.json(groupView(group), 202);
  });

  app.get("/workers", (c) =>
    c.json({
      workers: [...workers].map(([name, w]) => workersView(name, w)),
    }));
  app.get("/workers/:name", (c) => {
    const name = c.req.param("name");
    return c.json(workersView(name, findWorkers(name)));
  });
  app.post("/workers/:name/start", async (c) => {
    const name = c.req.param("name");
    const found = findWorkers(name);
    const given = await body(c.req.raw, ["n"]);
    const n = checkCountField(given, "n", {
      min: 1,
      max: maxCount,
      default: 1,
    });
    const started = found.start(n);
    return c.json({ started, workers: workersView(name, found) });
  });
  app.post("/workers/:name/stop", async (c) => {
    const name = c.req.param("name");
    const found = findWorkers(name);
    const given = await body(c.req.raw, ["k", "all"]);
    if (given.all !== undefined && given.all !== true) {
      throw new ApiError(
        400,
        "bad_request",
        `Invalid all: expected true, got ${JSON.stringify(given.all)}`,
        { field: "all" },
      );
    }
    if (given.all === true && given.k !== undefined) {
      throw new ApiError(
        400,
        "bad_request",
        'Invalid stop: send either "k" or "all", not both',
        { field: "k" },
      );
    }
    let stopped: StoppedTask[];
    if (given.all === true) stopped = found.stopAll();
    else {
      const k = checkCountField(given, "k", {
        min: 1,
        max: maxCount,
        default: 1,
      });
      if (k > found.ids.length) {
        throw new ApiError(
          409,
          "conflict",
          `Cannot stop ${k} tasks of ${
            quote(name)
          }: only ${found.ids.length} are running or waiting`,
          { field: "k" },
        );
      }
      stopped = found.stop(k);
    }
    return c.json({ stopped, workers: workersView(name, found) });
  });
  app.patch("/workers/:name", async (c) => {
    const name = c.req.param("name");
    const found = findWorkers(name);
    const given = await body(c.req.raw, ["limit"]);
    found.resize(checkCountField(given, "limit", { min: 0, max: maxCount }));
    return c.json(workersView(name, found));
  });
  return app;
}

function requireRunning<I, O>(
  group: TaskGroup<I, O>,
  action: string,
): void {
  if (group.state !== "running") {
    throw new ApiError(
      409,
      "conflict",
      `Cannot ${action} group ${quote(group.id)}: it is ${group.state}`,
    );
  }
}

function quote(text: string): string {
  return JSON.stringify(text.slice(0, 100));
}

/** The status and body of a failure; detail of unexpected ones is logged. */
function errorAnswer(
  error: Error,
  requestId: string,
  log: Logger,
  c: { req: { method: string; path: string } },
): { status: number; body: ReturnType<typeof errorBody> } {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: errorBody(error.code, error.message, { field: error.field }),
    };
  }
  if (error instanceof PoolRefusedError) {
    // Locked or closed: the request was fine, the pool's state refuses it.
    return { status: 409, body: errorBody("conflict", error.message) };
  }
  if (error instanceof HTTPException && error.status < 500) {
    return {
      status: error.status,
      body: errorBody("bad_request", `Request refused (${error.status})`),
    };
  }
  log({
    level: "error",
    message: `${c.req.method} ${c.req.path} failed`,
    requestId,
    error,
  });
  return {
    status: 500,
    body: errorBody(
      "internal",
      "Internal server error: the server's log has the detail under this request id",
      { requestId },
    ),
  };
}
