/**
 * {@linkcode fromLines}: the lines of a text file (or stdin) as a streaming
 * source of strings.
 *
 * @module
 */

import { type RowSource, withRows } from "./row_source.ts";
import { openLineReader } from "./line_reader.ts";
import { fileFingerprint, locationOf } from "./text_input.ts";
import type { OpenContext, SourceReader } from "./types.ts";

/**
 * Reads a text file (or stdin, for `"-"`) line by line. Each item is a line
 * without its line end (`\n` or `\r\n`); blank lines are items too; a
 * final line end does not make an empty last item. Memory does not grow
 * with the file; opening does no I/O until the reader is iterated; leaving
 * the iteration early closes the file.
 *
 * @param path The file, or `"-"` for stdin.
 * @returns A source of lines.
 * @throws {Deno.errors.NotFound} When iterated, if the file does not exist
 * (`Cannot read input file "<path>": not found`), and likewise for other
 * file-system errors.
 *
 * @example Lines of a Windows text file
 * ```ts
 * import { fromLines } from "./lines_source.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/urls.txt`;
 *   await Deno.writeTextFile(path, "https://a.example\r\n\r\nhttps://b.example\r\n");
 *   const { signal } = new AbortController();
 *   const lines = await Array.fromAsync(fromLines(path).open({ signal }));
 *   assertEquals(lines, ["https://a.example", "", "https://b.example"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fromLines(path: string | URL): RowSource<string> {
  return withRows({
    kind: "lines",
    fingerprint: () => fileFingerprint(path),
    location: locationOf(path),
    open(context: OpenContext): SourceReader<string> {
      return openLineReader<string>(path, context, (line) => line);
    },
  });
}
