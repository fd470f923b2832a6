/**
 * One item as one line of JSON, with a clear error for what JSON cannot hold.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";

/**
 * `JSON.stringify(item)`, refusing items that have no JSON text.
 *
 * @param item The item.
 * @param sink The sink's name, for the error.
 * @returns The JSON text, on one line.
 * @throws {TypeError} For `undefined`, a function or a symbol, and (from
 * `JSON.stringify`) a bigint or a cycle.
 */
export function jsonLine(item: unknown, sink: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(item);
  } catch (error) {
    // A bigint or a cycle somewhere inside, or a throwing toJSON.
    throw new TypeError(
      `Cannot write ${describeValue(item)} to ${sink}: it has no JSON form (${
        error instanceof Error ? error.message : String(error)
      })`,
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new TypeError(
      `Cannot write ${describeValue(item)} to ${sink}: it has no JSON form`,
    );
  }
  return text;
}
