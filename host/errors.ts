/**
 * The host layer's errors: a workflow file that cannot be used. Each
 * adapter (CLI, server) turns it into its own wording and exit code or
 * status.
 *
 * @module
 */

/**
 * The workflow file cannot be used: missing, unparsable, ill-typed, without
 * a default export, or not a valid workflow. The message starts with the
 * file as the user named it.
 *
 * @example A missing file
 * ```ts
 * import { WorkflowFileError } from "./errors.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new WorkflowFileError("etl.ts", "No such file");
 * assertEquals(error.message, "etl.ts: No such file");
 * ```
 */
export class WorkflowFileError extends Error {
  /** The workflow file, as given on the command line. */
  readonly file: string;

  /**
   * Creates the error.
   *
   * @param file The workflow file, as given on the command line.
   * @param problem What is wrong with it (may span a few lines).
   * @param options The underlying error, if any.
   */
  constructor(
    file: string,
    problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file}: ${problem}`, options);
    this.name = "WorkflowFileError";
    this.file = file;
  }
}
