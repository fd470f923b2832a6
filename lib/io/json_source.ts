/**
 * {@linkcode fromJson}: the elements of a JSON array in a file (or stdin).
 *
 * @module
 */

import { type RowSource, withRows } from "./row_source.ts";
import { describeValue } from "../units/check.ts";
import { BatchReader } from "./batch_reader.ts";
import {
  fileFingerprint,
  locationOf,
  openTextInput,
  type TextInput,
} from "./text_input.ts";
import type { OpenContext, SourceReader } from "./types.ts";

/** Elements handed to the reader at a time. */
const BATCH = 1024;

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${describeValue(value)}`;
}

/**
 * Reads a file (or stdin, for `"-"`) holding one JSON array, and yields its
 * elements. Unlike the other file sources this one reads and parses the
 * whole file before the first item, so memory grows with the file: use
 * {@linkcode fromJsonl} for large inputs. Opening does no I/O until the
 * reader is iterated.
 *
 * @typeParam T The type of the elements, as the caller knows it (not checked).
 * @param path The file, or `"-"` for stdin.
 * @returns A source of the array's elements.
 * @throws {SyntaxError} When iterated, if the file is not JSON (`Cannot
 * parse "<path>" as JSON: ...`).
 * @throws {TypeError} When iterated, if the JSON is not an array
 * (`Expected a JSON array in "<path>", got an object`).
 * @throws {Deno.errors.NotFound} When iterated, if the file does not exist
 * (`Cannot read input file "<path>": not found`).
 *
 * @example The elements of an array
 * ```ts
 * import { fromJson } from "./json_source.ts";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const { signal } = new AbortController();
 *   await Deno.writeTextFile(`${dir}/ids.json`, "[1, 2, 3]");
 *   const ids = await Array.fromAsync(
 *     fromJson<number>(`${dir}/ids.json`).open({ signal }),
 *   );
 *   assertEquals(ids, [1, 2, 3]);
 *
 *   await Deno.writeTextFile(`${dir}/one.json`, '{"id": 1}');
 *   await assertRejects(
 *     () => Array.fromAsync(fromJson(`${dir}/one.json`).open({ signal })),
 *     TypeError,
 *     "Expected a JSON array",
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fromJson<T = unknown>(path: string | URL): RowSource<T> {
  const location = locationOf(path);
  return withRows({
    kind: "json",
    fingerprint: () => fileFingerprint(path),
    location,
    open(context: OpenContext): SourceReader<T> {
      let input: TextInput | undefined;
      let elements: T[] | undefined;
      let next = 0;
      return new BatchReader<T>({
        async pull() {
          if (elements === undefined) {
            input = await openTextInput(path, context.signal);
            const chunks: string[] = [];
            for (
              let c = await input.read();
              c !== null;
              c = await input.read()
            ) {
              chunks.push(c);
            }
            input.close();
            let value: unknown;
            try {
              value = JSON.parse(chunks.join(""));
            } catch (error) {
              throw new SyntaxError(
                `Cannot parse "${location}" as JSON: ${
                  (error as Error).message
                }`,
                { cause: error },
              );
            }
            if (!Array.isArray(value)) {
              throw new TypeError(
                `Expected a JSON array in "${location}", got ${
                  describeJson(value)
                }`,
              );
            }
            elements = value;
          }
          if (next >= elements.length) return null;
          context.signal.throwIfAborted();
          const batch = elements.slice(next, next + BATCH);
          next += batch.length;
          return batch;
        },
        close() {
          input?.close();
          elements = [];
        },
        progress() {
          return {
            done: input?.bytesRead ?? 0,
            total: input?.size,
            unit: "bytes",
          };
        },
      });
    },
  });
}
