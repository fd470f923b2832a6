/**
 * Splitting decoded text chunks into numbered lines, in time linear in the
 * text even when a line spans many chunks.
 *
 * @module
 */

/**
 * How a line ended: `"\n"`, `"\r\n"`, a lone `"\r"` (old Mac files), or
 * `""` for a last line without a line end.
 */
export type LineEnd = "\n" | "\r\n" | "\r" | "";

/**
 * Receives each line, its number from 1 and how it ended. The line comes
 * without its `\n`; a `\r` that ended it (a lone CR, or the CR of a CRLF)
 * is kept, for {@linkcode stripCr} to drop.
 */
export type LineHandler = (
  line: string,
  lineNumber: number,
  lineEnd: LineEnd,
) => void;

/** Drops one trailing `\r`, the rest of a CRLF (or lone CR) line end. */
export function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

const LF = 10;
const CR = 13;

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
      if (chunk.charCodeAt(0) !== LF) this.#emit("", "\r", onLine);
    }
    // Usually -1 (LF files) or just before the next `\n` (CRLF files).
    let cr = chunk.indexOf("\r");
    if (cr === -1) {
      this.#pushLf(chunk, onLine);
      return;
    }
    let start = 0;
    let lf = chunk.indexOf("\n");
    while (true) {
      // A CR not right before an LF ends a line of its own.
      while (cr !== -1 && (lf === -1 || cr < lf - 1)) {
        if (cr === chunk.length - 1) {
          this.#pieces.push(chunk.slice(start));
          this.#crPending = true;
          return;
        }
        this.#emit(chunk.slice(start, cr + 1), "\r", onLine);
        start = cr + 1;
        cr = chunk.indexOf("\r", start);
      }
      if (lf === -1) break;
      if (this.#pieces.length === 0) {
        // The hot path: a whole line inside this chunk.
        onLine(
          chunk.slice(start, lf),
          ++this.#lineNumber,
          cr === lf - 1 ? "\r\n" : "\n",
        );
      } else {
        this.#emit(chunk.slice(start, lf), "\n", onLine);
      }
      start = lf + 1;
      if (cr !== -1 && cr < start) cr = chunk.indexOf("\r", start);
      lf = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.#pieces.push(chunk.slice(start));
  }

  /** {@linkcode push} for a chunk without `\r`: the hot path of LF files. */
  #pushLf(chunk: string, onLine: LineHandler): void {
    let start = 0;
    let end = chunk.indexOf("\n");
    if (end === -1) {
      this.#pieces.push(chunk);
      return;
    }
    if (this.#pieces.length > 0) {
      this.#emit(chunk.slice(0, end), "\n", onLine);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    while (end !== -1) {
      onLine(chunk.slice(start, end), ++this.#lineNumber, "\n");
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.#pieces.push(chunk.slice(start));
  }

  /** Hands out the last line when the text does not end with a line end. */
  end(onLine: LineHandler): void {
    const lineEnd = this.#crPending ? "\r" : "";
    this.#crPending = false;
    if (this.#pieces.length === 0) return;
    this.#emit("", lineEnd, onLine);
  }

  /** `lineEnd` `"\n"` becomes `"\r\n"` when the line ends with `\r`. */
  #emit(tail: string, lineEnd: LineEnd, onLine: LineHandler): void {
    let line = tail;
    if (this.#pieces.length > 0) {
      if (tail !== "") this.#pieces.push(tail);
      line = this.#pieces.join("");
      this.#pieces = [];
    }
    onLine(
      line,
      ++this.#lineNumber,
      lineEnd === "\n" && line.charCodeAt(line.length - 1) === CR
        ? "\r\n"
        : lineEnd,
    );
  }
}
