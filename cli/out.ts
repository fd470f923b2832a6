/**
 * `--out PATH`: the sink that replaces the workflow's, chosen by the path's
 * extension.
 *
 * @module
 */

import { type Sink, toCsv, toJson, toJsonl, toStdout } from "../mod.ts";
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
  if (out === "-") return toStdout();
  const extension = /\.([^./\\]+)$/.exec(out)?.[1]?.toLowerCase();
  switch (extension) {
    case "jsonl":
    case "ndjson":
      return toJsonl(out);
    case "csv":
      // It takes objects or arrays; anything else fails at write with a message.
      return toCsv(out);
    case "json":
      return toJson(out);
    default:
      throw new UsageError(
        `Cannot tell the format of --out ${
          JSON.stringify(out)
        }: give a path ending in .jsonl, .csv or .json, or "-" for stdout`,
      );
  }
}
