/**
 * Shared helpers of the bad-input tests: temporary folders, a run of a
 * source into JSON-lines files (so what was kept can be read back), and
 * the CLI in a subprocess.
 *
 * @module
 */

import {
  type DeadLetter,
  defineWorkflow,
  run,
  type RunSummary,
  type Source,
  toJsonl,
} from "../../mod.ts";

/** The repository's root folder, where the CLI runs. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/** Runs `body` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_bad_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The JSON values of a JSON-lines file; none if it is missing. */
export async function jsonLines<T = unknown>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line) as T
  );
}

/** What a run of a source into files left. */
export interface Kept<T> {
  readonly summary: RunSummary;
  /** What reached the sink file, in order. */
  readonly out: T[];
  /** What reached the dead-letter file, in order. */
  readonly dead: DeadLetter[];
}

/** Runs `source` straight into `<dir>/out.jsonl`, failures into `<dir>/dead.jsonl`. */
export async function runToFiles<T>(
  dir: string,
  source: Source<T>,
): Promise<Kept<T>> {
  const summary = await run(defineWorkflow({
    name: "bad-input",
    source,
    sink: toJsonl<T>(`${dir}/out.jsonl`),
    deadLetter: toJsonl(`${dir}/dead.jsonl`),
  })).done;
  return {
    summary,
    out: await jsonLines<T>(`${dir}/out.jsonl`),
    dead: await jsonLines<DeadLetter>(`${dir}/dead.jsonl`),
  };
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** What the CLI printed, and its exit code. */
export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `deno run -A cli.ts ...args` from the repository's root. */
export async function runCli(args: readonly string[]): Promise<CliOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
