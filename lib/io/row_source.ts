/**
 * Sources that are also async iterables of their rows, so library code can
 * read one directly (`for await`, `mapConcurrent(fromCsv(path), fn)`)
 * without opening it, and the error a malformed record raises there.
 *
 * @module
 */

import { InvalidRecord, type Source } from "./types.ts";

/**
 * A source that is also an `AsyncIterable` of its rows. Each iteration
 * opens the source afresh and closes it when the loop ends, early or not.
 * A malformed record (a CSV row of the wrong width, a line that is not
 * JSON) ends the iteration with an {@linkcode InvalidRecordError} naming
 * the file and line, after the rows before it. A workflow run, which opens
 * the source itself, reports such records as failed items instead and goes
 * on; so does iterating `source.open({ signal })`, which yields them as
 * {@linkcode InvalidRecord} values.
 *
 * @typeParam T The row type.
 */
export interface RowSource<T> extends Source<T>, AsyncIterable<T> {}

/**
 * What iterating a {@linkcode RowSource} throws at a malformed record. Its
 * message is the record's `"<file>:<line>: <reason>"`.
 *
 * @example A CSV row with a field too many
 * ```ts
 * import { fromCsv, InvalidRecordError } from "@poolflow/poolflow";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/rows.csv`, "id,name\n1,ada\n2,bob,extra\n");
 *   const seen: string[] = [];
 *   const error = await assertRejects(async () => {
 *     for await (const row of fromCsv(`${dir}/rows.csv`)) seen.push(row.name!);
 *   }, InvalidRecordError);
 *   assertEquals(seen, ["ada"]);
 *   assertEquals([error.code, error.line], ["invalid_record", 3]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class InvalidRecordError extends Error {
  /** Always `"invalid_record"`. */
  readonly code = "invalid_record" as const;
  /** Where the source reads from, such as the file's path. */
  readonly location: string;
  /** Line where the record starts, from 1. */
  readonly line: number;
  /** The record, with its reason and raw text. */
  readonly record: InvalidRecord;

  /**
   * Creates the error.
   *
   * @param record The malformed record.
   */
  constructor(record: InvalidRecord) {
    super(record.message);
    this.name = "InvalidRecordError";
    this.location = record.location;
    this.line = record.line;
    this.record = record;
  }
}

/**
 * Makes a source iterable by its rows, in place.
 *
 * @typeParam T The row type.
 * @param source A source made by one of the library's constructors.
 * @returns The same object, now also an async iterable of its rows.
 */
export function withRows<T>(source: Source<T>): RowSource<T> {
  return Object.assign(source, {
    [Symbol.asyncIterator]: (): AsyncIterator<T> => readRows(source),
  });
}

async function* readRows<T>(source: Source<T>): AsyncGenerator<T, void> {
  // The loop's end (done, break or throw) closes the reader; the signal is
  // only for what a reader waits on.
  const controller = new AbortController();
  for await (const item of source.open({ signal: controller.signal })) {
    if (item instanceof InvalidRecord) throw new InvalidRecordError(item);
    yield item;
  }
}
