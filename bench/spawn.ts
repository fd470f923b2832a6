/**
 * Runs `engine_child.ts` for one (workload, library) pair in a fresh Deno
 * process and parses the JSON line it prints.
 *
 * @module
 */

import { BENCH_CONFIG } from "./config.ts";
import type { Metrics } from "./workloads.ts";

/** One child run: its metrics, or why it has none. */
export interface Sample {
  readonly workload: string;
  readonly peer: string;
  /** The input count asked for, or `undefined` for the workload's own. */
  readonly n: number | undefined;
  readonly metrics: Metrics | undefined;
  readonly error?: string;
}

const CHILD = new URL("./engine_child.ts", import.meta.url).href;

/** Kills a child that runs longer than this. */
const TIMEOUT_MS = 120_000;

/**
 * Runs `workload` for `peer` in a child process; W3 children get
 * `--expose-gc` so their memory readings follow a full GC.
 */
export async function runChild(
  workload: string,
  peer: string,
  n?: number,
): Promise<Sample> {
  const args = ["run", "-A", "--config", BENCH_CONFIG];
  if (workload === "W3") args.push("--v8-flags=--expose-gc");
  args.push(CHILD, workload, peer);
  if (n !== undefined) args.push(String(n));
  const base = { workload, peer, n };
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).output();
  } catch (error) {
    return { ...base, metrics: undefined, error: String(error) };
  }
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const line = stdout.split("\n").at(-1) ?? "";
  if (!output.success || !line.startsWith("{")) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    const why = output.signal ? `killed (${output.signal})` : stderr;
    return { ...base, metrics: undefined, error: why.split("\n")[0] ?? "" };
  }
  const parsed = JSON.parse(line) as Record<string, number | null>;
  const metrics: Metrics = {};
  for (const [key, value] of Object.entries(parsed)) {
    metrics[key] = value ?? NaN;
  }
  return { ...base, metrics };
}
