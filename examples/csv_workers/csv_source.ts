/**
 * Streams the records of a CSV file with a header row, one at a time, and
 * releases the file however the reading ends.
 *
 * @module
 */

import { CsvParseStream } from "@std/csv";

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a CSV file lazily: a record is parsed only when the consumer asks
 * for one, so `mapConcurrent` pulls rows at the pace of its free slots.
 *
 * The file is closed when the records run out, when the CSV is malformed
 * (the error is rethrown) and when the consumer stops early.
 *
 * @param path The CSV file; its first record names the columns.
 * @returns The records, keyed by the header.
 * @throws {Deno.errors.NotFound} If the file does not exist (on first read).
 * @throws {SyntaxError} If a record is malformed.
 */
export async function* readCsvRecords(
  path: string | URL,
): AsyncGenerator<Record<string, string>, void, undefined> {
  using file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK_BYTES);
  let stopped = false;
  let reading: Promise<number | null> | undefined;
  // The file is read here, not through a pipe that an abort signal stops:
  // after a malformed record std's CsvParseStream stops reading its input
  // without cancelling it, so such a pipe can wait forever on its last
  // write. This source starts no read once the records end, and the end
  // waits for the read in flight, so the file is closed with no op pending.
  const text = new ReadableStream<string>({
    async pull(controller) {
      if (stopped) return controller.close();
      reading = file.read(buffer);
      const n = await reading;
      if (n === null) {
        const rest = decoder.decode();
        if (rest !== "") controller.enqueue(rest);
        controller.close();
      } else {
        controller.enqueue(
          decoder.decode(buffer.subarray(0, n), { stream: true }),
        );
      }
    },
  }, { highWaterMark: 0 });
  const records = text.pipeThrough(new CsvParseStream({ skipFirstRow: true }));
  try {
    yield* records;
  } finally {
    stopped = true;
    await reading?.catch(() => null);
  }
}
