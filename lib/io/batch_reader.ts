/**
 * A {@linkcode SourceReader} over batches: the file sources parse a whole
 * decoded chunk at a time and hand its items out one by one, which costs
 * far less per item than an async generator.
 *
 * @module
 */

import type { InvalidRecord, SourceProgress, SourceReader } from "./types.ts";

/** Where a {@linkcode BatchReader} gets its items. */
export interface BatchPuller<T> {
  /**
   * The next items (possibly none), or `null` at the end. The first call
   * does the first I/O.
   */
  pull(): Promise<readonly (T | InvalidRecord)[] | null>;
  /** Releases what the puller holds; called once, however reading ends. */
  close(): void;
  /**
   * How far it has read.
   *
   * @param itemsYielded Items (and invalid records) handed out so far.
   */
  progress(itemsYielded: number): SourceProgress;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Hands out the items of a {@linkcode BatchPuller} one at a time. It is its
 * own iterator and can be iterated once; leaving the iteration early (or a
 * failed pull) closes the puller.
 *
 * @typeParam T The item type.
 */
export class BatchReader<T>
  implements SourceReader<T>, AsyncIterator<T | InvalidRecord, undefined> {
  readonly #puller: BatchPuller<T>;
  #batch: readonly (T | InvalidRecord)[] = [];
  #index = 0;
  #yielded = 0;
  #pending: Promise<IteratorResult<T | InvalidRecord, undefined>> | undefined;
  #iterated = false;
  #closed = false;

  /**
   * Wraps a puller; nothing is read until the first `next()`.
   *
   * @param puller Where the items come from.
   */
  constructor(puller: BatchPuller<T>) {
    this.#puller = puller;
  }

  /** How far the source has read. */
  progress(): SourceProgress {
    return this.#puller.progress(this.#yielded);
  }

  /**
   * Returns this reader, once.
   *
   * @throws {TypeError} On a second call: a reader is read once; open the
   * source again instead.
   */
  [Symbol.asyncIterator](): AsyncIterator<T | InvalidRecord, undefined> {
    if (this.#iterated) {
      throw new TypeError(
        "Cannot iterate a source reader twice: open the source again",
      );
    }
    this.#iterated = true;
    return this;
  }

  /** The next item. */
  next(): Promise<IteratorResult<T | InvalidRecord, undefined>> {
    if (this.#index < this.#batch.length) {
      const value = this.#batch[this.#index++]!;
      this.#yielded++;
      return Promise.resolve({ value, done: false });
    }
    if (this.#pending !== undefined) {
      // A caller that does not wait for the previous item: queue behind it.
      return this.#pending.then(() => this.next());
    }
    if (this.#closed) return Promise.resolve(DONE);
    const pending = this.#fill();
    this.#pending = pending;
    return pending.finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
  }

  /** Stops reading and releases the input. */
  return(): Promise<IteratorResult<T | InvalidRecord, undefined>> {
    this.#close();
    return Promise.resolve(DONE);
  }

  async #fill(): Promise<IteratorResult<T | InvalidRecord, undefined>> {
    this.#batch = [];
    this.#index = 0;
    try {
      while (!this.#closed) {
        const batch = await this.#puller.pull();
        if (batch === null) break;
        if (this.#closed) break;
        if (batch.length > 0) {
          this.#batch = batch;
          this.#index = 1;
          this.#yielded++;
          return { value: batch[0]!, done: false };
        }
      }
    } catch (error) {
      // A `return()` that closed the input under a pending read ends it.
      if (this.#closed) return DONE;
      this.#close();
      throw error;
    }
    this.#close();
    return DONE;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch = [];
    this.#index = 0;
    this.#puller.close();
  }
}
