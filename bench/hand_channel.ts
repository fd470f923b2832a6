/**
 * The bounded channel the benchmark's hand loop and queue adapters deliver
 * through: what a careful developer writes for one reader, nothing more. A
 * sender past `capacity` waits until the reader takes a value, so a slow
 * reader holds the producers back.
 *
 * @module
 */

import { RingQueue } from "../lib/sync/ring_queue.ts";

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One reader, many senders; `send` returns a promise only when full. */
export class HandChannel<T> implements AsyncIterableIterator<T, undefined> {
  readonly #capacity: number;
  readonly #items = new RingQueue<T>();
  readonly #senders = new RingQueue<() => void>();
  #reader:
    | {
      resolve: (r: IteratorResult<T, undefined>) => void;
      reject: (e: unknown) => void;
    }
    | undefined;
  #closed = false;
  #error: { reason: unknown } | undefined;

  /** @param capacity Values buffered before a sender waits. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Buffers `value`; the promise (if any) resolves once there is room. */
  send(value: T): Promise<void> | undefined {
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      reader.resolve({ done: false, value });
      return undefined;
    }
    this.#items.push(value);
    if (this.#items.size <= this.#capacity) return undefined;
    return new Promise((resolve) => this.#senders.push(resolve));
  }

  /** Ends the iteration after the buffered values, with `error` if given. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (error !== undefined) this.#error = { reason: error };
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) {
      if (this.#error) reader.reject(this.#error.reason);
      else reader.resolve(DONE);
    }
    for (let s = this.#senders.shift(); s; s = this.#senders.shift()) s();
  }

  /** The next value, waiting for one. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#items.size > 0) {
      const value = this.#items.shift() as T;
      this.#senders.shift()?.();
      return Promise.resolve({ done: false, value });
    }
    if (this.#closed) {
      if (this.#error) {
        const { reason } = this.#error;
        this.#error = undefined;
        return Promise.reject(reason);
      }
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => this.#reader = { resolve, reject });
  }

  /** Stops reading: waiting senders go on, later values are dropped. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#closed = true;
    this.#items.clear();
    for (let s = this.#senders.shift(); s; s = this.#senders.shift()) s();
    return Promise.resolve(DONE);
  }

  /** Returns this channel: it is its own iterator. */
  [Symbol.asyncIterator](): HandChannel<T> {
    return this;
  }
}
