/**
 * {@linkcode StreamTracker}: the server's open streams (event streams and
 * result streams), so their number is capped and closing the server ends
 * every one of them and waits until they are done.
 *
 * @module
 */

import { ApiError } from "./errors.ts";

/** A stream's place in the tracker. */
export interface StreamSlot {
  /** Aborted when the server closes: the stream should end. */
  readonly signal: AbortSignal;
  /** Frees the slot; call it once the stream has ended. */
  release(): void;
}

/**
 * Counts open streams, up to a cap, and ends them all on close.
 *
 * @example One slot
 * ```ts
 * import { StreamTracker } from "./streams.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * const streams = new StreamTracker(1);
 * const slot = streams.open(() => {});
 * assertThrows(() => streams.open(() => {}), Error, "Too many open streams");
 * slot.release();
 * assertEquals(streams.size, 0);
 * await streams.close();
 * ```
 */
export class StreamTracker {
  readonly #max: number;
  readonly #closing = new AbortController();
  readonly #open = new Map<
    object,
    { abort: () => void; ended: Promise<void> }
  >();
  #closed = false;

  /** Refuses new streams from now on; open ones go on. */
  refuse(): void {
    this.#closed = true;
  }

  /**
   * Creates a tracker.
   *
   * @param max Streams open at once.
   */
  constructor(max: number) {
    this.#max = max;
  }

  /** Streams open now. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Takes a slot for a new stream.
   *
   * @param abort Ends the stream at once (called when the server closes).
   * @returns The slot.
   * @throws {ApiError} 429 if as many streams as allowed are open, 503 if
   * the server is closing.
   */
  open(abort: () => void): StreamSlot {
    if (this.#closed || this.#closing.signal.aborted) {
      throw new ApiError(503, "unavailable", "The server is shutting down");
    }
    if (this.#open.size >= this.#max) {
      throw new ApiError(
        429,
        "too_many_requests",
        `Too many open streams: at most ${this.#max} at once; close one, or retry later`,
        { headers: { "Retry-After": "5" } },
      );
    }
    const key = {};
    let release!: () => void;
    const ended = new Promise<void>((resolve) => release = resolve);
    this.#open.set(key, { abort, ended });
    return {
      signal: this.#closing.signal,
      release: () => {
        this.#open.delete(key);
        release();
      },
    };
  }

  /**
   * Refuses new streams, gives the open ones up to `graceMs` to end by
   * themselves (a stream of a finished run ends once its client has read
   * the last event), then ends the rest and waits for every slot.
   *
   * @param graceMs Milliseconds to wait before ending streams.
   */
  async close(graceMs = 0): Promise<void> {
    const ended = () =>
      Promise.all([...this.#open.values()].map((stream) => stream.ended));
    if (graceMs > 0 && this.#open.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        ended(),
        new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs)),
      ]);
      clearTimeout(timer);
    }
    this.#closing.abort();
    for (const stream of this.#open.values()) {
      try {
        stream.abort();
      } catch {
        // A stream that cannot be aborted still ends on the signal.
      }
    }
    await ended();
  }
}
