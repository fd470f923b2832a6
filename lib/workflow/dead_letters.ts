/**
 * A dead-letter writer that always writes: a letter whose input the sink
 * cannot hold is written again with a JSON-safe copy of its input.
 *
 * @module
 */

import { jsonSafe } from "../io/json_safe.ts";
import type { DeadLetter, SinkWriter } from "../io/types.ts";

/**
 * Wraps a dead-letter writer so that an item with no JSON form (a bigint,
 * a cycle, a throwing `toJSON`) cannot fail the run through its dead
 * letter: when `write` throws a `TypeError` (a sink that cannot hold the
 * letter, by the sink contract), the letter is written once more with
 * {@linkcode jsonSafe} applied to its `input`. A sink that can hold the
 * letter (such as `collect()`) receives it unchanged.
 *
 * @param writer The opened dead-letter sink, if any.
 * @returns A writer with the same `close`, `checkpoint` and `suspend`.
 */
export function writableLetters(
  writer: SinkWriter<DeadLetter> | undefined,
): SinkWriter<DeadLetter> | undefined {
  if (writer === undefined) return undefined;
  const wrapped: SinkWriter<DeadLetter> = {
    write: (letter: DeadLetter) => {
      try {
        return writer.write(letter);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        return writer.write({ ...letter, input: jsonSafe(letter.input) });
      }
    },
    close: () => writer.close(),
    ...(writer.checkpoint === undefined
      ? {}
      : { checkpoint: () => writer.checkpoint!() }),
    ...(writer.suspend === undefined
      ? {}
      : { suspend: () => writer.suspend!() }),
  };
  return wrapped;
}
