/**
 * Typed signatures for the Deno standard library's CSV module, which
 * reaches us from npm (`deno-std`) as plain JavaScript. The only place that
 * imports it untyped; code imports `@std/csv`, which maps here.
 *
 * The type names follow `jsr:@std/csv` (`ParseOptions`, `RowType`,
 * `StringifyOptions`, ...), so switching the mapping to JSR later should
 * not change a caller.
 *
 * @example Stream a file of records
 * ```ts
 * import { CsvParseStream } from "@std/csv";
 * import { assertEquals } from "@std/assert";
 *
 * const rows = ReadableStream.from(["id,name\n1,Ada\n", "2,Grace\n"])
 *   .pipeThrough(new CsvParseStream({ skipFirstRow: true }));
 * assertEquals(await Array.fromAsync(rows), [
 *   { id: "1", name: "Ada" },
 *   { id: "2", name: "Grace" },
 * ]);
 * ```
 *
 * @module
 */

import {
  CsvParseStream as UntypedCsvParseStream,
  parse as untypedParse,
  stringify as untypedStringify,
} from "npm:deno-std@1.4.0/csv/mod.js";

/** How a record is read: options shared by {@linkcode parse} and {@linkcode CsvParseStream}. */
export interface ReadOptions {
  /**
   * The field separator; not `"`, `\r` or `\n`. Defaults to `","`; may be
   * longer than one character.
   */
  separator?: string;
  /**
   * A line starting with this character is skipped. A comment character
   * inside a line is data. Defaults to none.
   */
  comment?: string;
  /** Ignore leading white space in a field. Defaults to `false`. */
  trimLeadingSpace?: boolean;
  /**
   * Accept a quote inside an unquoted field and a lone quote inside a quoted
   * field, instead of failing with a `SyntaxError`. Defaults to `false`.
   */
  lazyQuotes?: boolean;
  /**
   * Fields each record must have: a positive number is that count, `0`
   * means "as many as the first record", a negative number or none accepts
   * any count. A record that breaks it fails with a `SyntaxError`.
   */
  fieldsPerRecord?: number;
}

/** Options of {@linkcode parse}: how records are read and turned into rows. */
export interface ParseOptions extends ReadOptions {
  /**
   * Treat the first record as the header: it is not returned, and rows
   * become objects keyed by it (unless `columns` names the keys). A record
   * with more or fewer fields than the header fails with an `Error`.
   * Defaults to `false`.
   */
  skipFirstRow?: boolean;
  /**
   * Keys of the row objects, in field order. With it every row is an
   * object, the first record included unless `skipFirstRow` is set.
   */
  columns?: readonly string[];
}

/** Options of {@linkcode CsvParseStream}: the same as those of {@linkcode parse}. */
export type CsvParseStreamOptions = ParseOptions;

/**
 * The type of one parsed row for options `T`: `string[]` without `columns`
 * and `skipFirstRow`, an object keyed by the `columns` names when they are
 * known literally, `Record<string, string>` with a header row, and a union
 * of both when the options are only known at run time.
 *
 * @typeParam T The options, as written (`const` inference keeps literals).
 */
export type RowType<T extends ParseOptions | undefined> = T extends undefined
  ? string[]
  : T extends { columns: readonly (infer C extends string)[] }
    ? Record<C, string>
  : T extends { skipFirstRow: true } ? Record<string, string>
  // Optional `columns` or a `skipFirstRow` that may be true: either shape.
  : "columns" extends keyof T ? string[] | Record<string, string>
  : "skipFirstRow" extends keyof T
    ? T extends { skipFirstRow: false } ? string[]
    : string[] | Record<string, string>
  : string[];

/**
 * Parses a whole CSV text (RFC 4180; `\n` or `\r\n` line ends, a leading
 * byte-order mark dropped) into rows. Blank lines are skipped.
 *
 * @typeParam T The options, inferred as literals so the row type follows them.
 * @param input The CSV text.
 * @param options How to read records and shape rows.
 * @returns The rows: arrays of fields, or objects with `skipFirstRow` or `columns`.
 * @throws {SyntaxError} On a malformed quote or a wrong field count.
 * @throws {Error} When a record's field count differs from the header's.
 *
 * @example Rows as arrays, or as objects keyed by the header
 * ```ts
 * import { parse } from "@std/csv";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(parse("a,b\n1,2\n"), [["a", "b"], ["1", "2"]]);
 * const rows = parse("a;b\n1;2\n", { separator: ";", skipFirstRow: true });
 * assertEquals(rows, [{ a: "1", b: "2" }]);
 * ```
 */
export const parse: {
  (input: string): string[][];
  <const T extends ParseOptions>(input: string, options: T): RowType<T>[];
} = untypedParse;

/**
 * Turns a stream of CSV text into a stream of rows, reading one line at a
 * time: a {@linkcode TransformStream} from `string` chunks (split anywhere)
 * to rows typed by the options (see {@linkcode RowType}). Pipe a file into
 * it with `file.readable.pipeThrough(new TextDecoderStream())`.
 *
 * Differences from {@linkcode parse}: a leading byte-order mark is kept
 * (it ends up in the first header name; strip it upstream if files may
 * carry one). A malformed record errors the readable side; it is not
 * skipped. Cancelling the readable side (ending a `for await` early)
 * cancels the writable side, which cancels what is piped into it.
 *
 * @typeParam T The options, inferred as literals so the row type follows them.
 *
 * @example Typed rows from a header
 * ```ts
 * import { CsvParseStream } from "@std/csv";
 * import { assertEquals } from "@std/assert";
 *
 * const rows = ReadableStream.from(["id,amount\n1,9.5", "0\n2,3\n"])
 *   .pipeThrough(new CsvParseStream({ skipFirstRow: true }));
 * const total = (await Array.fromAsync(rows))
 *   .reduce((sum, row) => sum + Number(row.amount), 0);
 * assertEquals(total, 12.5);
 * ```
 *
 * @example Named columns, no header
 * ```ts
 * import { CsvParseStream } from "@std/csv";
 * import { assertEquals } from "@std/assert";
 *
 * const stream = new CsvParseStream({ columns: ["name", "age"] });
 * const rows = ReadableStream.from(["Ada,36\n"]).pipeThrough(stream);
 * for await (const row of rows) assertEquals(row.name, "Ada");
 * ```
 */
export class CsvParseStream<
  const T extends CsvParseStreamOptions | undefined = undefined,
> implements TransformStream<string, RowType<T>> {
  // The JS class is a readable/writable pair, not a TransformStream subclass.
  readonly #stream: TransformStream<string, RowType<T>>;

  /**
   * Creates a parser; nothing is read until the readable side is pulled.
   *
   * @param options How to read records and shape rows.
   */
  constructor(options?: T) {
    this.#stream = new UntypedCsvParseStream(options);
  }

  /** The rows, one per record. */
  get readable(): ReadableStream<RowType<T>> {
    return this.#stream.readable;
  }

  /** Where the CSV text goes, in chunks of any size. */
  get writable(): WritableStream<string> {
    return this.#stream.writable;
  }
}

/** A key into a row: a property name, or an index for array rows. */
export type PropertyAccessor = number | string;

/** A column of {@linkcode stringify} with its own header. */
export interface ColumnDetails {
  /** The value's path in the row: a key, or keys into nested values. */
  prop: PropertyAccessor | readonly PropertyAccessor[];
  /** The header; defaults to the last key of `prop`. */
  header?: string;
}

/**
 * A column of {@linkcode stringify}: a key, a path of keys into nested
 * values, or {@linkcode ColumnDetails}.
 */
export type Column =
  | ColumnDetails
  | PropertyAccessor
  | readonly PropertyAccessor[];

/** A row to stringify: an object (needs `columns`) or an array of values. */
export type DataItem = Readonly<Record<string, unknown>> | readonly unknown[];

/** Options of {@linkcode stringify}. */
export interface StringifyOptions {
  /** Write a header line from `columns`. Defaults to `true`. */
  headers?: boolean;
  /** The field separator; not `"` nor containing `\r\n`. Defaults to `","`. */
  separator?: string;
  /** Which values to write, in order; required for object rows. */
  columns?: readonly Column[];
  /** Start with a byte-order mark. Defaults to `false`. */
  bom?: boolean;
}

/**
 * Writes rows as CSV text with `\r\n` line ends. Fields holding the
 * separator, a quote or a newline are quoted; objects become JSON;
 * `null` and `undefined` become empty fields.
 *
 * @param data The rows.
 * @param options Columns, header, separator.
 * @returns The CSV text, ending with a line end.
 * @throws {TypeError} If `separator` is invalid, or an object row comes
 * without `columns`.
 *
 * @example Objects, with a renamed column
 * ```ts
 * import { stringify } from "@std/csv";
 * import { assertEquals } from "@std/assert";
 *
 * const csv = stringify([{ id: 1, who: "Ada, L." }], {
 *   columns: ["id", { prop: "who", header: "name" }],
 * });
 * assertEquals(csv, 'id,name\r\n1,"Ada, L."\r\n');
 * ```
 */
export const stringify: (
  data: readonly DataItem[],
  options?: StringifyOptions,
) => string = untypedStringify;
