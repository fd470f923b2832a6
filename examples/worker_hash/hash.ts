/**
 * The worker side of the example: the function the `hash` stage runs in a
 * worker thread. It lives in its own module because a closure cannot cross
 * to another thread; the workflow names this module and the export.
 *
 * @module
 */

import type { WorkerContext } from "@poolflow/poolflow";
import { sha256Rounds, toHex } from "./sha256.ts";

/** A document as the JSON-lines file has it. */
export interface Document {
  /** Which document. */
  readonly id: number;
  /** Its text. */
  readonly text: string;
}

/** What the stage produces for a document. */
export interface HashedDocument {
  /** The document's id. */
  readonly id: number;
  /** Its text's length in bytes. */
  readonly bytes: number;
  /** SHA-256 applied `ROUNDS` times to its text, in hex. */
  readonly digest: string;
}

/** Hashing rounds per document: about half a millisecond of CPU. */
export const ROUNDS = 1_500;

/** Rounds between looks at the abort signal. */
const CHUNK = 250;

/**
 * Hashes a document's text `ROUNDS` times (key stretching, in miniature):
 * synchronous, CPU-bound work. Checks the signal between chunks so that an
 * aborted run stops it early.
 *
 * @param doc The document.
 * @param ctx The worker task's context.
 * @returns Its id, size and digest.
 */
export function hashDocument(
  doc: Document,
  { signal }: WorkerContext,
): HashedDocument {
  const bytes = new TextEncoder().encode(doc.text);
  let digest: Uint8Array = bytes;
  for (let done = 0; done < ROUNDS; done += CHUNK) {
    signal.throwIfAborted();
    digest = sha256Rounds(digest, Math.min(CHUNK, ROUNDS - done));
  }
  return { id: doc.id, bytes: bytes.length, digest: toHex(digest) };
}
