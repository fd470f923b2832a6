/**
 * What to do about a bare import no `deno.json` maps, instead of Deno's
 * `deno add jsr:...` hint (JSR may be out of reach, and a newcomer's first
 * workflow usually just lacks the `@poolflow/poolflow` mapping). Only for
 * imports in the user's files: one inside poolflow itself is our bug, and
 * its diagnostic stays as Deno wrote it.
 *
 * @module
 */

import { relative } from "node:path";
import { ENTRY_POINTS, JSR_SPECIFIER } from "./package.ts";
import { replaceFileUrls } from "./paths.ts";

const UNMAPPED =
  /Import "([^"]+)" not a dependency[^\n]*\n(?:[ \t]*hint:[^\n]*\n)*[ \t]*at (file:\/\/\S+)/;

/**
 * Explains the first unmapped bare import in `deno check`'s output.
 *
 * @param output What `deno check` printed, without colours.
 * @param cwd The folder it ran in, absolute: its `deno.json` (or one
 * above it) is the one to edit.
 * @param library The root of the poolflow running, when it is a checkout
 * (a `file:` URL); `undefined` when it runs from the registry.
 * @param stage `"check"` for `deno check`'s output (it reads the deno.json
 * of `cwd`), `"load"` for the import's error (this process's own
 * configuration, which an installed command does not take from `cwd`).
 * @returns The message, or `undefined` if there is no such import in the
 * user's files.
 *
 * @example A workflow without a deno.json
 * ```ts
 * import { explainUnmappedImport } from "./import_hints.ts";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const output = [
 *   'TS2307 [ERROR]: Import "@poolflow/poolflow" not a dependency',
 *   "  hint: If you want to use a JSR or npm package, try running `deno add jsr:@poolflow/poolflow`",
 *   "    at file:///home/ada/etl/workflow.ts:1:40",
 * ].join("\n");
 * const message = explainUnmappedImport(output, "/home/ada/etl", new URL("file:///home/ada/poolflow/"))!;
 * assertStringIncludes(message, "poolflow init");
 * assertStringIncludes(message, '"@poolflow/poolflow": "../poolflow/mod.ts"');
 * ```
 */
export function explainUnmappedImport(
  output: string,
  cwd: string,
  library: URL | undefined,
  stage: "check" | "load" = "check",
): string | undefined {
  const match = UNMAPPED.exec(output);
  if (match === null) return undefined;
  const specifier = match[1]!;
  const at = match[2]!;
  if (library !== undefined && at.startsWith(library.href)) return undefined;
  const location = `\n    at ${replaceFileUrls(at, cwd)}`;
  if (stage === "load") {
    return `Import "${specifier}" is not mapped by the configuration poolflow runs with${location}
  Run poolflow in the folder whose deno.json maps it; an installed poolflow (deno install -g)
  has a configuration of its own, so in a project run its "deno task start" instead (poolflow
  init writes it), or import "${specifier}" by a full specifier`;
  }
  const where =
    `Import "${specifier}" is not mapped: no deno.json in ${cwd} or above it maps it${location}`;
  const poolflow = /^@poolflow\/poolflow(\/.*)?$/.exec(specifier);
  if (poolflow === null) {
    return `${where}
  Add it to the "imports" of that deno.json (create one if there is none), such as
  {"imports": {"${specifier}": "npm:${specifier}@<version>"}}, or import it by a full
  specifier ("npm:..." or a relative path)`;
  }
  const subpath = poolflow[1] ?? "";
  const target =
    library === undefined || ENTRY_POINTS[`.${subpath}`] === undefined
      ? `${JSR_SPECIFIER}${subpath}`
      : checkoutPath(library, ENTRY_POINTS[`.${subpath}`]!, cwd);
  return `${where}
  Start a project that maps it and runs at once: poolflow init my-project
  Or map it in that deno.json (create one if there is none):
  {"imports": {"${specifier}": "${target}"}}`;
}

function checkoutPath(library: URL, entry: string, cwd: string): string {
  const path = relative(
    cwd,
    decodeURIComponent(new URL(entry, library).pathname),
  ).replaceAll("\\", "/");
  return path.startsWith(".") ? path : `./${path}`;
}
