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
        // CSV columns come from the first success: failures before it wait.
        const ready = !csv || csv.decided ||
          csv.decide(records, buffer.finished || buffer.dropped > 0);
        if (ready && cursor < records.length) {
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
 * Outcomes as CSV, with fixed columns `ok,stage,error,input` and then the
 * value's: the fields of the first success's value when it is an object,
 * or one column `value` when it is not (none when no item succeeded).
 * Successes fill the value columns (fields outside them are dropped);
 * failures fill `stage`, `error` and `input` (the input as it is when a
 * string, as JSON otherwise). The header waits for the first success, so
 * failures that come before it are sent with it, or at the end.
 */
class CsvWriter {
  #fields: string[] | undefined;
  #scanned = 0;

  /** Whether the columns are known (the header is then written). */
  get decided(): boolean {
    return this.#fields !== undefined;
  }

  /**
   * Looks for the first success among `records`; without one, decides
   * only when no more can come (`final`). Says whether it decided.
   */
  decide(records: readonly ResultRecord[], final: boolean): boolean {
    for (; this.#scanned < records.length; this.#scanned++) {
      const record = records[this.#scanned]!;
      if (record.ok) {
        this.#fields = isPlainObject(record.value)
          ? Object.keys(record.value)
          : ["value"];
        return true;
      }
    }
    if (final) this.#fields = [];
    return final;
  }

  rows(records: readonly ResultRecord[]): string {
    const fields = this.#fields!;
    let text = "";
    if (this.#header) {
      this.#header = false;
      text += line([...FIXED, ...fields]);
    }
    for (const record of records) {
      if (!record.ok) {
        text += line([
          "false",
          record.stage,
          record.error,
          cell(record.input),
          ...fields.map(() => ""),
        ]);
        continue;
      }
      const data = record.value;
      const values = isPlainObject(data)
        ? fields.map((field) => cell(data[field]))
        : fields.map((field) => field === "value" ? cell(data) : "");
      text += line(["true", "", "", "", ...values]);
    }
    return text;
  }

  #header = true;

  /** The header, if no outcome has written it yet. */
  header(): string {
    if (!this.#header) return "";
    this.#header = false;
    return line([...FIXED, ...(this.#fields ?? [])]);
  }

  marker(message: string): string {
    return line(["truncated", "", message]);
  }
}

/** The columns every CSV of results starts with. */
const FIXED = ["ok", "stage", "error", "input"] as const;

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
