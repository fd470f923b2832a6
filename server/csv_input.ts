/**
 * A CSV request body as a run's input: rows keyed by the header, parsed
 * with the library's own CSV reader, so a malformed row becomes a failed
 * item with its line number, as it would from a file.
 *
 * @module
 */

import { CsvRecordSplitter } from "../lib/io/csv_records.ts";
import { CsvRows } from "../lib/io/csv_rows.ts";
import type { InvalidRecord } from "../lib/io/types.ts";
import { ApiError } from "./errors.ts";

/** Where the rows come from, in messages and dead letters. */
export const CSV_INPUT_LOCATION = "request.csv";

/**
 * Parses a CSV body with a header row.
 *
 * @param text The body.
 * @param maxRows Rows allowed, the header not counted.
 * @returns The rows, and invalid records in their place.
 * @throws {ApiError} 400 if the header is malformed or names a column
 * twice, or if there are more than `maxRows` rows.
 *
 * @example
 * ```ts
 * import { parseCsvInput } from "./csv_input.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(parseCsvInput("id,name\n1,Ada\n", 10), [{ id: "1", name: "Ada" }]);
 * ```
 */
export function parseCsvInput(
  text: string,
  maxRows: number,
): (Record<string, string> | InvalidRecord)[] {
  const rows = new CsvRows(CSV_INPUT_LOCATION, { header: true });
  const splitter = new CsvRecordSplitter(",", text.length + 1, rows);
  try {
    splitter.push(text);
    splitter.end();
  } catch (error) {
    throw new ApiError(
      400,
      "bad_request",
      `Invalid CSV body: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { field: "body", cause: error },
    );
  }
  const items = rows.out as (Record<string, string> | InvalidRecord)[];
  if (items.length > maxRows) {
    throw new ApiError(
      400,
      "bad_request",
      `Invalid CSV body: ${items.length} rows, at most ${maxRows} are allowed; split the input, or give the workflow a source of its own`,
      { field: "body" },
    );
  }
  return items;
}
