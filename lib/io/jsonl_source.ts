/**
 * {@linkcode fromJsonl}: a JSON-lines file (or stdin) as a streaming source,
 * where a line that is not JSON is a failed item, not a crash.
 *
 * @module
 */

import { type RowSource, withRows } from "./row_source.ts";
import { openLineReader } from "./line_reader.ts";
import { fileFingerprint, locationOf } from "./text_input.ts";
import { InvalidRecord, type OpenContext, type SourceReader } from "./types.ts";

/** Whether a line holds only white space. */
function isBlank(line: string): boolean {
  return line.length === 0 || line.trim().length === 0;
}

/**
 * Reads a JSON-lines file (or stdin, for `"-"`): one JSON value per line,
 * parsed as the items are pulled, so memory does not grow with the file.
 * Blank lines are skipped. A line that is not JSON is yielded as an
 * {@linkcode InvalidRecord} with its line number, and reading goes on.
 * Opening does no I/O until the reader is iterated; leaving the iteration
 * early closes the file.
 *
 * @typeParam T The type of the values, as the caller knows it (not checked).
 * @param path The file, or `"-"` for stdin.
 * @returns A source of the parsed values.
 * @throws {Deno.errors.NotFound} When iterated, if the file does not exist
 * (`Cannot read input file "<path>": not found`), and likewise for other
 * file-system errors.
 *
 * @example Values, and a line that is not JSON
 * ```ts
 * import { fromJsonl } from "./jsonl_source.ts";
 * import { InvalidRecord } from "./types.ts";
 * import { assertEquals, assertInstanceOf } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/events.jsonl`;
 *   await Deno.writeTextFile(path, '{"id":1}\n\n{oops\n{"id":2}\n');
 *   const { signal } = new AbortController();
 *   const items = await Array.fromAsync(
 *     fromJsonl<{ id: number }>(path).open({ signal }),
 *   );
 *   assertEquals(items.length, 3);
 *   assertEquals(items[0], { id: 1 });
 *   assertInstanceOf(items[1], InvalidRecord);
 *   assertEquals(items[1].line, 3);
 *   assertEquals(items[2], { id: 2 });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fromJsonl<T = unknown>(path: string | URL): RowSource<T> {
  const location = locationOf(path);
  return withRows({
    kind: "jsonl",
    fingerprint: () => fileFingerprint(path),
    location,
    open(context: OpenContext): SourceReader<T> {
      return openLineReader<T>(path, context, (line, lineNumber) => {
        try {
          return JSON.parse(line) as T;
        } catch (error) {
          if (isBlank(line)) return undefined;
          return new InvalidRecord(
            location,
            lineNumber,
            `Invalid JSON: ${(error as Error).message}`,
            line,
          );
        }
      });
    },
  });
}
