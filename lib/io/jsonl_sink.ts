/**
 * {@linkcode toJsonl}: a sink writing one JSON line per item.
 *
 * @module
 */

import { jsonLine } from "./json_text.ts";
import { openOutput } from "./output_file.ts";
import { locationOf } from "./text_input.ts";
import type { OpenContext, Sink, SinkWriter } from "./types.ts";

/** Options of {@linkcode toJsonl}. */
export interface JsonlSinkOptions {
  /** Add to the end of an existing file instead of replacing it. Defaults to `false`. */
  append?: boolean;
}

/**
 * Writes each item as one line of JSON to a file (or stdout, for `"-"`),
 * in the order they come, buffered into large chunks. The file's folder is
 * created; the file is replaced unless `append` is set. `close()` writes
 * what is buffered and closes the file.
 *
 * @param path The file, or `"-"` for stdout.
 * @param options Whether to append.
 * @returns A sink of JSON-serializable items.
 * @throws {TypeError} From `write`, for an item without a JSON form
 * (`undefined`, a function, a bigint).
 * @throws {Deno.errors.PermissionDenied} From `open`, when the file cannot
 * be written (`Cannot write output file "<path>": permission denied`).
 *
 * @example Write two items and read them back
 * ```ts
 * import { toJsonl } from "./jsonl_sink.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/out/results.jsonl`;
 *   const writer = await toJsonl(path).open({ signal: new AbortController().signal });
 *   await writer.write({ id: 1, ok: true });
 *   await writer.write({ id: 2, ok: false });
 *   await writer.close();
 *   assertEquals(
 *     await Deno.readTextFile(path),
 *     '{"id":1,"ok":true}\n{"id":2,"ok":false}\n',
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function toJsonl<T = unknown>(
  path: string | URL,
  options: JsonlSinkOptions = {},
): Sink<T> {
  const location = locationOf(path);
  const sinkName = `the JSON-lines sink "${location}"`;
  return {
    kind: "jsonl",
    location,
    // Stdout cannot be cut back to a checkpoint.
    resumable: location !== "-",
    async open(context?: OpenContext): Promise<SinkWriter<T>> {
      const resume = context?.resume;
      const output = await openOutput(path, {
        append: options.append ?? false,
        resumeAt: resume === undefined ? undefined : Number(resume.bytes),
      });
      return {
        write: (item: T) =>
          output.writer.write(`${jsonLine(item, sinkName)}\n`),
        close: () => output.close(),
        checkpoint: async () => ({ bytes: await output.sync() }),
      };
    },
  };
}
