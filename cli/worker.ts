/**
 * `poolflow worker workflow.ts --redis URL`: serve a workflow's stages to
 * distributed runs. SIGINT or SIGTERM stops taking jobs; jobs running get
 * `--grace` to finish, the rest are handed back (they run again on
 * another worker), and the process exits 0.
 *
 * @module
 */

import { parseArgs } from "../std/parse_args.ts";
import { parseDuration } from "../mod.ts";
import { fingerprintOf, redisUrlOf } from "./distributed.ts";
import { UsageError } from "./errors.ts";
import { ExitCode } from "./exit_codes.ts";
import { loadWorkflow } from "../host/load.ts";
import { processSignals } from "./signals.ts";
import { writeStderr } from "./terminal.ts";
import { planWorkflow } from "../mod.ts";

/** What `poolflow worker` takes. */
export interface WorkerArgs {
  /** The workflow file. */
  readonly file: string;
  /** Redis URL. */
  readonly redis: string;
  /** Jobs of one stage at once in this process. */
  readonly concurrency: number | undefined;
  /** `--param key=value`, as the run's. */
  readonly params: Readonly<Record<string, string>>;
  /** How long running jobs get after a signal, in ms. */
  readonly graceMs: number;
  /** How soon a dead worker's jobs run again elsewhere, in ms. */
  readonly stallTimeoutMs: number;
  /** Type-check the file first. */
  readonly check: boolean;
  /** No log lines. */
  readonly quiet: boolean;
}

/**
 * Parses `poolflow worker`'s arguments.
 *
 * @param argv What follows `worker`.
 * @returns The checked arguments.
 * @throws {UsageError} For a missing file or Redis URL, or a bad value.
 */
export function parseWorkerArgs(argv: readonly string[]): WorkerArgs {
  const bad: string[] = [];
  const parsed = parseArgs([...argv], {
    string: ["redis", "concurrency", "param", "grace", "stall-timeout"],
    boolean: ["no-check", "quiet"],
    collect: ["param"],
    alias: { concurrency: "c", param: "p", quiet: "q" },
    unknown: (arg, key) => {
      if (key === undefined) return true;
      bad.push(arg);
      return false;
    },
  });
  if (bad[0] !== undefined) {
    throw new UsageError(
      `Unknown flag "${
        bad[0]
      }" for poolflow worker: it takes --redis, --concurrency, --param, --grace, --stall-timeout, --no-check, --quiet`,
    );
  }
  const file = parsed._.map(String)[0];
  if (file === undefined) {
    throw new UsageError(
      "Missing the workflow file: poolflow worker <workflow.ts> --redis redis://host:port",
    );
  }
  const redis = redisUrlOf(parsed.redis);
  if (redis === undefined) {
    throw new UsageError(
      "Missing --redis: give the Redis URL of the runs, such as --redis redis://127.0.0.1:6379, or set POOLFLOW_REDIS",
    );
  }
  const params: Record<string, string> = {};
  for (const pair of parsed.param) {
    const at = pair.indexOf("=");
    if (at < 1) {
      throw new UsageError(
        `Invalid --param ${JSON.stringify(pair)}: expected key=value`,
      );
    }
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  let concurrency: number | undefined;
  if (parsed.concurrency !== undefined) {
    concurrency = Number(parsed.concurrency);
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new UsageError(
        `Invalid --concurrency ${
          JSON.stringify(parsed.concurrency)
        }: expected a whole number from 1`,
      );
    }
  }
  const ms = (text: string, flag: string): number => {
    try {
      return parseDuration(text as `${number}s`, flag);
    } catch {
      throw new UsageError(
        `Invalid ${flag} ${
          JSON.stringify(text)
        }: expected a duration such as 10s`,
      );
    }
  };
  return {
    file,
    redis,
    concurrency,
    params,
    graceMs: ms(parsed.grace ?? "30s", "--grace"),
    stallTimeoutMs: ms(parsed["stall-timeout"] ?? "10s", "--stall-timeout"),
    check: !parsed["no-check"],
    quiet: parsed.quiet,
  };
}

/**
 * Runs `poolflow worker` until a signal.
 *
 * @param argv What follows `worker`.
 * @returns The exit code: 0 after a signal, 64 for a wrong command line or file.
 */
export async function workerMain(argv: readonly string[]): Promise<number> {
  const args = parseWorkerArgs(argv);
  const loaded = await loadWorkflow(args.file, {
    cwd: Deno.cwd(),
    check: args.check,
  });
  const folder = new URL(".", loaded.url);
  const plan = planWorkflow(loaded.workflow, {
    params: args.params,
    folder,
    file: args.file,
  });
  const fingerprint = await fingerprintOf(plan, loaded.url);
  const { serveWorkflow } = await import("../distributed.ts");
  const log = (line: string) => {
    if (!args.quiet) writeStderr(`${line}\n`);
  };
  const worker = await serveWorkflow(loaded.workflow, {
    redis: args.redis,
    params: args.params,
    folder,
    fingerprint,
    stallTimeoutMs: args.stallTimeoutMs,
    ...(args.concurrency === undefined
      ? {}
      : { concurrency: args.concurrency }),
    log,
  });
  log(
    `poolflow worker: serving "${plan.name}" (${args.file}, fingerprint ${fingerprint}) on ${args.redis}; Ctrl-C or SIGTERM to stop`,
  );
  const stopped = Promise.withResolvers<void>();
  const remove = processSignals(() => stopped.resolve());
  await stopped.promise;
  log(
    `poolflow worker: stopping: no new jobs; running ones get ${args.graceMs} ms, then go back to the queue`,
  );
  await worker.close(args.graceMs);
  remove();
  log(`poolflow worker: stopped after ${worker.processed} jobs`);
  return ExitCode.Ok;
}
