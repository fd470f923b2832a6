/**
 * The files of a new project: the templates in `init_templates/` (imported
 * as text, so they load from a checkout and from the published module
 * alike, with no read permission) and a `deno.json` that maps
 * `@poolflow/poolflow` and has least-privilege tasks.
 *
 * @module
 */

import { relative } from "node:path";
import workflowTemplate from "./init_templates/workflow.ts" with {
  type: "text",
};
import citiesTemplate from "./init_templates/data/cities.csv" with {
  type: "text",
};
import gitignoreTemplate from "./init_templates/gitignore.txt" with {
  type: "text",
};
import type { PoolflowSource } from "./init_registry.ts";
import { ENTRY_POINTS } from "../host/package.ts";

/** A file to write: its path inside the project, and its text. */
export interface ProjectFile {
  /** The path inside the project, with `/`. */
  readonly path: string;
  /** The content. */
  readonly text: string;
}

/**
 * The `start` task: the CLI with the least it needs: reading the project
 * folder (and a checkout it maps, whose modules the workflow may import
 * beyond those the CLI loaded), writing outputs and checkpoints, and
 * running `deno check`.
 *
 * @param source Where `@poolflow/poolflow` points.
 * @param dir The project folder, absolute.
 * @returns The command.
 *
 * @example
 * ```ts
 * import { startTask } from "./init_project.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   startTask({ kind: "checkout", root: new URL("file:///home/ada/poolflow/"), why: "" }, "/home/ada/etl"),
 *   "deno run --no-prompt --allow-read=.,../poolflow --allow-write=out,.poolflow --allow-run=deno @poolflow/poolflow/cli workflow.ts",
 * );
 * ```
 */
export function startTask(source: PoolflowSource, dir: string): string {
  const read = source.kind === "checkout"
    ? `.,${checkoutBase(source.root, dir)}`
    : ".";
  return `deno run --no-prompt --allow-read=${read} --allow-write=out,.poolflow --allow-run=deno @poolflow/poolflow/cli workflow.ts`;
}

/** The `check` task. */
export const CHECK_TASK = "deno check workflow.ts";

/**
 * The imports of the project's `deno.json`.
 *
 * @param source Where `@poolflow/poolflow` points.
 * @param dir The project folder, absolute (a checkout is mapped by a path
 * relative to it).
 * @returns The import map.
 *
 * @example The published module: one entry covers every subpath
 * ```ts
 * import { projectImports } from "./init_project.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const imports = projectImports({ kind: "jsr", specifier: "jsr:@poolflow/poolflow@^0.1.0", why: "" }, "/home/ada/etl");
 * assertEquals(imports, { "@poolflow/poolflow": "jsr:@poolflow/poolflow@^0.1.0" });
 * ```
 *
 * @example A checkout next to the project
 * ```ts
 * import { projectImports } from "./init_project.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const imports = projectImports({ kind: "checkout", root: new URL("file:///home/ada/poolflow/"), why: "" }, "/home/ada/etl");
 * assertEquals(imports["@poolflow/poolflow"], "../poolflow/mod.ts");
 * assertEquals(imports["@poolflow/poolflow/cli"], "../poolflow/cli.ts");
 * ```
 */
export function projectImports(
  source: PoolflowSource,
  dir: string,
): Record<string, string> {
  if (source.kind === "jsr") return { "@poolflow/poolflow": source.specifier };
  const base = checkoutBase(source.root, dir);
  const imports: Record<string, string> = {};
  for (const [key, target] of Object.entries(ENTRY_POINTS)) {
    imports[`@poolflow/poolflow${key.slice(1)}`] = `${base}/${target.slice(2)}`;
  }
  return imports;
}

/** The checkout's folder relative to the project, such as `../poolflow`. */
function checkoutBase(root: URL, dir: string): string {
  const base = relative(dir, decodeURIComponent(root.pathname))
    .replaceAll("\\", "/");
  if (base.startsWith(".")) return base;
  return base === "" ? "." : `./${base}`;
}

/**
 * Every file of a new project.
 *
 * @param source Where `@poolflow/poolflow` points.
 * @param dir The project folder, absolute.
 * @returns The files, `deno.json` first.
 *
 * @example
 * ```ts
 * import { projectFiles } from "./init_project.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const files = projectFiles({ kind: "jsr", specifier: "jsr:@poolflow/poolflow@^0.1.0", why: "" }, "/tmp/etl");
 * assertEquals(files.map((file) => file.path), ["deno.json", "workflow.ts", "data/cities.csv", ".gitignore"]);
 * ```
 */
export function projectFiles(
  source: PoolflowSource,
  dir: string,
): ProjectFile[] {
  const config = {
    imports: projectImports(source, dir),
    tasks: { start: startTask(source, dir), check: CHECK_TASK },
  };
  return [
    { path: "deno.json", text: `${JSON.stringify(config, null, 2)}\n` },
    { path: "workflow.ts", text: workflowTemplate },
    { path: "data/cities.csv", text: citiesTemplate },
    { path: ".gitignore", text: gitignoreTemplate },
  ];
}
