/**
 * Shared helpers of the io tests: temporary folders, reading a source
 * whole, counting the descriptors open on a file, and running a script with
 * its own stdin and stdout.
 *
 * @module
 */

import type { InvalidRecord, Source } from "../../lib/io/types.ts";

/** The repository's root folder. */
export const ROOT: URL = new URL("../../", import.meta.url);

/** Runs `body` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_io_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** An open context whose signal never aborts (unless given one). */
export function context(
  signal: AbortSignal = new AbortController().signal,
): { signal: AbortSignal } {
  return { signal };
}

/** Opens a source and reads every item, invalid records included. */
export function readAll<T>(source: Source<T>): Promise<(T | InvalidRecord)[]> {
  return Array.fromAsync(source.open(context()));
}

/**
 * How many of this process's descriptors are open on `path` (Linux): not
 * disturbed by other tests opening files meanwhile.
 */
export function descriptorsOn(path: string): number {
  const target = Deno.realPathSync(path);
  let count = 0;
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${entry.name}`) === target) count++;
    } catch {
      // The descriptor closed while we looked: not ours.
    }
  }
  return count;
}

/** What a script run by {@linkcode runScript} printed, and its exit code. */
export interface ScriptOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs TypeScript `code` in a subprocess with the repository's config,
 * feeding it `stdin`. Module paths in `code` are relative to the root.
 */
export async function runScript(
  dir: string,
  code: string,
  stdin = "",
): Promise<ScriptOutput> {
  const script = `${dir}/script.ts`;
  await Deno.writeTextFile(
    script,
    code.replaceAll('from "./', `from "${ROOT.href}`),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      `--config=${new URL("deno.json", ROOT).pathname}`,
      script,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
