/**
 * Resolving an output path to a sink by its extension, as any host that
 * lets its user redirect a workflow's output does (the CLI's `--out`).
 *
 * @module
 */

import { toCsv } from "../lib/io/csv_sink.ts";
import { toJson } from "../lib/io/json_sink.ts";
import { toJsonl } from "../lib/io/jsonl_sink.ts";
import { toStdout } from "../lib/io/stdout_sink.ts";
import type { Sink } from "../lib/io/types.ts";

/**
 * The sink for an output path: `.jsonl` (or `.ndjson`) writes JSON lines,
 * `.csv` a CSV file with a header, `.json` one JSON array (committed when
 * the run ends), and `-` JSON lines on stdout. A relative path is relative
 * to the working folder.
 *
 * @param path The output path.
 * @returns The sink, or `undefined` if the format cannot be told from the
 * path (the host words that error).
 *
 * @example Pick a sink by extension
 * ```ts
 * import { sinkForPath } from "./outputs.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(sinkForPath("results.csv")?.kind, "csv");
 * assertEquals(sinkForPath("-")?.kind, "stdout");
 * assertEquals(sinkForPath("results.txt"), undefined);
 * ```
 */
export function sinkForPath(path: string): Sink<never> | undefined {
  if (path === "-") return toStdout();
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (extension) {
    case "jsonl":
    case "ndjson":
      return toJsonl(path);
    case "csv":
      // It takes objects or arrays; anything else fails at write with a message.
      return toCsv(path);
    case "json":
      return toJson(path);
    default:
      return undefined;
  }
}
