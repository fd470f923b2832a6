/**
 * The registered workflows: the only code the server runs. They come as a
 * map of name to workflow, or from a folder of workflow files loaded once
 * at start (each file's default export, named by its `name`), and are
 * described for `GET /workflows` without running anything.
 *
 * @module
 */

import { loadWorkflow } from "../host/load.ts";
import { workflowFileFingerprint } from "../host/resume.ts";
import { type AnyWorkflow, isWorkflow } from "../lib/workflow/define.ts";

/**
 * The workflows a server may run: a folder of workflow files, or the
 * workflows by name.
 */
export type WorkflowSet =
  | string
  | URL
  | ReadonlyMap<string, AnyWorkflow>
  | Readonly<Record<string, AnyWorkflow>>;

/** A declared parameter, as `GET /workflows` shows it. */
export interface ParamInfo {
  /** Its type. */
  readonly type: "string" | "number" | "boolean" | "path";
  /** For a path: the folder its value must stay inside, as declared. */
  readonly root?: string;
  /** For a path: whether the run reads or writes it. */
  readonly access?: "read" | "write";
  /** Its default, if any; without one it is required. */
  readonly default?: string | number | boolean;
  /** What it is for. */
  readonly description?: string;
}

/** A workflow, as `GET /workflows` shows it. */
export interface WorkflowInfo {
  /** The name a run asks for. */
  readonly name: string;
  /** What it does. */
  readonly description?: string;
  /** Its parameters, by name. */
  readonly params: Readonly<Record<string, ParamInfo>>;
}

/**
 * Checks workflows given by name.
 *
 * @param workflows A map or record of name to workflow.
 * @returns The workflows by name, in the order given.
 * @throws {TypeError} If a value is not a workflow or a name is empty.
 *
 * @example
 * ```ts
 * import { defineWorkflow, fromIterable } from "../mod.ts";
 * import { workflowMap } from "./workflows.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const squares = defineWorkflow({ name: "squares", source: fromIterable([1, 2]) });
 * assertEquals([...workflowMap({ squares }).keys()], ["squares"]);
 * ```
 */
export function workflowMap(
  workflows:
    | ReadonlyMap<string, AnyWorkflow>
    | Readonly<Record<string, AnyWorkflow>>,
): Map<string, AnyWorkflow> {
  const entries = workflows instanceof Map
    ? [...workflows.entries()]
    : Object.entries(workflows);
  const map = new Map<string, AnyWorkflow>();
  for (const [name, workflow] of entries) {
    if (typeof name !== "string" || name.trim() === "") {
      throw new TypeError(
        "Invalid workflow name: expected a non-empty string",
      );
    }
    if (!isWorkflow(workflow)) {
      throw new TypeError(
        `Invalid workflow "${name}": expected the value of defineWorkflow({...})`,
      );
    }
    map.set(name, workflow);
  }
  return map;
}

/** Hashes of the files that workflows were loaded from. */
const fileFingerprints = new WeakMap<AnyWorkflow, string>();
/** The folders of the files that workflows were loaded from. */
const fileFolders = new WeakMap<AnyWorkflow, URL>();

/**
 * The folder of the file a workflow was loaded from by
 * {@linkcode loadWorkflowFolder}, which the roots of its path params are
 * relative to; `undefined` for a workflow given in code (its roots are
 * relative to the working folder).
 *
 * @param workflow A registered workflow.
 * @returns The folder's `file:` URL, or `undefined`.
 *
 * @example A workflow given in code has none
 * ```ts
 * import { defineWorkflow, fromIterable } from "../mod.ts";
 * import { workflowFolder } from "./workflows.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const w = defineWorkflow({ name: "w", source: fromIterable([1]) });
 * assertEquals(workflowFolder(w), undefined);
 * ```
 */
export function workflowFolder(workflow: AnyWorkflow): URL | undefined {
  return fileFolders.get(workflow);
}

/**
 * A hash of the file a workflow was loaded from by
 * {@linkcode loadWorkflowFolder} (as the CLI computes it), so that a
 * durable run does not resume over an edited file; `undefined` for a
 * workflow given in code.
 *
 * @param workflow A registered workflow.
 * @returns The hash, or `undefined`.
 *
 * @example A workflow given in code has none
 * ```ts
 * import { defineWorkflow, fromIterable } from "../mod.ts";
 * import { workflowFingerprint } from "./workflows.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const w = defineWorkflow({ name: "w", source: fromIterable([1]) });
 * assertEquals(workflowFingerprint(w), undefined);
 * ```
 */
export function workflowFingerprint(workflow: AnyWorkflow): string | undefined {
  return fileFingerprints.get(workflow);
}

const WORKFLOW_FILE = /^[^._][^/\\]*\.(?:ts|mts|js|mjs)$/;
const TEST_FILE = /[._]test\.[mc]?[jt]s$/;

/**
 * Loads every workflow file of a folder (not its subfolders): files ending
 * in `.ts`, `.mts`, `.js` or `.mjs`, except those starting with `_` or `.`
 * and tests. Each default export must be a workflow; it is registered
 * under its `name`. The files are imported, not type-checked.
 *
 * @param folder The folder, a path or a `file:` URL.
 * @returns The workflows by name, sorted by file name.
 * @throws {Error} If the folder cannot be read, holds no workflow file, a
 * file is not a workflow (`WorkflowFileError`), or two share a name.
 *
 * @example
 * ```ts ignore
 * import { loadWorkflowFolder } from "./workflows.ts";
 *
 * const workflows = await loadWorkflowFolder("examples/server/workflows");
 * console.log([...workflows.keys()]);
 * ```
 */
export async function loadWorkflowFolder(
  folder: string | URL,
): Promise<Map<string, AnyWorkflow>> {
  const path = typeof folder === "string"
    ? folder
    : decodeURIComponent(folder.pathname);
  const files: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (
      (entry.isFile || entry.isSymlink) && WORKFLOW_FILE.test(entry.name) &&
      !TEST_FILE.test(entry.name)
    ) {
      files.push(entry.name);
    }
  }
  if (files.length === 0) {
    throw new Error(
      `No workflow files in "${path}": add files whose default export is defineWorkflow({...})`,
    );
  }
  files.sort();
  const map = new Map<string, AnyWorkflow>();
  const fileOf = new Map<string, string>();
  for (const name of files) {
    const file = `${path.replace(/[/\\]+$/, "")}/${name}`;
    const { workflow, url } = await loadWorkflow(file, {
      cwd: Deno.cwd(),
      check: false,
    });
    const other = fileOf.get(workflow.name);
    if (other !== undefined) {
      throw new Error(
        `Two workflows are named "${workflow.name}": ${other} and ${name}; names must be unique`,
      );
    }
    fileOf.set(workflow.name, name);
    map.set(workflow.name, workflow);
    fileFingerprints.set(workflow, await workflowFileFingerprint(url));
    fileFolders.set(workflow, new URL(".", url));
  }
  return map;
}

/**
 * Describes a workflow for `GET /workflows`: its name, description and
 * parameters. Nothing runs.
 *
 * @param name The name it is registered under.
 * @param workflow The workflow.
 * @returns The description.
 *
 * @example
 * ```ts
 * import { defineWorkflow, fromIterable } from "../mod.ts";
 * import { describeWorkflow } from "./workflows.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const w = defineWorkflow({
 *   name: "w",
 *   params: { n: { type: "number", default: 3 } },
 *   source: ({ n }) => fromIterable(Array.from({ length: n }, (_, i) => i)),
 * });
 * assertEquals(describeWorkflow("w", w).params, { n: { type: "number", default: 3 } });
 * ```
 */
export function describeWorkflow(
  name: string,
  workflow: AnyWorkflow,
): WorkflowInfo {
  const params: Record<string, ParamInfo> = {};
  for (const [key, spec] of Object.entries(workflow.params ?? {})) {
    params[key] = {
      type: spec.type,
      ...(spec.type === "path"
        ? { root: spec.root, access: spec.access ?? "read" }
        : {}),
      ...(spec.default === undefined ? {} : { default: spec.default }),
      ...(spec.description === undefined
        ? {}
        : { description: spec.description }),
    };
  }
  return {
    name,
    ...(typeof workflow.description === "string"
      ? { description: workflow.description }
      : {}),
    params,
  };
}
