/**
 * A reader of line-based files (JSON lines, plain lines): each line goes
 * through a parser that returns an item, an invalid record, or nothing.
 *
 * @module
 */

import { BatchReader } from "./batch_reader.ts";
import { LineSplitter, stripCr } from "./line_splitter.ts";
import { openTextInput, type TextInput } from "./text_input.ts";
import type { InvalidRecord, OpenContext, SourceReader } from "./types.ts";

/**
 * Turns one line (without its line end) into an item, an invalid record,
 * or `undefined` to skip it.
 */
export type LineParser<T> = (
  line: string,
  lineNumber: number,
) => T | InvalidRecord | undefined;

/**
 * Opens a lazy reader of the lines of a file (or stdin, for `"-"`), each
 * passed through `parseLine`. No I/O happens until it is iterated.
 *
 * @param path The file, or `"-"` for stdin.
 * @param context The run's signal.
 * @param parseLine What each line becomes.
 * @returns The reader.
 */
export function openLineReader<T>(
  path: string | URL,
  context: OpenContext,
  parseLine: LineParser<T>,
): SourceReader<T> {
  let input: TextInput | undefined;
  let out: (T | InvalidRecord)[] = [];
  const splitter = new LineSplitter();
  let ended = false;
  const onLine = (line: string, lineNumber: number): void => {
    const item = parseLine(stripCr(line), lineNumber);
    if (item !== undefined) out.push(item);
  };
  return new BatchReader<T>({
    async pull() {
      if (ended) return null;
      input ??= await openTextInput(path, context.signal);
      const chunk = await input.read();
      out = [];
      if (chunk === null) {
        ended = true;
        splitter.end(onLine);
      } else {
        splitter.push(chunk, onLine);
      }
      return out;
    },
    close() {
      input?.close();
    },
    progress() {
      return { done: input?.bytesRead ?? 0, total: input?.size, unit: "bytes" };
    },
  });
}
