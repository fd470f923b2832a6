/**
 * Loading the workflow file: resolve it against the working folder, check
 * that it exists, type-check it (unless `--no-check`), import it by file
 * URL and take its default export. Every failure is a short
 * `WorkflowFileError` that names the file; no stack traces.
 *
 * @module
 */

// The whole library, not only define.ts: workflow files import mod.ts, and
// a dynamic import needs read permission for every module not loaded yet,
// so a host granted --allow-read on its workflow folder alone (deno task
// serve) could not load them if the library were not in its static graph.
import { type AnyWorkflow, isWorkflow } from "../mod.ts";
import { WorkflowError } from "../lib/workflow/errors.ts";
import { planWorkflow } from "../lib/workflow/plan.ts";
import { WorkflowFileError } from "./errors.ts";
import { replaceFileUrls, resolveFileUrl } from "./paths.ts";
import { checkoutRoot, typeCheck } from "./type_check.ts";
import { explainUnmappedImport } from "./import_hints.ts";

/** A loaded workflow file. */
export interface LoadedWorkflow {
  /** The file as given on the command line, for messages. */
  readonly file: string;
  /** Its URL. */
  readonly url: URL;
  /** Its default export, checked to be a workflow. */
  readonly workflow: AnyWorkflow;
}

/** Options of {@linkcode loadWorkflow}. */
export interface LoadOptions {
  /** The working folder, absolute; relative paths resolve against it. */
  readonly cwd: string;
  /** Type-check the file with `deno check` before importing it. */
  readonly check: boolean;
  /** Stops the type check, and the load, when aborted; its reason is thrown. */
  readonly signal?: AbortSignal;
}

/** How many lines of an import error a message keeps. */
const MAX_LINES = 6;

/**
 * Loads a workflow file.
 *
 * @param file The path as given on the command line.
 * @param options The working folder, and whether to type-check.
 * @returns The file's URL and its workflow.
 * @throws {WorkflowError} If it fails its type check and the workflow
 * validator says why (such as a misspelt option).
 * @throws {WorkflowFileError} If the file is missing, does not parse or
 * type-check (or `deno check` cannot be started), throws while loading, or its default export is not a workflow.
 */
export async function loadWorkflow(
  file: string,
  options: LoadOptions,
): Promise<LoadedWorkflow> {
  const url = resolveFileUrl(file, options.cwd);
  await checkExists(file, url);
  checkModuleExtension(file, url);
  if (options.check) {
    const diagnostic = await typeCheck(url, options.cwd, options.signal);
    if (diagnostic !== undefined) {
      // The validator's one line says more than a wall of overloads.
      const invalid = await validatorError(file, url, options.signal);
      if (invalid !== undefined) throw invalid;
      throw new WorkflowFileError(
        file,
        `Type check failed (skip it with --no-check):\n${indent(diagnostic)}`,
      );
    }
  }
  let module: Record<string, unknown>;
  try {
    module = await import(url.href);
  } catch (error) {
    throw new WorkflowFileError(file, describeImportError(error, options.cwd), {
      cause: error,
    });
  }
  if (!("default" in module)) {
    const named = Object.keys(module);
    throw new WorkflowFileError(
      file,
      `No default export: end the file with "export default defineWorkflow({...})"${
        named.length ? ` (it exports ${named.join(", ")})` : ""
      }`,
    );
  }
  options.signal?.throwIfAborted();
  const workflow = module.default;
  if (!isWorkflow(workflow)) {
    throw new WorkflowFileError(
      file,
      `The default export is not a workflow: expected the value of defineWorkflow({...}), got ${
        describe(workflow)
      }`,
    );
  }
  return { file, url, workflow };
}

/**
 * What the workflow validator says of a file that failed its type check,
 * if it loads at all: a typo in an option is its one line ("Unknown
 * workflow option ... did you mean ..."). A required param that the check
 * is not given is not a fault of the file.
 */
async function validatorError(
  file: string,
  url: URL,
  signal: AbortSignal | undefined,
): Promise<WorkflowError | undefined> {
  let workflow: unknown;
  try {
    workflow = (await import(url.href)).default;
  } catch {
    return undefined;
  }
  signal?.throwIfAborted();
  if (!isWorkflow(workflow)) return undefined;
  try {
    planWorkflow(workflow, { file, folder: new URL(".", url) });
    return undefined;
  } catch (error) {
    if (!(error instanceof WorkflowError)) return undefined;
    const name = error.path.startsWith("params.")
      ? error.path.slice("params.".length)
      : undefined;
    const spec = name === undefined ? undefined : workflow.params?.[name];
    if (spec !== undefined && spec.default === undefined) return undefined;
    return error;
  }
}

/** Extensions Deno imports as code; a workflow file is one of these. */
const MODULE_EXTENSIONS: ReadonlySet<string> = new Set([
  "ts",
  "mts",
  "cts",
  "tsx",
  "js",
  "mjs",
  "cjs",
  "jsx",
]);

/**
 * A data file given as the workflow (a `.json` or `.csv`, say) gets a
 * message saying what a workflow file is, not Deno's import error. A file
 * without an extension is left to Deno.
 */
function checkModuleExtension(file: string, url: URL): void {
  const extension = /\.([^./]+)$/.exec(url.pathname)?.[1]?.toLowerCase();
  if (extension === undefined || MODULE_EXTENSIONS.has(extension)) return;
  throw new WorkflowFileError(
    file,
    `Not a workflow file: a workflow is a TypeScript or JavaScript module (such as etl.ts) whose default export is defineWorkflow({...}), not a .${extension} file${
      extension === "json" || extension === "csv" || extension === "jsonl"
        ? "; to process its rows, read it in a workflow's source (fromJson, fromJsonl or fromCsv)"
        : ""
    }`,
  );
}

async function checkExists(file: string, url: URL): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(url);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const path = decodeURIComponent(url.pathname);
      throw new WorkflowFileError(
        file,
        `No such file${path === file ? "" : ` (looked for ${path})`}`,
        { cause: error },
      );
    }
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw new WorkflowFileError(
        file,
        "Cannot read it: allow reading it with --allow-read",
        { cause: error },
      );
    }
    throw new WorkflowFileError(
      file,
      `Cannot open it: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  if (!info.isFile) {
    throw new WorkflowFileError(
      file,
      "Not a file: give a workflow file such as etl.ts",
    );
  }
}

/**
 * What went wrong importing the file, without a stack: Deno reports parse
 * errors and unresolvable imports as a `TypeError` whose message holds the
 * location; anything else was thrown by the module's own code.
 */
function describeImportError(error: unknown, cwd: string): string {
  if (!(error instanceof Error)) {
    return `It threw while loading: ${describe(error)}`;
  }
  // deno-lint-ignore no-control-regex
  const message = error.message.replace(/\x1b\[[0-9;]*m/g, "");
  const unmapped = explainUnmappedImport(message, cwd, checkoutRoot(), "load");
  if (unmapped !== undefined) return `Cannot load it:\n${indent(unmapped)}`;
  const code = (error as { code?: unknown }).code;
  const lines = replaceFileUrls(message, cwd).split("\n");
  let short = lines.slice(0, MAX_LINES).join("\n") +
    (lines.length > MAX_LINES ? "\n…" : "");
  if (lines.length > 1) short = `\n${indent(short)}`;
  if (
    code === "ERR_MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT"
  ) {
    return `Cannot load it: ${short}`;
  }
  return `It threw while loading: ${error.name}: ${short}`;
}

function indent(text: string): string {
  return text.split("\n").map((line) => `  ${line}`).join("\n");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return String(value);
}
