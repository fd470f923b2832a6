/**
 * poolflow's HTTP runner: the registered workflows over HTTP, with live
 * events (server-sent), results, cancel and resize, and a dashboard.
 *
 * - {@linkcode createServer} builds it from workflows (by name, or a
 *   folder of workflow files) and options; serve its `fetch`.
 * - Run this file to serve a folder:
 *   `deno run -A server.ts --workflows ./flows --port 8000`.
 * - Its default export serves with `deno serve` and on Deno Deploy,
 *   configured from `POOLFLOW_*` environment variables on the first request.
 *
 * - {@linkcode poolControl} builds a control app for a `TaskPool` of your
 *   own: list, start registered functions, resize, cancel.
 *
 * The server runs only registered workflows, never code from a request.
 * With a token, every endpoint but `/health` requires
 * `Authorization: Bearer <token>`; without one, it answers loopback
 * clients only.
 *
 * @example Serve two workflows on loopback
 * ```ts ignore
 * import { createServer } from "@poolflow/poolflow/server";
 * import squares from "./flows/squares.ts";
 * import checks from "./flows/checks.ts";
 *
 * const server = createServer({
 *   workflows: { squares, checks },
 *   token: Deno.env.get("POOLFLOW_TOKEN"),
 *   limits: { maxConcurrentRuns: 4, finishedRunTtl: "30m" },
 * });
 * Deno.serve({ hostname: "127.0.0.1", port: 8000 }, server.fetch);
 * ```
 *
 * @module
 */

import { optionsFromEnv } from "./server/config.ts";
import type { ClientInfo } from "./server/context.ts";
import { createServer, type PoolflowServer } from "./server/create.ts";
import { errorResponse } from "./server/errors.ts";
import { main } from "./server/main.ts";

export {
  createServer,
  type PoolflowServer,
  type ServerOptions,
} from "./server/create.ts";
export type { ServerLimits } from "./server/limits.ts";
export type { ClientInfo, LogEntry, Logger } from "./server/context.ts";
export type { ErrorBody, ErrorCode } from "./server/errors.ts";
export type { WorkflowSet } from "./server/workflows.ts";
export {
  type ControlFunction,
  type ControlledWorkers,
  type GroupView,
  poolControl,
  type PoolControlApp,
  type PoolControlOptions,
  type PoolView,
  type WorkersView,
} from "./server/pool_control.ts";
// The library's types that the options name, for readers of this entry.
export type {
  AnyWorkflow,
  ParamSpec,
  ParamsSpec,
} from "./lib/workflow/define.ts";
export { WORKFLOW } from "./lib/workflow/define.ts";
export type { Duration } from "./lib/units/duration.ts";
export type { Rate, RateSpec } from "./lib/units/rate.ts";
export type {
  Backoff,
  ErrorPolicy,
  Jitter,
  RetryPolicy,
} from "./lib/policy/policy.ts";
export {
  ENV_NAMES,
  optionsFromEnv,
  type ServerSettings,
  type SettingNames,
} from "./server/config.ts";

let fromEnv: PoolflowServer | undefined;

/**
 * A `fetch` handler configured from the environment (`POOLFLOW_WORKFLOWS`,
 * `POOLFLOW_TOKEN`, ... see {@linkcode ENV_NAMES}) on its first request:
 * `deno serve -A server.ts`, or the entry point on Deno Deploy. Importing
 * this module reads nothing and starts nothing.
 *
 * @example Serve from the environment
 * ```sh
 * POOLFLOW_WORKFLOWS=./flows POOLFLOW_TOKEN=... deno serve -A server.ts
 * ```
 */
const handler: {
  fetch(request: Request, info?: ClientInfo): Promise<Response>;
} = {
  fetch(request: Request, info?: ClientInfo): Promise<Response> {
    if (fromEnv === undefined) {
      try {
        fromEnv = createServer(optionsFromEnv((name) => Deno.env.get(name)));
      } catch (error) {
        console.error(`poolflow server: ${(error as Error).message}`);
        return Promise.resolve(
          errorResponse(
            503,
            "unavailable",
            "The server is not configured: its log says why",
          ),
        );
      }
    }
    return fromEnv.fetch(request, info);
  },
};
export default handler;

// `deno serve` runs this module as main too, without arguments: the
// command line is only for `deno run server.ts --workflows <folder>`.
if (import.meta.main && Deno.args.length > 0) {
  Deno.exit(await main(Deno.args));
}
