/**
 * Streams the records of a CSV file with a header row, one at a time, and
 * releases the file however the reading ends.
 *
 * @module
 */

import { CsvParseStream } from "@std/csv";

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
  const file = await Deno.open(path, { read: true });
  const stop = new AbortController();
  const decoder = new TextDecoderStream();
  // A parse error or an early stop leaves this pipe waiting on a reader that
  // is gone; aborting it cancels file.readable, which closes the file.
  const feeding = file.readable
    .pipeTo(decoder.writable, { signal: stop.signal })
    .catch(() => {});
  const records = decoder.readable.pipeThrough(
    new CsvParseStream({ skipFirstRow: true }),
  );
  try {
    yield* records;
  } finally {
    stop.abort();
    await feeding;
  }
}
