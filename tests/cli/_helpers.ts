/**
 * Shared helpers of the CLI tests: temporary folders with workflow files,
 * and running `cli.ts` in a subprocess with the repository's `deno.json`
 * (which lets a workflow file anywhere import `"@poolflow/poolflow"`), from
 * the repository's root or, for runs that keep checkpoints under their
 * working folder, from a temporary one.
 *
 * @module
 */

import { assert } from "@std/assert";

/** The repository's root folder, where the CLI runs. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/** What the CLI printed, and its exit code. */
export interface CliOutput {
  /** The exit code. */
  readonly code: number;
  /** Everything on stdout. */
  readonly stdout: string;
  /** Everything on stderr. */
  readonly stderr: string;
}

/** Runs `body` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_cli_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes a workflow file into `dir` and returns its path. */
export async function writeWorkflow(
  dir: string,
  name: string,
  code: string,
): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, code);
  return path;
}

/**
 * A workflow over the numbers 0..n-1 (`n` a param, default 10) that
 * doubles them in a stage "double", fails those listed in `fail` and
 * writes `{ n, doubled }` as JSON lines to `out`, failures to `dead`.
 */
export function numbersWorkflow(
  paths: { out: string; dead?: string },
  options: { fail?: readonly number[]; delayMs?: number } = {},
): string {
  return `import { defineWorkflow, fromIterable, sleep, toJsonl } from "@poolflow/poolflow";

const fail: number[] = ${JSON.stringify(options.fail ?? [])};

export default defineWorkflow({
  name: "numbers",
  params: {
    n: { type: "number", default: 10, description: "How many numbers" },
    factor: { type: "number", default: 2 },
    tag: { type: "boolean", default: false },
  },
  source: (p) => fromIterable(Array.from({ length: p.n }, (_, i) => i)),
  concurrency: 4,
  ordered: true,
  pipeline: (rows) =>
    rows.map("double", async (n, { signal }) => {
      await sleep(${options.delayMs ?? 0}, signal);
      if (fail.includes(n)) throw new Error(\`no \${n}\`);
      return { n, doubled: n * 2 };
    }),
  sink: (p) => toJsonl<{ n: number; doubled: number }>(${
    JSON.stringify(paths.out)
  }),
  ${paths.dead ? `deadLetter: toJsonl(${JSON.stringify(paths.dead)}),` : ""}
});
`;
}

/**
 * A workflow "ids" over the ids in `input.jsonl`: each takes `delayMs`
 * (eight at a time) and is written as `{ id }` to `out.jsonl`. With
 * `failing`, every 97th id (from 13) fails, into `dead.jsonl`.
 */
export function idsWorkflow(
  options: { delayMs: number; failing?: boolean },
): string {
  const fail = options.failing
    ? "\n      if (id % 97 === 13) throw new Error(`bad ${id}`);"
    : "";
  const dead = options.failing ? '\n  deadLetter: toJsonl("dead.jsonl"),' : "";
  return `import { defineWorkflow, fromJsonl, sleep, toJsonl } from "@poolflow/poolflow";
export default defineWorkflow({
  name: "ids",
  source: fromJsonl<{ id: number }>("input.jsonl"),
  pipeline: (rows) =>
    rows.map("work", async ({ id }, { signal }) => {
      await sleep(${options.delayMs}, signal);${fail}
      return { id };
    }, { concurrency: 8 }),
  sink: toJsonl("out.jsonl"),${dead}
});
`;
}

/**
 * Writes `input.jsonl` (the ids `0..n-1`) and the workflow `code` as
 * `ids.ts` into `dir`; returns the workflow's path.
 */
export async function setUpIds(
  dir: string,
  n: number,
  code: string,
): Promise<string> {
  await Deno.writeTextFile(
    `${dir}/input.jsonl`,
    Array.from({ length: n }, (_, id) => `{"id":${id}}\n`).join(""),
  );
  return await writeWorkflow(dir, "ids.ts", code);
}

/** Where and how long the CLI runs. */
export interface CliOptions {
  /**
   * The working folder; defaults to the repository's root. A durable run
   * keeps its checkpoints under it (`.poolflow/`), so runs give their
   * temporary folder. `deno check` needs the root, where `deno.json` is.
   */
  readonly cwd?: string;
  /** Kill it after this long. Defaults to 60 s. */
  readonly timeoutMs?: number;
  /** Deno's permission flags. Defaults to `-A`. */
  readonly permissions?: readonly string[];
}

/**
 * Runs `deno run -A cli.ts ...args` and waits for it; kills it after
 * `timeoutMs`.
 */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliOutput> {
  const child = spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the CLI with stdout and stderr piped. */
export function spawnCli(
  args: readonly string[],
  options: Pick<CliOptions, "cwd" | "permissions"> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...options.permissions ?? ["-A"],
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}cli.ts`,
      ...args,
    ],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads JSON lines. */
export function jsonLines(text: string): unknown[] {
  return text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line)
  );
}

/** Asserts a user error: exit 64, the message names `what`, no stack trace. */
export function assertUserError(output: CliOutput, what: string): void {
  assert(
    output.code === 64,
    `expected exit code 64, got ${output.code}\n${output.stderr}`,
  );
  assert(
    output.stderr.includes(what),
    `expected stderr to name ${what}:\n${output.stderr}`,
  );
  assertNoStackTrace(output.stderr);
}

/** Asserts that `text` holds no JavaScript stack trace line. */
export function assertNoStackTrace(text: string): void {
  assert(!text.includes("at file://"), `stack trace in:\n${text}`);
  assert(
    !/^\s+at .*(ext:|node:|\(file:|<anonymous>)/m.test(text),
    `stack trace in:\n${text}`,
  );
  assert(text.split("\n").length < 20, `too long a message:\n${text}`);
}
