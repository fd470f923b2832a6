/**
 * The functions the worker benchmark runs in worker threads (and, for the
 * baseline, on the main thread): a CPU-bound hash of about 1 ms and a
 * no-op. Plain functions of a plain module, so that poolflow, piscina and
 * tinypool all load the same file.
 *
 * @module
 */

import { sha256Rounds, toHex } from "../examples/worker_hash/sha256.ts";

/** SHA-256 rounds per item: about 1 ms of CPU on the benchmark machine. */
export const ROUNDS = 3_000;

const encoder = new TextEncoder();

/**
 * Hashes `item-<i>` `ROUNDS` times, synchronously in plain JavaScript:
 * CPU-bound on the thread that runs it (`crypto.subtle.digest` would be
 * async and leave the JavaScript thread).
 *
 * @param i The item.
 * @returns The last digest, in hex.
 */
export function hash(i: number): string {
  return toHex(sha256Rounds(encoder.encode(`item-${i}`), ROUNDS));
}

/** Does nothing: what a task costs beyond its work. */
export function noop(): void {}
