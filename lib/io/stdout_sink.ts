/**
 * {@linkcode toStdout}: a sink printing each item on a line of stdout.
 *
 * @module
 */

import { BufferedWriter } from "./buffered_writer.ts";
import { jsonLine } from "./json_text.ts";
import type { Sink, SinkWriter } from "./types.ts";

/** Options of {@linkcode toStdout}. */
export interface StdoutSinkOptions {
  /**
   * `"jsonl"` (the default) prints each item as a line of JSON; `"text"`
   * prints strings as they are and other items as JSON.
   */
  format?: "jsonl" | "text";
}

/**
 * Prints each item on its own line of stdout, buffered into large chunks;
 * `close()` writes what is buffered (stdout stays open).
 *
 * @param options The format of each line.
 * @returns A sink printing to stdout.
 * @throws {TypeError} If `format` is unknown; from `write`, for an item
 * without a JSON form (`undefined`, a function, a bigint).
 *
 * @example A sink for printing
 * ```ts
 * import { toStdout } from "./stdout_sink.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const sink = toStdout({ format: "text" });
 * assertEquals([sink.kind, sink.location], ["stdout", "-"]);
 * ```
 */
export function toStdout<T = unknown>(
  options: StdoutSinkOptions = {},
): Sink<T> {
  const format = options.format ?? "jsonl";
  if (format !== "jsonl" && format !== "text") {
    throw new TypeError(
      `Invalid format of toStdout(): expected "jsonl" or "text", got ${
        JSON.stringify(format)
      }`,
    );
  }
  const sinkName = "stdout";
  return {
    kind: "stdout",
    location: "-",
    open(): Promise<SinkWriter<T>> {
      const writer = new BufferedWriter(Deno.stdout);
      const line = format === "text"
        ? (item: T) =>
          typeof item === "string" ? item : jsonLine(item, sinkName)
        : (item: T) => jsonLine(item, sinkName);
      return Promise.resolve({
        write: (item: T) => writer.write(`${line(item)}\n`),
        close: () => writer.flush(),
      });
    },
  };
}
