/**
 * {@linkcode fromIterable}: any iterable or async iterable as a source,
 * pulled one item at a time.
 *
 * @module
 */

import { type RowSource, withRows } from "./row_source.ts";
import { describeValue } from "../units/check.ts";
import type {
  InvalidRecord,
  OpenContext,
  SourceProgress,
  SourceReader,
} from "./types.ts";

/** Options of {@linkcode fromIterable}. */
export interface IterableSourceOptions {
  /** The source's location in messages and plans. Defaults to `"iterable"`. */
  name?: string;
}

/** A reader that pulls one item per `next()`, counting them. */
class IterableReader<T>
  implements SourceReader<T>, AsyncIterator<T | InvalidRecord, undefined> {
  readonly #iterable: Iterable<T> | AsyncIterable<T>;
  readonly #signal: AbortSignal;
  readonly #total: number | undefined;
  #iterator: Iterator<T> | AsyncIterator<T> | undefined;
  #done = 0;
  #iterated = false;

  constructor(
    iterable: Iterable<T> | AsyncIterable<T>,
    signal: AbortSignal,
  ) {
    this.#iterable = iterable;
    this.#signal = signal;
    this.#total = Array.isArray(iterable) ? iterable.length : undefined;
  }

  progress(): SourceProgress {
    return { done: this.#done, total: this.#total, unit: "items" };
  }

  [Symbol.asyncIterator](): AsyncIterator<T | InvalidRecord, undefined> {
    if (this.#iterated) {
      throw new TypeError(
        "Cannot iterate a source reader twice: open the source again",
      );
    }
    this.#iterated = true;
    return this;
  }

  async next(): Promise<IteratorResult<T | InvalidRecord, undefined>> {
    this.#signal.throwIfAborted();
    if (this.#iterator === undefined) {
      const iterable = Object(this.#iterable) as
        | Iterable<T>
        | AsyncIterable<T>;
      this.#iterator = Symbol.asyncIterator in iterable
        ? iterable[Symbol.asyncIterator]()
        : iterable[Symbol.iterator]();
    }
    const result = await this.#iterator.next();
    if (result.done) return { value: undefined, done: true };
    this.#done++;
    return { value: result.value, done: false };
  }

  async return(): Promise<IteratorResult<T | InvalidRecord, undefined>> {
    await this.#iterator?.return?.();
    return { value: undefined, done: true };
  }
}

/**
 * Makes a source of any iterable or async iterable (an array, a generator,
 * a `ReadableStream`). Items are pulled one at a time as the run asks, so
 * an endless generator runs in constant memory; leaving the iteration
 * early calls the iterator's `return()`. Progress counts items, with a
 * total for arrays.
 *
 * A generator can be iterated once: opening such a source twice gives an
 * empty second reading. Pass an iterable whose `[Symbol.iterator]()` starts
 * afresh (an array, or an object with a generator method) to run twice.
 *
 * @typeParam T The item type.
 * @param iterable The items.
 * @param options The source's name.
 * @returns A source of the items.
 * @throws {TypeError} If `iterable` is neither iterable nor async iterable.
 *
 * @example Any iterable, with progress
 * ```ts
 * import { fromIterable } from "./iterable_source.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const { signal } = new AbortController();
 * const reader = fromIterable(["a", "b"], { name: "letters" }).open({ signal });
 * assertEquals(await Array.fromAsync(reader), ["a", "b"]);
 * assertEquals(reader.progress(), { done: 2, total: 2, unit: "items" });
 * ```
 */
export function fromIterable<T>(
  iterable: Iterable<T> | AsyncIterable<T>,
  options: IterableSourceOptions = {},
): RowSource<T> {
  if (
    iterable === null ||
    (typeof iterable !== "object" && typeof iterable !== "string") ||
    !(Symbol.asyncIterator in Object(iterable) ||
      Symbol.iterator in Object(iterable))
  ) {
    throw new TypeError(
      `Invalid iterable: expected an iterable or async iterable, got ${
        describeValue(iterable)
      }`,
    );
  }
  return withRows({
    kind: "iterable",
    location: options.name ?? "iterable",
    open(context: OpenContext): SourceReader<T> {
      return new IterableReader(iterable, context.signal);
    },
  });
}
