/**
 * Sources and sinks of the workflow layer, and an HTTP helper for stages.
 *
 * - Sources, read lazily in large chunks: {@linkcode fromCsv},
 *   {@linkcode fromJsonl}, {@linkcode fromJson}, {@linkcode fromLines},
 *   {@linkcode fromIterable}, {@linkcode range}.
 * - Sinks, buffered, flushed on `close()`: {@linkcode toJsonl},
 *   {@linkcode toCsv}, {@linkcode toJson} (atomic), {@linkcode toStdout},
 *   {@linkcode collect}.
 * - {@linkcode fetchJson}, {@linkcode fetchText} and {@linkcode httpJson}:
 *   abortable fetches with retries and a typed {@linkcode HttpError}.
 *
 * @example Copy a CSV file to JSON lines, counting bad rows
 * ```ts
 * import { fromCsv, InvalidRecord, toJsonl } from "./index.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/in.csv`, "id,name\n1,Ada\n2\n3,Grace\n");
 *   const { signal } = new AbortController();
 *   const writer = await toJsonl(`${dir}/out.jsonl`).open({ signal });
 *   let bad = 0;
 *   try {
 *     for await (const row of fromCsv(`${dir}/in.csv`).open({ signal })) {
 *       if (row instanceof InvalidRecord) bad++;
 *       else await writer.write(row);
 *     }
 *   } finally {
 *     await writer.close();
 *   }
 *   assertEquals(bad, 1);
 *   assertEquals(
 *     await Deno.readTextFile(`${dir}/out.jsonl`),
 *     '{"id":"1","name":"Ada"}\n{"id":"3","name":"Grace"}\n',
 *   );
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
  type SinkWriter,
  type Source,
  type SourceProgress,
  type SourceReader,
} from "./types.ts";
export { type CsvSourceOptions, fromCsv } from "./csv_source.ts";
export { fromJsonl } from "./jsonl_source.ts";
export { fromJson } from "./json_source.ts";
export { fromLines } from "./lines_source.ts";
export { fromIterable, type IterableSourceOptions } from "./iterable_source.ts";
export { range } from "./range_source.ts";
export { type JsonlSinkOptions, toJsonl } from "./jsonl_sink.ts";
export { type CsvSinkOptions, toCsv } from "./csv_sink.ts";
export { toJson } from "./json_sink.ts";
export { type StdoutSinkOptions, toStdout } from "./stdout_sink.ts";
export { collect, type CollectSink } from "./collect.ts";
export { HttpError } from "./http_error.ts";
export {
  fetchJson,
  type FetchOptions,
  fetchText,
  httpJson,
  type HttpRetry,
  type HttpTaskContext,
  type HttpTaskOptions,
} from "./http.ts";
