/**
 * {@linkcode fromCsv}: a CSV file (or stdin) as a streaming source of rows,
 * where a malformed row is a failed item, not a crash.
 *
 * @module
 */

import { type RowSource, withRows } from "./row_source.ts";
import { describeValue } from "../units/check.ts";
import { BatchReader } from "./batch_reader.ts";
import { checkDelimiter, CsvRecordSplitter } from "./csv_records.ts";
import { checkColumns, CsvRows } from "./csv_rows.ts";
import {
  fileFingerprint,
  locationOf,
  openTextInput,
  type TextInput,
} from "./text_input.ts";
import type { OpenContext, SourceReader } from "./types.ts";

/** Options of {@linkcode fromCsv}. */
export interface CsvSourceOptions {
  /**
   * Whether the first record names the columns (it is not an item). With
   * it, or with `columns`, items are objects; with neither they are arrays
   * of fields. Defaults to `true`, or to `false` when `columns` is given
   * (then `header: true` skips the file's own header).
   */
  header?: boolean;
  /** The column names, in field order: items are objects keyed by them. */
  columns?: readonly string[];
  /**
   * The field separator: not empty, and without `"`, `\r` or `\n`.
   * Defaults to `","`.
   */
  delimiter?: string;
  /**
   * The longest record kept, in characters (default 64 Mi). A longer one,
   * usually an unterminated quote, becomes one invalid record and is
   * skipped, so memory stays bounded.
   */
  maxRecordLength?: number;
}

const DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024;

/**
 * Reads a CSV file (or stdin, for `"-"`) as a stream of rows: objects keyed
 * by the header (the default) or by `columns`, or arrays of fields with
 * `header: false`.
 *
 * The file is read in large chunks as the items are pulled, so memory does
 * not grow with the file; opening the source does no I/O until its reader
 * is iterated, and leaving the iteration early closes the file. Quoted
 * fields may hold separators, quotes (`""`) and line ends; lines may end
 * with `\n` or `\r\n`; a UTF-8 byte-order mark is dropped; blank lines are
 * skipped.
 *
 * A malformed record (a wrong number of fields, a bad quote) is yielded as
 * an {@linkcode InvalidRecord} with the line where it starts, and reading
 * goes on with the next record; an unterminated quote yields one invalid
 * record at its line. Records without quotes are split directly; records
 * with quotes are parsed by the standard library's CSV `parse`. Rows of a
 * file without a header may have any number of fields.
 *
 * @param path The file, or `"-"` for stdin.
 * @param options Header, column names, delimiter.
 * @returns A source of rows.
 * @throws {TypeError} If `delimiter` or `columns` is invalid (at once),
 * and when iterated, if the header names a column twice.
 * @throws {SyntaxError} When iterated, if the header is malformed.
 * @throws {Deno.errors.NotFound} When iterated, if the file does not exist
 * (`Cannot read input file "<path>": not found`), and likewise for other
 * file-system errors.
 *
 * @example Rows keyed by the header, and a bad row in their midst
 * ```ts
 * import { fromCsv } from "./csv_source.ts";
 * import { InvalidRecord } from "./types.ts";
 * import { assertEquals, assertInstanceOf } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/people.csv`;
 *   await Deno.writeTextFile(path, 'id,name\n1,"Lovelace, Ada"\n2\n3,Grace\n');
 *   const { signal } = new AbortController();
 *   const reader = fromCsv(path).open({ signal });
 *   const items = await Array.fromAsync(reader);
 *   assertEquals(items[0], { id: "1", name: "Lovelace, Ada" });
 *   assertInstanceOf(items[1], InvalidRecord);
 *   assertEquals(items[1].line, 3);
 *   assertEquals(items[2], { id: "3", name: "Grace" });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @example Arrays of fields, a custom delimiter, typed columns
 * ```ts
 * import { fromCsv } from "./csv_source.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/scores.tsv`;
 *   await Deno.writeTextFile(path, "ada\t36\ngrace\t45\n");
 *   const { signal } = new AbortController();
 *   const arrays = fromCsv(path, { header: false, delimiter: "\t" });
 *   assertEquals(await Array.fromAsync(arrays.open({ signal })), [
 *     ["ada", "36"],
 *     ["grace", "45"],
 *   ]);
 *   const named = fromCsv(path, { columns: ["name", "age"], delimiter: "\t" });
 *   for await (const row of named.open({ signal })) {
 *     if (!("line" in row)) assertEquals(typeof row.age, "string");
 *   }
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fromCsv(
  path: string | URL,
  options: CsvSourceOptions & { header: false; columns?: undefined },
): RowSource<string[]>;
/**
 * Reads a CSV file as a stream of objects keyed by the given `columns`.
 *
 * @typeParam C The column names.
 * @param path The file, or `"-"` for stdin.
 * @param options The column names, and whether to skip the file's header.
 * @returns A source of rows keyed by `columns`.
 */
export function fromCsv<const C extends string>(
  path: string | URL,
  options: CsvSourceOptions & { columns: readonly C[] },
): RowSource<Record<C, string>>;
/**
 * Reads a CSV file with a header row as a stream of objects; name the row
 * type to have items typed by it.
 *
 * @typeParam Row The row type: an object of strings (an interface is fine).
 * @param path The file, or `"-"` for stdin.
 * @param options Header, column names, delimiter.
 * @returns A source of rows.
 */
export function fromCsv<
  Row extends Record<keyof Row, string> = Record<string, string>,
>(path: string | URL, options?: CsvSourceOptions): RowSource<Row>;
export function fromCsv(
  path: string | URL,
  options: CsvSourceOptions = {},
): RowSource<unknown> {
  const location = locationOf(path);
  const delimiter = checkDelimiter(options.delimiter ?? ",");
  if (options.columns !== undefined) {
    if (!Array.isArray(options.columns)) {
      throw new TypeError(
        `Invalid columns: expected an array of names, got ${
          describeValue(options.columns)
        }`,
      );
    }
    checkColumns(options.columns, "the columns option");
  }
  const maxRecordLength = options.maxRecordLength ??
    DEFAULT_MAX_RECORD_LENGTH;
  return withRows({
    kind: "csv",
    fingerprint: () => fileFingerprint(path),
    location,
    open(context: OpenContext): SourceReader<unknown> {
      let input: TextInput | undefined;
      let rows: CsvRows | undefined;
      let splitter: CsvRecordSplitter | undefined;
      let ended = false;
      return new BatchReader<unknown>({
        async pull() {
          if (ended) return null;
          if (input === undefined) {
            input = await openTextInput(path, context.signal);
            rows = new CsvRows(location, options);
            splitter = new CsvRecordSplitter(delimiter, maxRecordLength, rows);
          }
          const chunk = await input.read();
          rows!.out = [];
          if (chunk === null) {
            ended = true;
            splitter!.end();
          } else {
            splitter!.push(chunk);
          }
          return rows!.out;
        },
        close() {
          input?.close();
        },
        progress() {
          return {
            done: input?.bytesRead ?? 0,
            total: input?.size,
            unit: "bytes",
          };
        },
      });
    },
  });
}
