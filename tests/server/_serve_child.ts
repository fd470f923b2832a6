/**
 * Helpers for tests that spawn the server as `deno task serve` does.
 *
 * @module
 */

import { assert, assertEquals, assertFalse } from "@std/assert";

/** The repository's root. */
export const ROOT = new URL("../../", import.meta.url);

/** The arguments of `deno task serve` after `deno`. */
export async function serveTaskArgs(): Promise<string[]> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { tasks: Record<string, string> };
  const task = config.tasks["serve"];
  assert(task !== undefined, "deno.json has no serve task");
  // The task holds no quotes or shell syntax, so spaces split it.
  assertFalse(/["'`$|&;<>]/.test(task), task);
  const [deno, ...args] = task.split(/\s+/);
  assertEquals(deno, "deno");
  return args;
}

/**
 * Reads a stream to its end, keeping its text, and resolves `line` with
 * the first match of `pattern` (rejects if the stream ends without one).
 */
export function watch(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): { line: Promise<RegExpMatchArray>; text: () => Promise<string> } {
  let seen = "";
  const found = Promise.withResolvers<RegExpMatchArray>();
  const done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        seen += chunk;
        const match = seen.match(pattern);
        if (match) found.resolve(match);
      },
      close() {
        found.reject(new Error(`The server ended before ${pattern}:\n${seen}`));
      },
    }),
  );
  return { line: found.promise, text: async () => (await done, seen) };
}
