/**
 * `--json`: a run's events as JSON lines on stdout, for machines. Writes
 * wait for the reader; a reader that falls behind misses events (told by a
 * `lagged` event) rather than slowing the run, and one that goes away
 * (a closed pipe) ends the stream without ending the run.
 *
 * @module
 */

import type { RunEvent } from "../mod.ts";

/** Where the lines go: `Deno.stdout`, or anything with its `write`. */
export interface ByteWriter {
  /** Writes some of `bytes`; resolves to how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Writes each event as one line of JSON until `run-finished`.
 *
 * @param events The run's events.
 * @param writer Where to write.
 * @returns When the last event is written, or the writer has failed.
 *
 * @example
 * ```ts
 * import { writeJsonEvents } from "./json_events.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const chunks: Uint8Array[] = [];
 * const writer = { write: (b: Uint8Array) => Promise.resolve(chunks.push(b) && b.length) };
 * await writeJsonEvents([{ type: "lagged", dropped: 2 }], writer);
 * assertEquals(new TextDecoder().decode(chunks[0]), '{"type":"lagged","dropped":2}\n');
 * ```
 */
export async function writeJsonEvents(
  events: AsyncIterable<RunEvent> | Iterable<RunEvent>,
  writer: ByteWriter,
): Promise<void> {
  const encoder = new TextEncoder();
  try {
    for await (const event of events) {
      let bytes = encoder.encode(`${JSON.stringify(event)}\n`);
      while (bytes.length > 0) {
        bytes = bytes.subarray(await writer.write(bytes));
      }
    }
  } catch (error) {
    // The reader went away (`| head`): stop writing, let the run finish.
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}
