/**
 * Turning CSV records into the items of {@linkcode fromCsv}: arrays of
 * fields, or objects keyed by the header or the given columns, with a
 * record of the wrong width as an invalid record.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";
import type { CsvRecordHandler } from "./csv_records.ts";
import { InvalidRecord } from "./types.ts";

/** How {@linkcode CsvRows} shapes records: the options of `fromCsv`. */
export interface CsvRowOptions {
  /** Whether the first record names the columns. */
  header?: boolean;
  /** The column names. */
  columns?: readonly string[];
}

/**
 * Returns `columns` if they are distinct strings, at least one.
 *
 * @throws {TypeError} Otherwise, naming `where` they came from.
 */
export function checkColumns(
  columns: readonly string[],
  where: string,
): readonly string[] {
  const seen = new Set<string>();
  for (const column of columns) {
    if (typeof column !== "string") {
      throw new TypeError(
        `Invalid column in ${where}: expected a string, got ${
          describeValue(column)
        }`,
      );
    }
    if (seen.has(column)) {
      throw new TypeError(
        `Invalid columns in ${where}: ${describeValue(column)} appears twice`,
      );
    }
    seen.add(column);
  }
  if (columns.length === 0) {
    throw new TypeError(`Invalid columns in ${where}: no column names`);
  }
  return columns;
}

/** Builds row objects; `__proto__` as a column name stays a plain key. */
function rowBuilder(
  columns: readonly string[],
): (fields: readonly string[]) => Record<string, string> {
  if (!columns.includes("__proto__")) {
    return (fields) => {
      const row: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]!] = fields[i]!;
      return row;
    };
  }
  return (fields) => {
    const row: Record<string, string> = {};
    columns.forEach((column, i) =>
      Object.defineProperty(row, column, {
        value: fields[i],
        enumerable: true,
        writable: true,
        configurable: true,
      })
    );
    return row;
  };
}

/**
 * Receives the records of one reading and turns them into items, collected
 * in `out` chunk by chunk.
 */
export class CsvRows implements CsvRecordHandler {
  readonly #location: string;
  #skipHeader: boolean;
  #readHeader: boolean;
  #width = -1;
  #build: ((fields: readonly string[]) => unknown) | undefined;
  /** Items of the current chunk. */
  out: unknown[] = [];

  constructor(location: string, options: CsvRowOptions) {
    this.#location = location;
    const columns = options.columns;
    this.#readHeader = columns === undefined && (options.header ?? true);
    this.#skipHeader = columns !== undefined && options.header === true;
    if (columns !== undefined) this.#useColumns(columns);
  }

  #useColumns(columns: readonly string[]): void {
    this.#width = columns.length;
    this.#build = rowBuilder(columns);
  }

  record(fields: string[], line: number, text: string): void {
    if (this.#readHeader || this.#skipHeader) {
      if (this.#readHeader) {
        this.#useColumns(
          checkColumns(fields, `the header of "${this.#location}"`),
        );
      }
      this.#readHeader = this.#skipHeader = false;
      return;
    }
    if (this.#build === undefined) {
      this.out.push(fields);
    } else if (fields.length === this.#width) {
      this.out.push(this.#build(fields));
    } else {
      this.out.push(
        new InvalidRecord(
          this.#location,
          line,
          `Expected ${this.#width} fields but found ${fields.length}`,
          text,
        ),
      );
    }
  }

  invalid(line: number, reason: string, text: string): void {
    if (this.#readHeader) {
      throw new SyntaxError(
        `Cannot read the header of "${this.#location}": ${reason}`,
      );
    }
    this.#skipHeader = false;
    this.out.push(new InvalidRecord(this.#location, line, reason, text));
  }
}
