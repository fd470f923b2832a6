/**
 * The one SHA-256 hex helper: fingerprints of workflow files, input files,
 * inline rows and a durable run's shape are all hex digests of it.
 *
 * @module
 */

/**
 * The SHA-256 digest of `data` as lowercase hex, or its first `bytes`
 * bytes when a shorter fingerprint is enough.
 *
 * @param data Text (hashed as UTF-8) or bytes.
 * @param bytes How many bytes of the digest to keep; all 32 by default.
 * @returns The digest in hex, two characters a byte.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./sha256.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   await sha256Hex("abc", 4),
 *   "ba7816bf",
 * );
 * assertEquals((await sha256Hex(new Uint8Array([1, 2]))).length, 64);
 * ```
 */
export async function sha256Hex(
  data: string | Uint8Array<ArrayBuffer>,
  bytes?: number,
): Promise<string> {
  const input = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return Array.from(
    bytes === undefined ? digest : digest.subarray(0, bytes),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
