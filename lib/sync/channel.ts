/**
 * A bounded producer/consumer channel: `asyncio.Queue` done right, where a
 * closed channel ends its consumers and an empty one only makes them wait.
 *
 * @module
 */

import { checkCount } from "../units/check.ts";
import { RingQueue } from "./ring_queue.ts";
import { WaitList } from "./wait_list.ts";

/**
 * Thrown by `send()` on a closed channel, and by `receive()` once it is
 * drained.
 *
 * @example A drained channel ends its consumer
 * ```ts
 * import { Channel, ChannelClosedError } from "@poolflow/poolflow";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const channel = new Channel<number>(2);
 * await channel.send(1);
 * channel.close();
 * assertEquals(await channel.receive(), 1);
 * await assertRejects(() => channel.receive(), ChannelClosedError);
 * ```
 */
export class ChannelClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted on the closed channel.
   * @param options `cause`: the error the channel was closed with, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ChannelClosedError";
  }
}

interface Sender<T> {
  value: T;
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

interface Receiver<T> {
  resolve(result: IteratorResult<T>): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A FIFO of values with room for `capacity` of them. `send()` waits while it
 * is full, `receive()` while it is empty. `close()` lets consumers drain what
 * is buffered, then ends their iteration, or throws the error it was given.
 *
 * @typeParam T The type of the values.
 *
 * @example Producer and consumer
 * ```ts
 * import { Channel } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const channel = new Channel<number>(2);
 * const producer = (async () => {
 *   for (let i = 0; i < 5; i++) await channel.send(i);
 *   channel.close();
 * })();
 * const received: number[] = [];
 * for await (const value of channel) received.push(value);
 * await producer;
 * assertEquals(received, [0, 1, 2, 3, 4]);
 * ```
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  #buffer = new RingQueue<T>();
  #senders = new WaitList<Sender<T>>();
  #receivers = new WaitList<Receiver<T>>();
  #closed = false;
  #error: { reason: unknown } | undefined;

  /**
   * Creates a channel.
   *
   * @param capacity How many values it buffers: an integer `>= 1` or
   * `Infinity`. Defaults to 1.
   * @throws {RangeError} If `capacity` is not an integer `>= 1`.
   */
  constructor(capacity = 1) {
    this.#capacity = checkCount(capacity, "channel capacity", {
      allowInfinity: true,
    });
  }

  /** How many values the channel buffers. */
  get capacity(): number {
    return this.#capacity;
  }

  /** How many values are buffered now. */
  get size(): number {
    return this.#buffer.size;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a value, waiting while the channel is full.
   *
   * @param value The value to send.
   * @param signal Aborting it while waiting rejects with `signal.reason`;
   * the value is then not sent.
   * @returns A promise that resolves once the value is buffered or received.
   * @throws {ChannelClosedError} If the channel is closed, or closes while
   * the sender waits.
   *
   * @example Send after close
   * ```ts
   * import { Channel, ChannelClosedError } from "@poolflow/poolflow";
   * import { assertRejects } from "@std/assert";
   *
   * const channel = new Channel<string>();
   * channel.close();
   * await assertRejects(() => channel.send("late"), ChannelClosedError);
   * ```
   */
  send(value: T, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError("send to"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const receiver = this.#receivers.shift();
    if (receiver) {
      receiver.resolve({ done: false, value });
      return Promise.resolve();
    }
    if (this.#buffer.size < this.#capacity) {
      this.#buffer.push(value);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#senders.push({ value, resolve, reject, signal });
    });
  }

  /**
   * Receives the oldest value, waiting while the channel is empty.
   *
   * @param signal Aborting it while waiting rejects with `signal.reason`.
   * @returns The value.
   * @throws {ChannelClosedError} Once the channel is closed and drained;
   * if it was closed with an error, that error instead.
   *
   * @example Receive in order
   * ```ts
   * import { Channel } from "@poolflow/poolflow";
   * import { assertEquals } from "@std/assert";
   *
   * const channel = new Channel<number>(3);
   * await channel.send(1);
   * await channel.send(2);
   * assertEquals(await channel.receive(), 1);
   * assertEquals(await channel.receive(), 2);
   * ```
   */
  async receive(signal?: AbortSignal): Promise<T> {
    const result = await this.#next(signal);
    if (result.done) {
      throw this.#closedError("receive from");
    }
    return result.value;
  }

  /**
   * Closes the channel. Buffered values can still be received; then
   * iteration ends, or throws `error` if one is given. Waiting senders are
   * rejected. Closing twice does nothing.
   *
   * @param error If given, consumers get it instead of a normal end.
   *
   * @example Close with an error
   * ```ts
   * import { Channel } from "@poolflow/poolflow";
   * import { assertEquals, assertRejects } from "@std/assert";
   *
   * const channel = new Channel<number>(2);
   * await channel.send(1);
   * channel.close(new Error("producer failed"));
   * const seen: number[] = [];
   * await assertRejects(async () => {
   *   for await (const value of channel) seen.push(value);
   * }, Error, "producer failed");
   * assertEquals(seen, [1]);
   * ```
   */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (arguments.length > 0 && error !== undefined) {
      this.#error = { reason: error };
    }
    for (let s = this.#senders.shift(); s; s = this.#senders.shift()) {
      s.reject(this.#closedError("send to"));
    }
    // Receivers wait only while the buffer is empty, so they end now.
    for (let r = this.#receivers.shift(); r; r = this.#receivers.shift()) {
      if (this.#error) r.reject(this.#error.reason);
      else r.resolve(DONE);
    }
  }

  /**
   * Iterates values until the channel is closed and drained. Leaving the
   * loop early withdraws the pending receive, so no value is taken and lost.
   *
   * @returns An async iterator over received values.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    // One controller per iterator: it only matters while a receive is
    // parked, and after `return()` the iterator is finished for good.
    const stop = new AbortController();
    return {
      next: (): Promise<IteratorResult<T>> =>
        stop.signal.aborted
          ? Promise.resolve(DONE)
          : this.#next(stop.signal, true),
      return: (): Promise<IteratorResult<T>> => {
        stop.abort();
        return Promise.resolve(DONE);
      },
    };
  }

  #next(signal: AbortSignal | undefined, iterating = false): Promise<
    IteratorResult<T>
  > {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#buffer.size > 0) {
      const value = this.#buffer.shift() as T;
      this.#refill();
      return Promise.resolve({ done: false, value });
    }
    const sender = this.#senders.shift();
    if (sender) {
      sender.resolve();
      return Promise.resolve({ done: false, value: sender.value });
    }
    if (this.#closed) {
      if (this.#error) return Promise.reject(this.#error.reason);
      return Promise.resolve(DONE);
    }
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.#receivers.push({
        resolve,
        // An iterator's `return()` withdraws its receive as a normal end;
        // a close error still reaches the loop.
        reject: iterating
          ? (reason: unknown) =>
            signal?.aborted ? resolve(DONE) : reject(reason)
          : reject,
        signal,
      });
    });
  }

  #refill(): void {
    const sender = this.#senders.shift();
    if (!sender) return;
    this.#buffer.push(sender.value);
    sender.resolve();
  }

  #closedError(action: string): ChannelClosedError {
    return new ChannelClosedError(
      `Cannot ${action} a closed channel`,
      this.#error ? { cause: this.#error.reason } : undefined,
    );
  }
}
