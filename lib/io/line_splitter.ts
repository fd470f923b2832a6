/**
 * Splitting decoded text chunks into numbered lines, in time linear in the
 * text even when a line spans many chunks.
 *
 * @module
 */

/**
 * Receives each line and its number from 1. The line comes without its
 * `\n`; a `\r` that ended it (a lone CR, or the CR of a CRLF) is kept, for
 * {@linkcode stripCr} to drop.
 */
export type LineHandler = (line: string, lineNumber: number) => void;

/** Drops one trailing `\r`, the rest of a CRLF (or lone CR) line end. */
export function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

const LF = 10;

/**
 * Cuts text chunks (split anywhere) into lines ended by `\n`, `\r\n` or a
 * lone `\r` (old Mac files), as csv-parse and Python's universal newlines
 * do. A line that spans chunks is kept as a list of pieces and joined
 * once, so a long line costs no repeated copying. A chunk that ends with
 * `\r` leaves that line open until the next chunk says whether a `\n`
 * follows.
 */
export class LineSplitter {
  /** Pieces of a line that has not ended yet. */
  #pieces: string[] = [];
  #lineNumber = 0;
  /** The last chunk ended with `\r`: the line ends, unless `\n` comes next. */
  #crPending = false;

  /** The number of the last line handed out, from 1 (0 before any). */
  get lineNumber(): number {
    return this.#lineNumber;
  }

  /** Hands every line that `chunk` completes to `onLine`. */
  push(chunk: string, onLine: LineHandler): void {
    if (chunk.length === 0) return;
    if (this.#crPending) {
      this.#crPending = false;
      // A lone CR ended the open line; a `\n` first makes it a CRLF below.
      if (chunk.charCodeAt(0) !== LF) this.#emit("", onLine);
    }
    let start = 0;
    let lf = chunk.indexOf("\n");
    // Usually -1 (LF files) or just before the next `\n` (CRLF files).
    let cr = chunk.indexOf("\r");
    while (true) {
      // A CR not right before an LF ends a line of its own.
      while (cr !== -1 && (lf === -1 || cr < lf - 1)) {
        if (cr === chunk.length - 1) {
          this.#pieces.push(chunk.slice(start));
          this.#crPending = true;
          return;
        }
        this.#emit(chunk.slice(start, cr + 1), onLine);
        start = cr + 1;
        cr = chunk.indexOf("\r", start);
      }
      if (lf === -1) break;
      this.#emit(chunk.slice(start, lf), onLine);
      start = lf + 1;
      if (cr !== -1 && cr < start) cr = chunk.indexOf("\r", start);
      lf = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.#pieces.push(chunk.slice(start));
  }

  /** Hands out the last line when the text does not end with a line end. */
  end(onLine: LineHandler): void {
    this.#crPending = false;
    if (this.#pieces.length === 0) return;
    this.#emit("", onLine);
  }

  #emit(tail: string, onLine: LineHandler): void {
    if (this.#pieces.length === 0) {
      onLine(tail, ++this.#lineNumber);
      return;
    }
    if (tail !== "") this.#pieces.push(tail);
    const line = this.#pieces.join("");
    this.#pieces = [];
    onLine(line, ++this.#lineNumber);
  }
}
