/**
 * The errors of distributed runs, each with a stable `code`.
 *
 * @module
 */

/** What went wrong in a distributed run, as a stable code. */
export type DistributedErrorCode =
  | "REDIS_UNREACHABLE"
  | "FINGERPRINT_MISMATCH"
  | "BAD_REDIS_URL";

/**
 * A distributed run could not go on: Redis is unreachable, a worker serves
 * another version of the workflow, or the Redis URL is wrong.
 *
 * @example Tell a lost Redis from other failures
 * ```ts
 * import { DistributedError } from "@poolflow/poolflow/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new DistributedError("REDIS_UNREACHABLE", "Lost Redis");
 * assertEquals(error.code, "REDIS_UNREACHABLE");
 * ```
 */
export class DistributedError extends Error {
  /** Which failure this is. */
  readonly code: DistributedErrorCode;

  /**
   * Makes the error.
   *
   * @param code Which failure this is.
   * @param message What happened and what to do.
   * @param options Its cause.
   */
  constructor(
    code: DistributedErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DistributedError";
    this.code = code;
  }
}
