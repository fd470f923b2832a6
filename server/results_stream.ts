/**
 * Streaming a run's kept outcomes as JSON lines or CSV: what is kept is
 * sent at once, then each new outcome as it comes, until the run ends (or
 * the buffer is full and more came: then a truncation marker ends it).
 *
 * @module
 */

import type { ResultBuffer, ResultRecord } from "./results.ts";

/** The formats of `GET /runs/:id/results`. */
export type ResultFormat = "jsonl" | "csv";

/** Outcomes per chunk written. */
const CHUNK = 256;

/**
 * A byte stream of the outcomes in `buffer`, following it until the run
 * ends, `signal` aborts or the reader cancels.
 *
 * @param buffer The run's outcomes.
 * @param format JSON lines or CSV.
 * @param signal Ends the stream (the server is closing).
 * @param onEnd Called once when the stream ends, however it ends.
 * @returns The stream.
 *
 * @example JSON lines of a finished run
 * ```ts
 * import { ResultBuffer } from "./results.ts";
 * import { resultStream } from "./results_stream.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const results = new ResultBuffer(10);
 * results.add({ ok: true, value: { n: 1 } });
 * results.finish();
 * const text = await new Response(resultStream(results, "jsonl", new AbortController().signal)).text();
 * assertEquals(text, '{"ok":true,"value":{"n":1}}\n');
 * ```
 */
export function resultStream(
  buffer: ResultBuffer,
  format: ResultFormat,
  signal: AbortSignal,
  onEnd: () => void = () => {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const csv = format === "csv" ? new CsvWriter() : undefined;
  const ended = new AbortController();
  const stop = AbortSignal.any([signal, ended.signal]);
  let cursor = 0;
  const end = () => {
    if (ended.signal.aborted) return;
    ended.abort();
    signal.removeEventListener("abort", onAbort);
    onEnd();
  };
  let onAbort = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller): void {
      // The server closing ends the stream even if nobody is reading it.
      onAbort = () => {
        try {
          controller.close();
        } catch {
          // Already closed.
        }
        end();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller): Promise<void> {
      while (!stop.aborted) {
        const records = buffer.records;
        if (cursor < records.length) {
          const batch = records.slice(cursor, cursor + CHUNK);
          cursor += batch.length;
          const text = csv
            ? csv.rows(batch)
            : batch.map((record) => jsonLine(record)).join("");
          controller.enqueue(encoder.encode(text));
          return;
        }
        const truncated = buffer.dropped > 0;
        if (buffer.finished || truncated) {
          let tail = csv ? csv.header() : "";
          if (truncated) {
            const marker = truncationMarker(buffer);
            tail += csv ? csv.marker(marker.message) : jsonLine(marker);
          }
          if (tail) controller.enqueue(encoder.encode(tail));
          controller.close();
          end();
          return;
        }
        await buffer.changes.wait(stop);
      }
    },
    cancel(): void {
      end();
    },
  });
}

/** The last line of a truncated result stream. */
export interface TruncationMarker {
  /** Always `true`. */
  readonly truncated: true;
  /** Outcomes kept and sent. */
  readonly kept: number;
  /** Outcomes not kept, so far. */
  readonly dropped: number;
  /** The same in words. */
  readonly message: string;
}

function truncationMarker(buffer: ResultBuffer): TruncationMarker {
  return {
    truncated: true,
    kept: buffer.records.length,
    dropped: buffer.dropped,
    message:
      `Results truncated: the server keeps the first ${buffer.limit} outcomes of a run (${buffer.dropped} more not kept); write them to a sink of the workflow to keep all`,
  };
}

function jsonLine(value: unknown): string {
  try {
    return `${JSON.stringify(value, bigIntAsString)}\n`;
  } catch (error) {
    const ok = (value as ResultRecord).ok;
    return `${
      JSON.stringify({
        ok,
        unserializable: error instanceof Error ? error.message : String(error),
      })
    }\n`;
  }
}

function bigIntAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * Outcomes as CSV: `ok,stage,error` and then the fields of the first
 * outcome's value (or input), or `value` when it is not an object. The
 * header comes with the first outcome, so later outcomes with other
 * fields keep only the header's.
 */
class CsvWriter {
  #fields: string[] | undefined;

  rows(records: readonly ResultRecord[]): string {
    let text = "";
    if (this.#fields === undefined) {
      if (records.length === 0) return "";
      this.#fields = fieldsOf(records[0]!);
      text += line(["ok", "stage", "error", ...this.#fields]);
    }
    for (const record of records) {
      const data = record.ok ? record.value : record.input;
      const values = this.#fields.map((field) =>
        field === "value" && !isPlainObject(data)
          ? cell(data)
          : isPlainObject(data)
          ? cell(data[field])
          : ""
      );
      text += record.ok
        ? line(["true", "", "", ...values])
        : line(["false", record.stage, record.error, ...values]);
    }
    return text;
  }

  /** The header, if no outcome has written it yet. */
  header(): string {
    if (this.#fields !== undefined) return "";
    this.#fields = [];
    return line(["ok", "stage", "error"]);
  }

  marker(message: string): string {
    return line(["truncated", "", message]);
  }
}

function fieldsOf(record: ResultRecord): string[] {
  const data = record.ok ? record.value : record.input;
  return isPlainObject(data) ? Object.keys(data) : ["value"];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    try {
      return JSON.stringify(value, bigIntAsString);
    } catch {
      return "";
    }
  }
  return String(value);
}

function line(cells: readonly string[]): string {
  return `${
    cells.map((value) =>
      /[",\r\n]|^\s|\s$/.test(value)
        ? `"${value.replaceAll('"', '""')}"`
        : value
    ).join(",")
  }\r\n`;
}
