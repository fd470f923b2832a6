/**
 * {@linkcode toCsv}: a sink writing items as CSV rows.
 *
 * @module
 */

import { stringify } from "../../std/csv.ts";
import { describeValue } from "../units/check.ts";
import { checkDelimiter } from "./csv_records.ts";
import { openOutput } from "./output_file.ts";
import { locationOf } from "./text_input.ts";
import type { OpenContext, Sink, SinkWriter } from "./types.ts";

/** Options of {@linkcode toCsv}. */
export interface CsvSinkOptions {
  /**
   * The columns, in order: the keys of object items, and the header. By
   * default the keys of the first object item; array items have no header
   * unless `columns` names one.
   */
  columns?: readonly string[];
  /** Write a header line. Defaults to `true`. */
  header?: boolean;
  /**
   * The field separator: not empty, and without `"`, `\r` or `\n`.
   * Defaults to `","`.
   */
  delimiter?: string;
}

/**
 * Writes items as CSV rows to a file (or stdout, for `"-"`), buffered into
 * large chunks, with the standard library's CSV `stringify` doing the
 * quoting (`\r\n` line ends; `null` and `undefined` become empty fields,
 * objects JSON). Items are all objects (written by `columns`, or the first
 * item's keys: later keys outside them are dropped, missing ones empty)
 * or all arrays (written as they are). The folder is created; the file is
 * replaced.
 *
 * @param path The file, or `"-"` for stdout.
 * @param options Columns, header, delimiter.
 * @returns A sink of objects or arrays.
 * @throws {TypeError} If `delimiter` is invalid (at once); from `write`,
 * for an item that is not an object or array, or not of the same kind as
 * the first.
 *
 * @example Objects with a header
 * ```ts
 * import { toCsv } from "./csv_sink.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/people.csv`;
 *   const writer = await toCsv(path).open({ signal: new AbortController().signal });
 *   await writer.write({ id: 1, name: "Lovelace, Ada" });
 *   await writer.write({ id: 2, name: "Grace" });
 *   await writer.close();
 *   assertEquals(
 *     await Deno.readTextFile(path),
 *     'id,name\r\n1,"Lovelace, Ada"\r\n2,Grace\r\n',
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function toCsv<
  T extends Readonly<Record<string, unknown>> | readonly unknown[] =
    | Readonly<Record<string, unknown>>
    | readonly unknown[],
>(path: string | URL, options: CsvSinkOptions = {}): Sink<T> {
  const location = locationOf(path);
  const separator = checkDelimiter(options.delimiter ?? ",");
  const withHeader = options.header ?? true;
  return {
    kind: "csv",
    location,
    // Stdout cannot be cut back to a checkpoint.
    resumable: location !== "-",
    async open(context?: OpenContext): Promise<SinkWriter<T>> {
      const resume = context?.resume;
      const output = await openOutput(path, {
        resumeAt: resume === undefined ? undefined : Number(resume.bytes),
      });
      // A resumed file has its header and its columns already.
      let arrays = resume?.arrays as boolean | undefined;
      let columns = (resume?.columns as string[] | undefined) ??
        options.columns;
      return {
        write: (item: T) => {
          if (typeof item !== "object" || item === null) {
            throw new TypeError(
              `Cannot write ${
                describeValue(item)
              } to the CSV sink "${location}": expected an object or an array`,
            );
          }
          // The first item decides the kind and the columns, but only once
          // it is written: an item that fails leaves the header to the next.
          const first = arrays === undefined;
          const isArray = Array.isArray(item);
          if (!first && isArray !== arrays) {
            throw new TypeError(
              `Cannot write ${
                describeValue(item)
              } to the CSV sink "${location}": expected ${
                arrays ? "an array" : "an object"
              } like the first item`,
            );
          }
          const rowColumns = isArray ? columns : columns ?? Object.keys(item);
          let text: string;
          try {
            const head = first && withHeader && rowColumns !== undefined
              ? stringify([rowColumns], { separator })
              : "";
            text = head +
              (isArray ? stringify([item], { separator }) : stringify([item], {
                separator,
                columns: rowColumns!,
                headers: false,
              }));
          } catch (error) {
            // A field that is an object with no JSON form (a bigint, a cycle).
            throw new TypeError(
              `Cannot write ${
                describeValue(item)
              } to the CSV sink "${location}": a field has no JSON form (${
                error instanceof Error ? error.message : String(error)
              })`,
              { cause: error },
            );
          }
          arrays = isArray;
          columns = rowColumns;
          return output.writer.write(text);
        },
        close: () => output.close(),
        checkpoint: () => {
          // What was written so far, as of now (see SinkWriter.checkpoint).
          const shape = {
            ...(arrays === undefined ? {} : { arrays }),
            ...(columns === undefined ? {} : { columns }),
          };
          return output.sync().then((bytes) => ({ bytes, ...shape }));
        },
      };
    },
  };
}
