/**
 * The CLI's user errors: a wrong command line or a wrong workflow file.
 * Both end the program with exit code 64 and a short message, never a
 * stack trace.
 *
 * @module
 */

/**
 * The command line is wrong: an unknown flag, a bad value, a missing file
 * argument. The message names the flag and says what to do.
 *
 * @example Thrown by the argument parser
 * ```ts
 * import { UsageError } from "./errors.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new UsageError('Unknown flag "--colour"');
 * assertEquals(error.name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong, in sentence case, without a trailing period.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

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
