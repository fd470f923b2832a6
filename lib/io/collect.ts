/**
 * {@linkcode collect}: a sink that keeps the items in memory.
 *
 * @module
 */

import type { Sink, SinkWriter } from "./types.ts";

/** A sink that keeps what it is given in {@linkcode CollectSink.items}. */
export interface CollectSink<T> extends Sink<T> {
  /**
   * The items written since the sink was last opened, in order. It grows
   * with the output: for large runs write to a file instead.
   */
  readonly items: T[];
}

/**
 * Makes a sink that keeps every item in an array, for library use and
 * tests. Opening it empties the array (in place: a reference taken before
 * stays valid). Memory grows with the output.
 *
 * @typeParam T The item type.
 * @returns The sink, with its `items`.
 *
 * @example Keep what a writer is given
 * ```ts
 * import { collect } from "./collect.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const sink = collect<number>();
 * const writer = await sink.open({ signal: new AbortController().signal });
 * await writer.write(1);
 * await writer.write(2);
 * await writer.close();
 * assertEquals(sink.items, [1, 2]);
 * ```
 */
export function collect<T>(): CollectSink<T> {
  const items: T[] = [];
  return {
    kind: "collect",
    location: "memory",
    items,
    open(): Promise<SinkWriter<T>> {
      items.length = 0;
      return Promise.resolve({
        write: (item: T) => {
          items.push(item);
        },
        close: () => Promise.resolve(),
      });
    },
  };
}
