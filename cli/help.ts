/**
 * `--help`: usage, flags, durable runs and their guarantee, exit codes and
 * the least permissions a workflow needs; given a workflow file, also its
 * parameters.
 *
 * @module
 */

import type { ParamSpec, ParamsSpec } from "../mod.ts";
import { VERSION } from "../lib/version.ts";
import { table } from "./format.ts";

/**
 * The help text.
 *
 * @returns Lines joined by newlines, ending with one.
 *
 * @example
 * ```ts
 * import { helpText } from "./help.ts";
 * import { assertStringIncludes } from "@std/assert";
 *
 * assertStringIncludes(helpText(), "--concurrency N");
 * assertStringIncludes(helpText(), "--allow-run");
 * assertStringIncludes(helpText(), "--resume");
 * ```
 */
export function helpText(): string {
  return `poolflow ${VERSION}: run a workflow file with bounded concurrency, live progress and a summary

Usage:
  poolflow <workflow.ts> [flags]
  deno run <permissions> jsr:@poolflow/poolflow/cli <workflow.ts> [flags]
  poolflow init DIR      a new project that runs at once (poolflow init --help)
  poolflow worker <workflow.ts> --redis URL [--concurrency N] [--param K=V]
                         serve the workflow's stages to distributed runs

The workflow file's default export is the value of defineWorkflow({...}).
It is type-checked with "deno check" before it runs (unless --no-check).

Flags:
  -c, --concurrency N    Items each stage works on at once, unless the stage sets its own
  -p, --param KEY=VALUE  Set a workflow parameter, converted to its declared type (repeatable)
      --fail-fast        Every stage: the first failed item fails the run
      --continue         Every stage: failed items go to the dead letter, the run goes on
  -o, --out PATH         Write results here instead of the workflow's sink, by extension:
                         .jsonl, .csv, .json, or - for stdout
      --limit N          Take only the first N source items
      --dry-run          Check the workflow and print its plan; run nothing
      --json             Print the run's events as JSON lines on stdout (no progress display)
      --otel             Trace the run and export its metrics through OpenTelemetry
                         (needs OTEL_DENO=true; on by itself when it is set)
  -q, --quiet            Print no progress and no summary, only errors
      --no-check         Do not type-check the workflow file
      --resume           Continue the latest unfinished run of this workflow into the same
                         outputs: items already done are skipped, the others run again
      --force            With --resume: resume even if the workflow file or the input changed
      --restart          Start over at once even if the last run is unfinished (without it,
                         the CLI says so and waits 3 s, so that Ctrl-C keeps that run)
      --checkpoint PATH  The checkpoint file (SQLite), default .poolflow/checkpoints.db
      --no-checkpoint    Keep no checkpoints: the run cannot be resumed
      --redis URL        Run distributed: stage tasks go to the workers of this Redis
                         (redis://host:port; or POOLFLOW_REDIS)
      --grace DURATION   After Ctrl-C or SIGTERM, how long items in flight get to finish
                         before they are aborted (default 30s; such as 500ms, 2m)
  -h, --help             Show this help; with a workflow file, also its parameters
  -V, --version          Print the version

Progress and the summary go to stderr, so a stdout sink (--out -) stays clean.
Ctrl-C once (or SIGTERM) stops taking new items, gives those in flight the grace
period to finish, then aborts them, and prints the summary; a second one aborts at once.

Durable runs: when the outputs are files (.jsonl, .csv, .json) or absent, the run keeps
checkpoints (and every stage keeps input order), so after Ctrl-C, SIGTERM or a crash
--resume continues it. Guarantee:
  exactly once at the sinks: every input is written once, even across resumes;
  at least once for a task's side effects: tasks with external effects should be idempotent.

Exit codes:
  0    every item went through
  1    some items failed (--continue); see the dead letter
  2    the run failed: a fail-fast failure, an exceeded error budget, a source or sink error
  64   a wrong command line or workflow file, or nothing to --resume (or it changed)
  70   a crash: an uncaught error or unhandled rejection (a stage missing an await)
  73   init: a file of the new project exists (nothing is overwritten) or cannot be written
  130  interrupted by Ctrl-C
  143  terminated by SIGTERM (docker stop, systemd, Deno Deploy)

Permissions (the least a workflow needs; or run with -A):
  --allow-read   the workflow file, its local imports, its input files and the checkpoint file
  --allow-write  the output and dead-letter files (for a .json output, its folder:
                 it is written to a temporary file, then renamed), and the checkpoint
                 file's folder (.poolflow/), unless --no-checkpoint
  --allow-run=deno  to type-check the workflow with "deno check" (not needed with --no-check)
  --allow-net    for HTTP sources and stages, and any other network use of the workflow
  --allow-env    if the workflow reads environment variables
For example:
  deno run --allow-read=. --allow-write=out,.poolflow --allow-run=deno jsr:@poolflow/poolflow/cli etl.ts
`;
}

/**
 * The parameters a workflow declares, for `--help` with a file.
 *
 * @param file The workflow file, as given.
 * @param params Its declared parameters.
 * @returns Lines joined by newlines, ending with one.
 *
 * @example
 * ```ts
 * import { paramsHelp } from "./help.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   paramsHelp("etl.ts", { region: { type: "string", default: "eu", description: "Where" } }),
 *   'Parameters of etl.ts (--param KEY=VALUE):\n  region  string  default "eu"  Where\n',
 * );
 * ```
 */
export function paramsHelp(
  file: string,
  params: ParamsSpec | undefined,
): string {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return `${file} takes no parameters.\n`;
  const rows = entries.map(([name, spec]) => [
    name,
    paramType(spec),
    spec.default === undefined
      ? "required"
      : `default ${JSON.stringify(spec.default)}`,
    spec.description ?? "",
  ]);
  return `Parameters of ${file} (--param KEY=VALUE):\n${
    table(rows).map((line) => `  ${line}\n`).join("")
  }`;
}

/**
 * A parameter's type as help and plans show it: a path param also says
 * what the run does with it and the folder it must stay inside.
 *
 * @param spec The parameter's declaration.
 * @returns Such as `number`, or `path to read in data/`.
 *
 * @example
 * ```ts
 * import { paramType } from "./help.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(paramType({ type: "path", root: "out", access: "write" }), "path to write in out/");
 * assertEquals(paramType({ type: "number" }), "number");
 * ```
 */
export function paramType(spec: ParamSpec): string {
  if (spec.type !== "path") return spec.type;
  return `path to ${spec.access ?? "read"} in ${
    spec.root.replace(/\/*$/, "/")
  }`;
}
