/**
 * The command line: flags parsed with the standard library's parser (through
 * our typed façade), then checked. Anything wrong is a `UsageError` that
 * names the flag and says what to do.
 *
 * @module
 */

import { closest } from "../lib/units/suggest.ts";
import { parseArgs } from "../std/parse_args.ts";
import { type Duration, parseDuration } from "../mod.ts";
import { UsageError } from "./errors.ts";

/** What the command line asks for. */
export interface CliArgs {
  /** The workflow file as given; `undefined` only with `--help` or `--version`. */
  readonly file: string | undefined;
  /** `--help`: print usage (and the workflow's parameters, given a file). */
  readonly help: boolean;
  /** `--version`: print the version. */
  readonly version: boolean;
  /** `--concurrency N`: default concurrency of every stage. */
  readonly concurrency: number | undefined;
  /** `--param key=value`, in order given; a repeated key keeps its last value. */
  readonly params: Readonly<Record<string, string>>;
  /** `--fail-fast` or `--continue`: the error mode of every stage. */
  readonly onError: "fail-fast" | "continue" | undefined;
  /** `--out PATH`: the sink to use instead of the workflow's. */
  readonly out: string | undefined;
  /** `--limit N`: take only the first N source items. */
  readonly limit: number | undefined;
  /** `--dry-run`: check and print the plan; run nothing. */
  readonly dryRun: boolean;
  /** `--json`: events as JSON lines on stdout. */
  readonly json: boolean;
  /** `--otel`: trace the run and export its metrics through OpenTelemetry. */
  readonly otel: boolean;
  /** `--quiet`: no progress and no summary. */
  readonly quiet: boolean;
  /** Type-check the workflow file first (unless `--no-check`). */
  readonly check: boolean;
  /** `--resume`: continue the latest unfinished run of this workflow. */
  readonly resume: boolean;
  /** `--force`: resume even if the workflow file or the input changed. */
  readonly force: boolean;
  /** `--restart`: start over at once, even if the last run is unfinished. */
  readonly restart: boolean;
  /** `--checkpoint PATH`: the checkpoint file, instead of the default. */
  readonly checkpoint: string | undefined;
  /** Record checkpoints when the outputs allow it (unless `--no-checkpoint`). */
  readonly checkpoints: boolean;
  /** `--grace DURATION` in milliseconds: how long in-flight items get after a stop. */
  readonly graceMs: number;
  /** `--redis URL`: run distributed on the workers of this Redis. */
  readonly redis?: string | undefined;
}

/** How long in-flight items get to finish after SIGTERM or Ctrl-C, by default. */
export const DEFAULT_GRACE = "30s";

/** Every flag, for the "did you mean" hint. */
const FLAGS = [
  "concurrency",
  "param",
  "fail-fast",
  "continue",
  "out",
  "limit",
  "dry-run",
  "json",
  "otel",
  "quiet",
  "help",
  "version",
  "no-check",
  "resume",
  "force",
  "restart",
  "checkpoint",
  "no-checkpoint",
  "grace",
  "redis",
] as const;
const STRING_FLAGS = [
  "concurrency",
  "param",
  "out",
  "limit",
  "checkpoint",
  "grace",
  "redis",
] as const;
const ALIASES = {
  concurrency: "c",
  param: "p",
  out: "o",
  quiet: "q",
  help: "h",
  version: "V",
} as const;

/**
 * Parses and checks the command line.
 *
 * @param argv The arguments, as in `Deno.args`.
 * @returns What they ask for.
 * @throws {UsageError} For an unknown flag, a bad value, conflicting flags,
 * a missing or an extra file argument.
 *
 * @example Flags and the workflow file
 * ```ts
 * import { parseCliArgs } from "./args.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const args = parseCliArgs(["etl.ts", "-c", "4", "--param", "region=eu", "--out", "-"]);
 * assertEquals(args.file, "etl.ts");
 * assertEquals(args.concurrency, 4);
 * assertEquals(args.params, { region: "eu" });
 * assertEquals(args.out, "-");
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const unknown: string[] = [];
  const parsed = parseArgs(normalizeDashValues(argv), {
    boolean: [
      "fail-fast",
      "continue",
      "dry-run",
      "json",
      "otel",
      "quiet",
      "help",
      "version",
      "no-check",
      "resume",
      "force",
      "restart",
      "no-checkpoint",
    ],
    string: STRING_FLAGS,
    collect: ["param"],
    alias: ALIASES,
    unknown: (arg, key) => {
      if (key === undefined) return true;
      unknown.push(arg.startsWith("--") ? `--${key}` : `-${key}`);
      return false;
    },
  });
  const first = unknown[0];
  if (first !== undefined) {
    const hint = closest(first.replace(/^-+/, ""), FLAGS);
    throw new UsageError(
      `Unknown flag "${first}"${hint ? ` (did you mean "--${hint}"?)` : ""}`,
    );
  }

  const help = parsed.help;
  const version = parsed.version;
  const positional = parsed._.map(String);
  if (positional.length > 1) {
    throw new UsageError(
      `Unexpected argument "${positional[1]}": give one workflow file`,
    );
  }
  const file = positional[0];
  if (file === undefined && !help && !version) {
    throw new UsageError("Missing the workflow file: poolflow <workflow.ts>");
  }
  if (parsed["fail-fast"] && parsed.continue) {
    throw new UsageError(
      "Conflicting flags --fail-fast and --continue: give one",
    );
  }
  const out = parsed.out;
  if (out === "") {
    throw new UsageError(
      'Missing the value of --out: give a path ending in .jsonl, .csv or .json, or "-" for stdout',
    );
  }
  const json = parsed.json;
  if (json && out === "-") {
    throw new UsageError(
      "Conflicting flags --json and --out -: both write to stdout; give --out a file",
    );
  }
  const durable = checkDurableFlags(parsed);
  return {
    file,
    help,
    version,
    concurrency: wholeNumber(parsed.concurrency, "--concurrency"),
    params: parseParams(parsed.param),
    onError: parsed["fail-fast"]
      ? "fail-fast"
      : parsed.continue
      ? "continue"
      : undefined,
    out,
    limit: wholeNumber(parsed.limit, "--limit"),
    dryRun: parsed["dry-run"],
    json,
    otel: parsed.otel,
    quiet: parsed.quiet,
    check: !parsed["no-check"],
    ...durable,
    ...(parsed.redis === undefined ? {} : { redis: parsed.redis }),
  };
}

/** The flags of durable runs, checked against each other. */
function checkDurableFlags(parsed: {
  readonly resume: boolean;
  readonly force: boolean;
  readonly restart: boolean;
  readonly checkpoint?: string | undefined;
  readonly "no-checkpoint": boolean;
  readonly grace?: string | undefined;
}): Pick<
  CliArgs,
  "resume" | "force" | "restart" | "checkpoint" | "checkpoints" | "graceMs"
> {
  const { resume, force, restart, checkpoint } = parsed;
  const checkpoints = !parsed["no-checkpoint"];
  if (checkpoint === "") {
    throw new UsageError(
      "Missing the value of --checkpoint: give the path of a SQLite file, such as .poolflow/checkpoints.db",
    );
  }
  if (!checkpoints && (resume || checkpoint !== undefined)) {
    throw new UsageError(
      resume
        ? "Conflicting flags --resume and --no-checkpoint: resuming needs checkpoints; give one"
        : "Conflicting flags --checkpoint and --no-checkpoint: give one",
    );
  }
  if (restart && resume) {
    throw new UsageError(
      "Conflicting flags --restart and --resume: continue the unfinished run (--resume) or start over (--restart); give one",
    );
  }
  if (force && !resume) {
    throw new UsageError(
      "--force only applies with --resume: give both, or neither",
    );
  }
  return {
    resume,
    force,
    restart,
    checkpoint,
    checkpoints,
    graceMs: duration(parsed.grace ?? DEFAULT_GRACE, "--grace"),
  };
}

/**
 * The parser gives a string flag no value when the next argument starts
 * with `-`, so `--out -` would lose its `-`: join such pairs as `--out=-`.
 */
function normalizeDashValues(argv: readonly string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      result.push(...argv.slice(i));
      break;
    }
    if ((arg === "--out" || arg === "-o") && argv[i + 1] === "-") {
      result.push(`${arg}=-`);
      i++;
    } else {
      result.push(arg);
    }
  }
  return result;
}

function wholeNumber(
  text: string | undefined,
  flag: string,
): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `Invalid ${flag} ${
        JSON.stringify(text)
      }: expected a whole number from 1, such as ${flag} 8`,
    );
  }
  return n;
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(text as Duration, flag);
  } catch {
    throw new UsageError(
      `Invalid ${flag} ${
        JSON.stringify(text)
      }: expected a duration such as ${flag} 30s, 500ms or 2m`,
    );
  }
}

function parseParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const key = at === -1 ? "" : pair.slice(0, at).trim();
    if (key === "") {
      throw new UsageError(
        `Invalid --param ${
          JSON.stringify(pair)
        }: expected key=value, such as --param region=eu`,
      );
    }
    params[key] = pair.slice(at + 1);
  }
  return params;
}
