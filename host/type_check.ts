/**
 * Type-checking the workflow file before it runs: `deno run` does not check
 * dynamic imports, so the CLI runs `deno check <file>` (the same Deno, the
 * same working folder and so the same config) and keeps the first
 * diagnostic, without colours, backtraces or `file:` URLs.
 *
 * @module
 */

import { denoExecutable } from "./deno_command.ts";
import { WorkflowFileError } from "./errors.ts";
import { explainUnmappedImport } from "./import_hints.ts";
import { displayPath, replaceFileUrls } from "./paths.ts";

/** How many lines of the checker's output a message keeps. */
const MAX_LINES = 8;

/**
 * Runs `deno check` on a file.
 *
 * @param url The file's URL.
 * @param cwd The working folder; the checker runs there, so it finds the
 * same `deno.json` as this process.
 * @param signal Kills the checker when aborted; its reason is thrown.
 * @returns `undefined` when the file checks, otherwise a short diagnostic
 * (see {@linkcode summarizeCheckOutput}).
 * @throws {WorkflowFileError} If `deno check` cannot be started (no
 * `--allow-run=deno`).
 */
export async function typeCheck(
  url: URL,
  cwd: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  signal?.throwIfAborted();
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(denoExecutable(), {
      args: ["check", "--quiet", url.href],
      cwd,
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(signal ? { signal } : {}),
    }).output();
  } catch (error) {
    signal?.throwIfAborted();
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw new WorkflowFileError(
        displayPath(url, cwd),
        'Cannot type-check it: running "deno check" needs --allow-run=deno; or pass --no-check',
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorkflowFileError(
      displayPath(url, cwd),
      `Cannot type-check it with "deno check": ${
        reason.split("\n")[0]
      }; pass --no-check to skip it`,
    );
  }
  // A killed checker's output says nothing about the file.
  signal?.throwIfAborted();
  if (output.success) return undefined;
  const decoder = new TextDecoder();
  const text = decoder.decode(output.stdout) + "\n" +
    decoder.decode(output.stderr);
  return explainUnmappedImport(text, cwd, checkoutRoot()) ??
    summarizeCheckOutput(text, cwd);
}

/**
 * The first diagnostic of `deno check`'s output, at most eight lines (a
 * TypeScript error without its chain of elaborations, such as the reasons
 * of every overload tried: its hint or deepest reason stays), with
 * the count of errors when there are more; `file:` URLs become paths
 * relative to `cwd`, colours and backtraces are dropped.
 *
 * @param output What `deno check` printed (stdout and stderr).
 * @param cwd The working folder, absolute.
 * @returns The diagnostic.
 *
 * @example A type error
 * ```ts
 * import { summarizeCheckOutput } from "./type_check.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const output = [
 *   "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.",
 *   'const n: number = "x";',
 *   "      ^",
 *   "    at file:///home/ada/etl.ts:2:7",
 *   "",
 *   "TS2339 [ERROR]: Property 'toUpperCase' does not exist on type 'number'.",
 *   "    at file:///home/ada/etl.ts:3:9",
 *   "",
 *   "Found 2 errors.",
 *   "",
 *   "error: Type checking failed.",
 * ].join("\n");
 * assertEquals(summarizeCheckOutput(output, "/home/ada"), [
 *   "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.",
 *   'const n: number = "x";',
 *   "      ^",
 *   "    at etl.ts:2:7",
 *   "(Found 2 errors.)",
 * ].join("\n"));
 * ```
 */
export function summarizeCheckOutput(output: string, cwd: string): string {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const lines = plain.split(/\r?\n/);
  const kept: string[] = [];
  let found: string | undefined;
  let inBacktrace = false;
  let blockDone = false;
  for (const line of lines) {
    if (/^Stack backtrace:/.test(line)) {
      inBacktrace = true;
      continue;
    }
    if (inBacktrace) {
      if (/^\s+(\d+:|at )/.test(line)) continue;
      inBacktrace = false;
    }
    if (/^Check /.test(line) || line === "error: Type checking failed.") {
      continue;
    }
    if (/^Found \d+ errors?\.$/.test(line)) {
      found = line;
      continue;
    }
    // The first block only: it ends at the first blank line after text.
    if (line.trim() === "") {
      blockDone = kept.length > 0;
      continue;
    }
    if (!blockDone) kept.push(line);
  }
  const condensed = condense(kept);
  const text = condensed ?? kept.slice(0, MAX_LINES);
  if (condensed === undefined && kept.length > MAX_LINES) text.push("…");
  if (found && found !== "Found 1 error.") text.push(`(${found})`);
  if (text.length === 0) return "deno check failed without a message";
  return replaceFileUrls(text.join("\n"), cwd);
}

/**
 * The checkout this runs from, or `undefined` from the registry.
 *
 * @returns The root folder's `file:` URL, or `undefined`.
 */
export function checkoutRoot(): URL | undefined {
  const root = new URL("../", import.meta.url);
  return root.protocol === "file:" ? root : undefined;
}

/** A line of `~` or `^` under the source line, marking the error. */
const MARKER = /^\s*[~^]+\s*$/;

/**
 * A TypeScript diagnostic without its chain of elaborations (an overload
 * error explains every overload it tried, a dozen lines of types): its
 * first line, the chain's "Did you mean ...?" (or else its most specific
 * reason, the first of the most indented lines), the source
 * line with its marker and the location. `undefined` when the block is
 * not shaped so, or has no chain to drop.
 */
function condense(block: readonly string[]): string[] | undefined {
  if (!/^TS\d+ \[ERROR\]/.test(block[0] ?? "")) return undefined;
  const at = block.findIndex((line) => /^\s+at /.test(line));
  if (at === -1) return undefined;
  const marker = block.findIndex((line, i) => i >= 2 && MARKER.test(line));
  // The chain is indented under the first line, before the source line.
  const chainEnd = marker !== -1 && marker < at ? marker - 1 : at;
  const chain = block.slice(1, chainEnd);
  if (chain.length === 0) return undefined;
  const hint = chain.map((line) => /Did you mean[^?]*\?/.exec(line)?.[0])
    .find((found) => found !== undefined) ?? deepest(chain);
  return [
    block[0]!,
    `  ${hint}`,
    ...block.slice(chainEnd, at + 1),
    '(run "deno check" on the file for the whole message)',
  ];
}

/** The first of the most indented lines, trimmed: the most specific reason. */
function deepest(chain: readonly string[]): string {
  let best = chain[0]!;
  let depth = -1;
  for (const line of chain) {
    const indent = line.length - line.trimStart().length;
    if (indent > depth) [best, depth] = [line, indent];
  }
  return best.trim();
}
