/**
 * `--help`: usage, flags, exit codes and the least permissions a workflow
 * needs; given a workflow file, also its parameters.
 *
 * @module
 */

import type { ParamsSpec } from "../mod.ts";
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
 * ```
 */
export function helpText(): string {
  return `poolflow ${VERSION}: run a workflow file with bounded concurrency, live progress and a summary

Usage:
  poolflow <workflow.ts> [flags]
  deno run -A jsr:@poolflow/poolflow/cli <workflow.ts> [flags]

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
  -q, --quiet            Print no progress and no summary, only errors
      --no-check         Do not type-check the workflow file
  -h, --help             Show this help; with a workflow file, also its parameters
  -V, --version          Print the version

Progress and the summary go to stderr, so a stdout sink (--out -) stays clean.
Ctrl-C once stops taking new items, lets those in flight finish and prints the
summary; a second Ctrl-C aborts the items in flight.

Exit codes:
  0    every item went through
  1    some items failed (--continue); see the dead letter
  2    the run failed: a fail-fast failure, an exceeded error budget, a source or sink error
  64   a wrong command line or workflow file
  130  interrupted by Ctrl-C

Permissions (the least a workflow needs; or run with -A):
  --allow-read   the workflow file, its local imports and its input files
  --allow-write  the output and dead-letter files (for a .json output, its folder:
                 it is written to a temporary file, then renamed)
  --allow-run    to type-check the workflow with "deno check" (not needed with --no-check)
  --allow-net    for HTTP sources and stages, and any other network use of the workflow
  --allow-env    if the workflow reads environment variables
For example:
  deno run --allow-read=. --allow-write=out --allow-run jsr:@poolflow/poolflow/cli etl.ts
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
    spec.type,
    spec.default === undefined
      ? "required"
      : `default ${JSON.stringify(spec.default)}`,
    spec.description ?? "",
  ]);
  return `Parameters of ${file} (--param KEY=VALUE):\n${
    table(rows).map((line) => `  ${line}\n`).join("")
  }`;
}
