/**
 * One measurement of the workflow benchmark, in its own process so that
 * its peak RSS is its own. Prints one JSON line: `{ ms, cpuS, peakRssMb, written }`.
 *
 * Usage: `deno run -A --config bench/deno.json bench/workflow_child.ts <floor|split|workflow|durable> in.csv out.jsonl`
 *
 * - `floor`: the I/O floor. The standard library's `CsvParseStream` over
 *   the file, `JSON.stringify` per record, buffered writes; no pool.
 * - `split`: a lower floor, for information: lines split by hand on `\n`
 *   and `,` (right only for files without quotes, like the generated one),
 *   otherwise the same.
 * - `workflow`: `fromCsv(in)` → one no-op `map` stage → `toJsonl(out)`,
 *   through `run()`.
 *
 * @module
 */

import { CsvParseStream } from "@std/csv";
import { defineWorkflow, fromCsv, run, toJsonl } from "@poolflow/poolflow";
import { readCpuSeconds, readMemoryMb } from "./proc.ts";

/** Characters collected before one write, as the library's sinks do. */
const CHUNK_CHARS = 256 * 1024;

/** What a child prints. */
export interface ChildResult {
  /** Milliseconds from opening the input to the output being closed. */
  readonly ms: number;
  /** CPU seconds of the process (user and system) over the measurement. */
  readonly cpuS: number;
  /** Peak RSS of the process (`VmHWM`), in MiB. */
  readonly peakRssMb: number;
  /** Rows the run reported written (the floor counts its own). */
  readonly written: number;
}

async function floor(input: string, output: string): Promise<number> {
  const encoder = new TextEncoder();
  using source = await Deno.open(input, { read: true });
  using sink = await Deno.open(output, {
    write: true,
    create: true,
    truncate: true,
  });
  const writeAll = async (text: string) => {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length;) {
      at += await sink.write(bytes.subarray(at));
    }
  };
  const records = source.readable
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new CsvParseStream({ skipFirstRow: true }));
  let parts: string[] = [];
  let length = 0;
  let written = 0;
  for await (const record of records) {
    const line = `${JSON.stringify(record)}\n`;
    parts.push(line);
    length += line.length;
    written++;
    if (length >= CHUNK_CHARS) {
      await writeAll(parts.join(""));
      parts = [];
      length = 0;
    }
  }
  await writeAll(parts.join(""));
  return written;
}

async function split(input: string, output: string): Promise<number> {
  const encoder = new TextEncoder();
  using source = await Deno.open(input, { read: true });
  using sink = await Deno.open(output, {
    write: true,
    create: true,
    truncate: true,
  });
  const writeAll = async (text: string) => {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length;) {
      at += await sink.write(bytes.subarray(at));
    }
  };
  let columns: string[] | undefined;
  let rest = "";
  let parts: string[] = [];
  let length = 0;
  let written = 0;
  const line = (text: string) => {
    if (text === "") return;
    const fields = text.split(",");
    if (columns === undefined) {
      columns = fields;
      return;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = fields[i]!;
    const json = `${JSON.stringify(row)}\n`;
    parts.push(json);
    length += json.length;
    written++;
  };
  for await (
    const chunk of source.readable.pipeThrough(new TextDecoderStream())
  ) {
    const text = rest + chunk;
    let start = 0;
    for (
      let end = text.indexOf("\n");
      end !== -1;
      end = text.indexOf("\n", start)
    ) {
      line(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
    if (length >= CHUNK_CHARS) {
      await writeAll(parts.join(""));
      parts = [];
      length = 0;
    }
  }
  line(rest);
  await writeAll(parts.join(""));
  return written;
}

async function workflow(
  input: string,
  output: string,
  durable = false,
): Promise<number> {
  const summary = await run(
    defineWorkflow({
      name: "bench-csv-to-jsonl",
      source: fromCsv(input),
      pipeline: (rows) => rows.map("noop", (row) => row),
      sink: toJsonl(output),
    }),
    // The same run with checkpoints in a SQLite file beside the output.
    durable ? { durable: { store: `${output}.checkpoints.db` } } : {},
  ).done;
  if (summary.status !== "succeeded") {
    throw new Error(
      `The workflow ended ${summary.status}: ${summary.error?.message}`,
    );
  }
  return summary.written;
}

if (import.meta.main) {
  const [mode, input, output] = Deno.args;
  const modes: Record<string, typeof floor> = {
    floor,
    split,
    workflow,
    durable: (input, output) => workflow(input, output, true),
  };
  const measure = modes[mode ?? ""];
  if (measure === undefined || !input || !output) {
    console.error(
      "usage: workflow_child.ts <floor|split|workflow|durable> in.csv out.jsonl",
    );
    Deno.exit(2);
  }
  const started = performance.now();
  const cpuStarted = readCpuSeconds();
  const written = await measure(input, output);
  const result: ChildResult = {
    ms: performance.now() - started,
    cpuS: readCpuSeconds() - cpuStarted,
    peakRssMb: readMemoryMb("VmHWM"),
    written,
  };
  console.log(JSON.stringify(result));
}
