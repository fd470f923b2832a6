/**
 * Sources and sinks: streaming readers of CSV, JSON, JSON lines and text
 * files, numbers and iterables; writers of the same formats, stdout and
 * memory; and the HTTP task helpers with retries. Use them in a workflow
 * or on their own; everything here is also exported by the package's main
 * entry point.
 *
 * @example Write JSON lines, then read them back
 * ```ts
 * import { fromJsonl, toJsonl } from "@poolflow/poolflow/io";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const { signal } = new AbortController();
 *   const writer = await toJsonl(`${dir}/rows.jsonl`).open({ signal });
 *   await writer.write({ id: 1 });
 *   await writer.write({ id: 2 });
 *   await writer.close();
 *
 *   const rows = fromJsonl<{ id: number }>(`${dir}/rows.jsonl`);
 *   assertEquals(await Array.fromAsync(rows.open({ signal })), [
 *     { id: 1 },
 *     { id: 2 },
 *   ]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */

export {
  type DeadLetter,
  InvalidRecord,
  type OpenContext,
  type Sink,
  type SinkCheckpoint,
  type SinkWriter,
  type Source,
  type SourceProgress,
  type SourceReader,
} from "./lib/io/types.ts";
export { type CsvSourceOptions, fromCsv } from "./lib/io/csv_source.ts";
export { fromJsonl } from "./lib/io/jsonl_source.ts";
export { fromJson } from "./lib/io/json_source.ts";
export { fromLines } from "./lib/io/lines_source.ts";
export { range } from "./lib/io/range_source.ts";
export {
  fromIterable,
  type IterableSourceOptions,
} from "./lib/io/iterable_source.ts";
export { type JsonlSinkOptions, toJsonl } from "./lib/io/jsonl_sink.ts";
export { type CsvSinkOptions, toCsv } from "./lib/io/csv_sink.ts";
export { toJson } from "./lib/io/json_sink.ts";
export { type StdoutSinkOptions, toStdout } from "./lib/io/stdout_sink.ts";
export { collect, type CollectSink } from "./lib/io/collect.ts";
export {
  fetchJson,
  type FetchOptions,
  fetchText,
  httpJson,
  type HttpRetry,
  type HttpTaskContext,
  type HttpTaskOptions,
} from "./lib/io/http.ts";
export { HttpError } from "./lib/io/http_error.ts";
// Types the options name, for readers of this entry.
export type { Duration } from "./lib/units/duration.ts";
