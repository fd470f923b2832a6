/**
 * `--out PATH`: the sink that replaces the workflow's, chosen by the path's
 * extension (`sinkForPath` of the host layer); the wording is the CLI's.
 *
 * @module
 */

import type { Sink } from "../mod.ts";
import { sinkForPath } from "../host/outputs.ts";
import { UsageError } from "./errors.ts";

/**
 * The sink for `--out PATH`: `.jsonl` (or `.ndjson`) writes JSON lines,
 * `.csv` a CSV file with a header, `.json` one JSON array (committed when
 * the run ends), and `-` JSON lines on stdout. A relative path is relative
 * to the working folder.
 *
 * @param out The value of `--out`.
 * @returns The sink.
 * @throws {UsageError} If the format cannot be told from the path.
 *
 * @example Pick a sink by extension
 * ```ts
 * import { sinkForOut } from "./out.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(sinkForOut("results.csv").kind, "csv");
 * assertEquals(sinkForOut("-").kind, "stdout");
 * ```
 */
export function sinkForOut(out: string): Sink<never> {
  const sink = sinkForPath(out);
  if (sink !== undefined) return sink;
  throw new UsageError(
    `Cannot tell the format of --out ${
      JSON.stringify(out)
    }: give a path ending in .jsonl, .csv or .json, or "-" for stdout`,
  );
}
