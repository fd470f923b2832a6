/**
 * The errors of planning a workflow: `WorkflowError` for anything wrong
 * with a workflow or a run's options, and its subclass `PathParamError`
 * for a path parameter whose value would leave its root. Both name the
 * field; a `PathParamError` also carries a stable `code` for adapters to
 * branch on.
 *
 * @module
 */

/**
 * A workflow is wrong: an unknown key, a value of the wrong type or range,
 * a missing parameter. The message names the file (when known), the field
 * path, the bad value and what is accepted.
 *
 * @example A wrong option
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow, WorkflowError } from "@poolflow/poolflow";
 * import { assertThrows } from "@std/assert";
 *
 * const workflow = defineWorkflow({
 *   name: "w",
 *   source: fromIterable([1, 2]),
 *   pipeline: (rows) => rows.map("double", (n) => n * 2, { concurrency: 0 }),
 * });
 * assertThrows(
 *   () => planWorkflow(workflow, { file: "w.ts" }),
 *   WorkflowError,
 *   'w.ts: Invalid pipeline stage "double": concurrency: expected an integer >= 1, got 0',
 * );
 * ```
 */
export class WorkflowError extends Error {
  /** The workflow file, when known. */
  readonly file: string | undefined;
  /** The field path, such as `pipeline stage "fetch": concurrency`. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The field path.
   * @param message What is wrong, starting with the path.
   * @param options `file` and `cause`.
   */
  constructor(
    path: string,
    message: string,
    options: { file?: string | undefined; cause?: unknown } = {},
  ) {
    super(options.file ? `${options.file}: ${message}` : message, {
      cause: options.cause,
    });
    this.name = "WorkflowError";
    this.file = options.file;
    this.path = path;
  }
}

/**
 * Why a path parameter's value was refused, as `PathParamError.code`:
 *
 * - `path_not_string`: the value is not a string.
 * - `path_empty`: the value is empty.
 * - `path_control_character`: it holds a NUL byte or another control
 *   character.
 * - `path_windows`: it holds a backslash, or starts with a drive letter
 *   (`C:`) or a UNC prefix (`\\server\share`).
 * - `path_url`: it starts with a URL scheme (`file:`, `http:`).
 * - `path_absolute`: it starts with `/`.
 * - `path_outside_root`: after normalisation, `..` leads out of the root.
 * - `path_symlink_outside_root`: a symbolic link on the way leads out of
 *   the root, or is broken.
 * - `path_not_found`: a parameter with `access: "read"` names no existing
 *   file inside the root.
 * - `path_unverifiable`: the root or the path cannot be inspected (no
 *   read permission, or another error), so the value is refused rather
 *   than trusted.
 */
export type PathParamCode =
  | "path_not_string"
  | "path_empty"
  | "path_control_character"
  | "path_windows"
  | "path_url"
  | "path_absolute"
  | "path_outside_root"
  | "path_symlink_outside_root"
  | "path_not_found"
  | "path_unverifiable";

/**
 * A path parameter's value would reach outside its root, or cannot be
 * checked. The message names the field and quotes the value; `code` says
 * why, for adapters (the CLI exits 64, the HTTP runner answers 400 with
 * `field` and `reason`).
 *
 * @example Branch on the code
 * ```ts
 * import { defineWorkflow, fromLines, PathParamError, planWorkflow } from "@poolflow/poolflow";
 * import { assertEquals, assertInstanceOf } from "@std/assert";
 *
 * const workflow = defineWorkflow({
 *   name: "lines",
 *   params: { input: { type: "path", root: "data", access: "read" } },
 *   source: ({ input }) => fromLines(input),
 * });
 * try {
 *   planWorkflow(workflow, { params: { input: "/etc/passwd" } });
 * } catch (error) {
 *   assertInstanceOf(error, PathParamError);
 *   assertEquals([error.code, error.path, error.value], ["path_absolute", "params.input", "/etc/passwd"]);
 * }
 * ```
 */
export class PathParamError extends WorkflowError {
  /** Why the value was refused. */
  readonly code: PathParamCode;
  /** The value as given (or the default). */
  readonly value: unknown;
  /** The parameter's root, as declared. */
  readonly root: string;

  /**
   * Creates the error.
   *
   * @param path The field, such as `params.input`.
   * @param code Why the value was refused.
   * @param message What is wrong, naming the field and quoting the value.
   * @param options The value, the declared root, the workflow file and the
   * cause.
   */
  constructor(
    path: string,
    code: PathParamCode,
    message: string,
    options: {
      value: unknown;
      root: string;
      file?: string | undefined;
      cause?: unknown;
    },
  ) {
    super(path, message, { file: options.file, cause: options.cause });
    this.name = "PathParamError";
    this.code = code;
    this.value = options.value;
    this.root = options.root;
  }
}
