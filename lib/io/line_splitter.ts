/**
 * Splitting decoded text chunks into numbered lines, in time linear in the
 * text even when a line spans many chunks.
 *
 * @module
 */

/** Receives each line (without its `\n`; a `\r` before it is kept) and its number from 1. */
export type LineHandler = (line: string, lineNumber: number) => void;

/** Drops one trailing `\r`, the rest of a CRLF line end. */
export function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/**
 * Cuts text chunks (split anywhere) into lines on `\n`. A line that spans
 * chunks is kept as a list of pieces and joined once, so a long line costs
 * no repeated copying.
 */
export class LineSplitter {
  /** Pieces of a line that has not ended yet. */
  #pieces: string[] = [];
  #lineNumber = 0;

  /** The number of the last line handed out, from 1 (0 before any). */
  get lineNumber(): number {
    return this.#lineNumber;
  }

  /** Hands every line that `chunk` completes to `onLine`. */
  push(chunk: string, onLine: LineHandler): void {
    let start = 0;
    let end = chunk.indexOf("\n");
    if (end === -1) {
      if (chunk.length > 0) this.#pieces.push(chunk);
      return;
    }
    if (this.#pieces.length > 0) {
      this.#pieces.push(chunk.slice(0, end));
      const line = this.#pieces.join("");
      this.#pieces = [];
      onLine(line, ++this.#lineNumber);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    while (end !== -1) {
      onLine(chunk.slice(start, end), ++this.#lineNumber);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.#pieces.push(chunk.slice(start));
  }

  /** Hands out the last line when the text does not end with `\n`. */
  end(onLine: LineHandler): void {
    if (this.#pieces.length === 0) return;
    const line = this.#pieces.join("");
    this.#pieces = [];
    onLine(line, ++this.#lineNumber);
  }
}
