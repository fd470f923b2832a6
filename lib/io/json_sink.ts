/**
 * {@linkcode toJson}: a sink writing one JSON array, atomically.
 *
 * @module
 */

import { jsonLine } from "./json_text.ts";
import { baseNameOf, openOutput, siblingOf } from "./output_file.ts";
import { fsError, locationOf } from "./text_input.ts";
import type { OpenContext, Sink, SinkWriter } from "./types.ts";

/**
 * Writes the items as one JSON array (an element per line). They go to a
 * temporary file beside `path` (`.<name>.<random>.tmp`), which `close()`
 * renames to `path`: the file is replaced whole or not at all, and a crash
 * never leaves half a JSON document there. The folder is created. Memory
 * does not grow with the output.
 *
 * `close()` is called on every ending of a run, abort included, so an
 * aborted run still leaves a valid array of what was written.
 *
 * @param path The file.
 * @returns A sink of JSON-serializable items.
 * @throws {TypeError} From `write`, for an item without a JSON form
 * (`undefined`, a function, a bigint).
 *
 * @example The file appears, complete, on close
 * ```ts
 * import { toJson } from "./json_sink.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/results.json`;
 *   const writer = await toJson(path).open({ signal: new AbortController().signal });
 *   await writer.write({ id: 1 });
 *   await writer.write({ id: 2 });
 *   assertEquals(await Array.fromAsync(Deno.readDir(dir)).then((e) => e.some((f) => f.name === "results.json")), false);
 *   await writer.close();
 *   assertEquals(JSON.parse(await Deno.readTextFile(path)), [{ id: 1 }, { id: 2 }]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function toJson<T = unknown>(path: string | URL): Sink<T> {
  const location = locationOf(path);
  const sinkName = `the JSON sink "${location}"`;
  return {
    kind: "json",
    location,
    // As for the other file sinks, "-" is not a file to resume.
    resumable: location !== "-",
    async open(context?: OpenContext): Promise<SinkWriter<T>> {
      // A resumed run continues its own temporary file; the document
      // appears under its name only when complete.
      const resume = context?.resume;
      const id = typeof resume?.temp === "string"
        ? resume.temp
        : crypto.randomUUID().slice(0, 8);
      const temp = siblingOf(path, `.${baseNameOf(path)}.${id}.tmp`);
      const output = await openOutput(temp, {
        resumeAt: resume === undefined ? undefined : Number(resume.bytes),
      });
      let count = resume === undefined ? 0 : Number(resume.count);
      let closing: Promise<void> | undefined;
      const commit = async (): Promise<void> => {
        try {
          output.writer.write(count === 0 ? "[]\n" : "\n]\n");
          await output.close();
        } catch (error) {
          await Deno.remove(temp).catch(() => {});
          throw error;
        }
        try {
          await Deno.rename(temp, path);
        } catch (error) {
          await Deno.remove(temp).catch(() => {});
          throw fsError(error, "write output file", location);
        }
      };
      return {
        write: (item: T) => {
          const text = jsonLine(item, sinkName);
          return output.writer.write(`${count++ === 0 ? "[\n" : ",\n"}${text}`);
        },
        close: () => closing ??= commit(),
        checkpoint: () => {
          // What was written so far, as of now (see SinkWriter.checkpoint).
          const items = count;
          return output.sync().then((bytes) => ({
            bytes,
            count: items,
            temp: id,
          }));
        },
        suspend: () => output.close(),
      };
    },
  };
}
