/**
 * Cutting CSV text into records, each with the line where it starts, so a
 * malformed record fails alone and the next one still parses.
 *
 * Records are found line by line with a small quote-aware scan (a record
 * goes on past a line end inside a quoted field). A record without a quote
 * is split on the separator directly, the common and fast path; a
 * well-formed record with quotes is unquoted by {@linkcode parseFields};
 * anything else goes to the standard library's `parse`, which is the
 * reference for the rest (tests check the two agree) and whose errors
 * become invalid records.
 *
 * @module
 */

import { parse } from "../../std/csv.ts";
import { describeValue } from "../units/check.ts";
import { type LineEnd, LineSplitter, stripCr } from "./line_splitter.ts";

/** Receives the records of a {@linkcode CsvRecordSplitter}. */
export interface CsvRecordHandler {
  /** A well-formed record: its fields, start line and raw text. */
  record(fields: string[], line: number, text: string): void;
  /** A malformed record: start line, what is wrong, raw text. */
  invalid(line: number, reason: string, text: string): void;
}

const QUOTE = 34;

/**
 * Returns `delimiter` if it can separate CSV fields: a non-empty string
 * without `"`, `\r` or `\n`.
 *
 * @throws {TypeError} Otherwise, quoting the bad value.
 */
export function checkDelimiter(delimiter: unknown): string {
  if (
    typeof delimiter !== "string" || delimiter.length === 0 ||
    /["\r\n]/.test(delimiter)
  ) {
    throw new TypeError(
      `Invalid delimiter: expected a non-empty string without '"', "\\r" or "\\n", got ${
        describeValue(delimiter)
      }`,
    );
  }
  return delimiter;
}

/**
 * Whether a line of CSV ends inside a quoted field, given whether it
 * starts inside one. A quote opens a field only at the field's start, as
 * in the standard library's parser, so a stray quote inside a field does
 * not swallow the lines after it.
 */
export function endsInsideQuotes(
  line: string,
  separator: string,
  insideQuotes: boolean,
): boolean {
  let i = 0;
  let quoted = insideQuotes;
  while (true) {
    if (quoted) {
      const close = line.indexOf('"', i);
      if (close === -1) return true;
      if (line.charCodeAt(close + 1) === QUOTE) {
        i = close + 2;
        continue;
      }
      quoted = false;
      i = close + 1;
    } else if (line.charCodeAt(i) === QUOTE) {
      quoted = true;
      i++;
      continue;
    }
    // The rest of an unquoted field, or what follows a closing quote.
    const next = line.indexOf(separator, i);
    if (next === -1) return false;
    i = next + separator.length;
  }
}

/**
 * The fields of one well-formed CSV record (no line end after it), unquoted
 * as the standard library's `parse` does (`""` is a quote, a CRLF inside
 * quotes becomes `\n`), or `undefined` if the record is not well formed:
 * a bare quote, text after a closing quote, a quote left open.
 */
export function parseFields(
  text: string,
  separator: string,
): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  while (true) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = "";
      let from = i + 1;
      while (true) {
        const close = text.indexOf('"', from);
        if (close === -1) return undefined;
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += text.slice(from, close + 1);
          from = close + 2;
          continue;
        }
        value += text.slice(from, close);
        i = close + 1;
        break;
      }
      fields.push(
        value.includes("\r") ? value.replaceAll("\r\n", "\n") : value,
      );
      if (i === text.length) return fields;
      if (!text.startsWith(separator, i)) return undefined;
      i += separator.length;
    } else {
      const next = text.indexOf(separator, i);
      const value = next === -1 ? text.slice(i) : text.slice(i, next);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (next === -1) return fields;
      i = next + separator.length;
    }
  }
}

// `Syntax error on line 1; parse error on line 2, column 5: <what>`
const STD_ERROR =
  /^Syntax error on line \d+; parse error on line (\d+), column (\d+): (.*)$/s;

/** Rewrites an error of std `parse` on one record with absolute positions. */
function describeParseError(error: unknown, startLine: number): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = STD_ERROR.exec(message);
  if (match === null) return `Malformed CSV record: ${message}`;
  const line = startLine + Number(match[1]) - 1;
  return `Malformed CSV record: ${match[3]} (line ${line}, column ${match[2]})`;
}

/**
 * Turns CSV text chunks into records with their start lines. Blank lines
 * between records are skipped. A record longer than `maxRecordLength`
 * characters (an unterminated quote, usually) becomes one invalid record
 * and is skipped to its end, so memory stays bounded.
 */
export class CsvRecordSplitter {
  readonly #separator: string;
  readonly #maxRecordLength: number;
  readonly #handler: CsvRecordHandler;
  readonly #lines = new LineSplitter();
  /**
   * The lines of a record that continues past a line end, each with its
   * line end (`\n` for LF and CRLF, as the CR stays on the line).
   */
  #pending: string[] = [];
  #pendingLength = 0;
  #pendingLine = 0;
  /** Set while skipping the rest of a record that was too long. */
  #skipping = false;

  /**
   * Creates a splitter.
   *
   * @param separator The field separator.
   * @param maxRecordLength The longest record kept, in characters.
   * @param handler Receives records and invalid records.
   */
  constructor(
    separator: string,
    maxRecordLength: number,
    handler: CsvRecordHandler,
  ) {
    this.#separator = separator;
    this.#maxRecordLength = maxRecordLength;
    this.#handler = handler;
  }

  /** Hands every record that `chunk` completes to the handler. */
  push(chunk: string): void {
    this.#lines.push(chunk, this.#onLine);
  }

  /** Ends the text: the last record, or an unterminated quote, is handed out. */
  end(): void {
    this.#lines.end(this.#onLine);
    if (this.#pending.length > 0 || this.#skipping) {
      // EOF inside a quoted field: std `parse` reports it.
      const joined = this.#pending.join("");
      const text = joined.endsWith("\n") ? joined.slice(0, -1) : joined;
      this.#pending = [];
      if (!this.#skipping) this.#parseQuoted(text, this.#pendingLine);
      this.#skipping = false;
    }
  }

  readonly #onLine = (
    line: string,
    lineNumber: number,
    lineEnd: LineEnd,
  ): void => {
    if (this.#pending.length === 0 && !this.#skipping) {
      // A record on one line obeys the limit too (one length check).
      if (line.length > this.#maxRecordLength) {
        this.#handler.invalid(
          lineNumber,
          `CSV record is longer than ${this.#maxRecordLength} characters`,
          line.slice(0, 200),
        );
        if (endsInsideQuotes(line, this.#separator, false)) {
          this.#skipping = true;
        }
        return;
      }
      if (line.indexOf('"') === -1) {
        const text = stripCr(line);
        if (text.length === 0) return;
        this.#handler.record(text.split(this.#separator), lineNumber, text);
        return;
      }
      if (!endsInsideQuotes(line, this.#separator, false)) {
        this.#parseQuoted(line, lineNumber);
        return;
      }
      this.#pendingLine = lineNumber;
      this.#pendingLength = 0;
    } else if (!endsInsideQuotes(line, this.#separator, true)) {
      if (this.#skipping) {
        this.#skipping = false;
        return;
      }
      this.#pending.push(line);
      const text = this.#pending.join("");
      this.#pending = [];
      this.#parseQuoted(text, this.#pendingLine);
      return;
    }
    if (this.#skipping) return;
    // A lone CR inside quotes is data and stays; a CRLF's CR is on the line.
    this.#pending.push(lineEnd === "\r" || lineEnd === "" ? line : `${line}\n`);
    this.#pendingLength += line.length + 1;
    if (this.#pendingLength > this.#maxRecordLength) {
      const head = stripCr(this.#pending[0]!.replace(/\n$/, ""));
      this.#pending = [];
      this.#skipping = true;
      this.#handler.invalid(
        this.#pendingLine,
        `CSV record is longer than ${this.#maxRecordLength} characters (an unterminated quote?)`,
        head,
      );
    }
  };

  #parseQuoted(text: string, lineNumber: number): void {
    const record = stripCr(text);
    const fields = parseFields(record, this.#separator);
    if (fields !== undefined) {
      this.#handler.record(fields, lineNumber, record);
      return;
    }
    let records: string[][];
    try {
      records = parse(text, { separator: this.#separator });
    } catch (error) {
      this.#handler.invalid(
        lineNumber,
        describeParseError(error, lineNumber),
        record,
      );
      return;
    }
    for (const fields of records) {
      this.#handler.record(fields, lineNumber, record);
    }
  }
}
