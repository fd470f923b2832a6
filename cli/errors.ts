/**
 * The CLI's user errors: a wrong command line or a wrong workflow file
 * (`WorkflowFileError`, from the host layer). Both end the program with
 * exit code 64 and a short message, never a stack trace.
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

export { WorkflowFileError } from "../host/errors.ts";
