/**
 * Server settings as text, from command-line flags or environment
 * variables, turned into {@linkcode ServerOptions}. Every bad value is a
 * `TypeError` that names the flag or variable it came from.
 *
 * @module
 */

import type { Duration } from "../lib/units/duration.ts";
import type { ServerOptions } from "./create.ts";
import type { ServerLimits } from "./limits.ts";

/** The settings, as text. */
export interface ServerSettings {
  /** The workflow folder. */
  workflows?: string | undefined;
  /** The bearer token. */
  token?: string | undefined;
  /** Runs at once. */
  maxRuns?: string | undefined;
  /** Finished runs kept. */
  keepRuns?: string | undefined;
  /** How long finished runs are kept, such as `"1h"`. */
  keepFor?: string | undefined;
  /** Outcomes kept per run. */
  keepResults?: string | undefined;
  /** Largest request body in bytes. */
  maxBodyBytes?: string | undefined;
  /** Origins allowed by CORS. */
  corsOrigins?: readonly string[] | undefined;
  /** Interval of progress events, such as `"500ms"`. */
  progressInterval?: string | undefined;
  /** Answer remote clients without a token. */
  allowRemoteWithoutToken?: boolean | undefined;
  /** The SQLite file of durable runs' checkpoints. */
  checkpoints?: string | undefined;
}

/** The names of the settings where they came from, for messages. */
export type SettingNames = Readonly<Record<keyof ServerSettings, string>>;

/** The environment variables read by {@linkcode optionsFromEnv}. */
export const ENV_NAMES: SettingNames = {
  workflows: "POOLFLOW_WORKFLOWS",
  token: "POOLFLOW_TOKEN",
  maxRuns: "POOLFLOW_MAX_RUNS",
  keepRuns: "POOLFLOW_KEEP_RUNS",
  keepFor: "POOLFLOW_KEEP_FOR",
  keepResults: "POOLFLOW_KEEP_RESULTS",
  maxBodyBytes: "POOLFLOW_MAX_BODY_BYTES",
  corsOrigins: "POOLFLOW_CORS_ORIGINS",
  progressInterval: "POOLFLOW_PROGRESS_INTERVAL",
  allowRemoteWithoutToken: "POOLFLOW_ALLOW_REMOTE_WITHOUT_TOKEN",
  checkpoints: "POOLFLOW_CHECKPOINTS",
};

function count(
  value: string | undefined,
  name: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new TypeError(
      `Invalid ${name}: expected a whole number, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value.trim());
}

/**
 * Turns text settings into server options.
 *
 * @param settings The settings.
 * @param names Where each came from (a flag or an environment variable).
 * @returns The options.
 * @throws {TypeError} If the workflow folder is missing, a number is not
 * one, or the checkpoint file is empty.
 *
 * @example
 * ```ts
 * import { ENV_NAMES, optionsFromSettings } from "./config.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const options = optionsFromSettings({ workflows: "flows", maxRuns: "4", keepFor: "10m" }, ENV_NAMES);
 * assertEquals(options.limits, { maxConcurrentRuns: 4, finishedRunTtl: "10m" });
 * ```
 */
export function optionsFromSettings(
  settings: ServerSettings,
  names: SettingNames,
): ServerOptions {
  if (settings.workflows === undefined || settings.workflows.trim() === "") {
    throw new TypeError(
      `Missing ${names.workflows}: give the folder of the workflow files to serve`,
    );
  }
  const limits: ServerLimits = {};
  const set = <K extends keyof ServerLimits>(
    key: K,
    value: ServerLimits[K] | undefined,
  ) => {
    if (value !== undefined) limits[key] = value;
  };
  set("maxConcurrentRuns", count(settings.maxRuns, names.maxRuns));
  set("finishedRunsKept", count(settings.keepRuns, names.keepRuns));
  set("finishedRunTtl", settings.keepFor as Duration | undefined);
  set("resultsPerRun", count(settings.keepResults, names.keepResults));
  set("maxBodyBytes", count(settings.maxBodyBytes, names.maxBodyBytes));
  const options: ServerOptions = { workflows: settings.workflows, limits };
  if (settings.token !== undefined && settings.token !== "") {
    options.token = settings.token;
  }
  if (settings.corsOrigins !== undefined && settings.corsOrigins.length > 0) {
    options.corsOrigins = settings.corsOrigins;
  }
  if (settings.progressInterval !== undefined) {
    options.progressInterval = settings.progressInterval as Duration;
  }
  if (settings.allowRemoteWithoutToken === true) {
    options.allowRemoteWithoutToken = true;
  }
  if (settings.checkpoints !== undefined) {
    if (settings.checkpoints.trim() === "") {
      throw new TypeError(
        `Missing the value of ${names.checkpoints}: give the path of a SQLite file, such as .poolflow/checkpoints.db`,
      );
    }
    options.checkpoints = settings.checkpoints;
  }
  return options;
}

/**
 * Server options from environment variables (see {@linkcode ENV_NAMES}):
 * how `deno serve server.ts` and Deno Deploy configure the server.
 *
 * @param get Reads a variable, such as `(name) => Deno.env.get(name)`.
 * @returns The options.
 * @throws {TypeError} If `POOLFLOW_WORKFLOWS` is missing or a value is bad.
 *
 * @example
 * ```ts
 * import { optionsFromEnv } from "./config.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const env: Record<string, string> = {
 *   POOLFLOW_WORKFLOWS: "flows",
 *   POOLFLOW_CORS_ORIGINS: "https://a.example, https://b.example",
 * };
 * const options = optionsFromEnv((name) => env[name]);
 * assertEquals(options.corsOrigins, ["https://a.example", "https://b.example"]);
 * ```
 */
export function optionsFromEnv(
  get: (name: string) => string | undefined,
): ServerOptions {
  const text = (key: keyof ServerSettings) => {
    const value = get(ENV_NAMES[key])?.trim();
    return value === "" ? undefined : value;
  };
  const allow = text("allowRemoteWithoutToken");
  if (allow !== undefined && !["1", "true", "0", "false"].includes(allow)) {
    throw new TypeError(
      `Invalid ${ENV_NAMES.allowRemoteWithoutToken}: expected 1, true, 0 or false, got ${
        JSON.stringify(allow)
      }`,
    );
  }
  return optionsFromSettings({
    workflows: text("workflows"),
    token: text("token"),
    maxRuns: text("maxRuns"),
    keepRuns: text("keepRuns"),
    keepFor: text("keepFor"),
    keepResults: text("keepResults"),
    maxBodyBytes: text("maxBodyBytes"),
    corsOrigins: text("corsOrigins")?.split(",").map((s) => s.trim()).filter(
      (s) => s !== "",
    ),
    progressInterval: text("progressInterval"),
    allowRemoteWithoutToken: allow === "1" || allow === "true",
    checkpoints: text("checkpoints"),
  }, ENV_NAMES);
}
