/**
 * The position ledger of a durable run: which source positions are done,
 * without forcing any order on the stages or the sink.
 *
 * Each source position holds a count of the items of it still in the
 * pipeline: 1 when the source yields it; a `flatMap` adds one per output
 * and drops its input's once the outputs are read; a filter that drops an
 * item, a failure (its dead letter held) and a sink write each drop one.
 * A batch carries its items' counts on. A position is done when its count
 * falls to 0. The watermark is the lowest position not done; the positions
 * done above it are at most `window` apart from it, because the source
 * reads no position `window` or more above the watermark. So a checkpoint
 * is the watermark plus a short list of ranges, whatever order items
 * finish in.
 *
 * A position is partly written when the sink holds some of its outputs
 * but others are still in the pipeline (a `flatMap`'s outputs, a batch cut
 * through them): a checkpoint then would either repeat or lose them, so
 * none is taken while any position is partly written.
 *
 * @module
 */

import type { Tracked } from "./tracked.ts";

/** Source positions done, in flight and partly written. Internal to the interpreter. */
export class PositionLedger {
  /** How far above the watermark the source may read: a power of two. */
  readonly window: number;
  // Count of items in the pipeline per position, and whether the sink
  // holds part of it; a position's slot is its value modulo the window,
  // taken with a mask (several per item: a division would show).
  readonly #mask: number;
  readonly #counts: Int32Array;
  readonly #written: Uint8Array;
  #watermark = 0;
  #next = 0;
  #partial = 0;
  #waiter: (() => void) | undefined;

  /**
   * @param window How far above the watermark the source may read at
   * least (>= 1); rounded up to a power of two.
   */
  constructor(window: number) {
    this.window = 2 ** Math.ceil(Math.log2(Math.max(1, window)));
    this.#mask = this.window - 1;
    this.#counts = new Int32Array(this.window);
    this.#written = new Uint8Array(this.window);
  }

  /** The lowest position not done: every position below it is done. */
  get watermark(): number {
    return this.#watermark;
  }

  /** Positions handed out so far: the next one the source reads. */
  get next(): number {
    return this.#next;
  }

  /** Positions the sink holds part of, whose other items are in flight. */
  get partial(): number {
    return this.#partial;
  }

  /** Whether every position handed out is done. */
  get settled(): boolean {
    return this.#watermark === this.#next;
  }

  /** Whether the source may read its next position now. */
  get hasRoom(): boolean {
    return this.#next < this.#watermark + this.window;
  }

  /**
   * Waits until the source may read its next position, or `signal` aborts
   * (then it resolves too: the caller looks at the signal).
   */
  room(signal: AbortSignal): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#waiter = undefined;
        resolve();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiter = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
    });
  }

  /** Hands out the next position, with one item in flight. Needs room. */
  open(): number {
    const position = this.#next++;
    const slot = position & this.#mask;
    this.#counts[slot] = 1;
    this.#written[slot] = 0;
    return position;
  }

  /** One more item of `item`'s positions in flight (a flatMap's output). */
  add(item: Tracked): void {
    this.#counts[item.position & this.#mask]!++;
    const others = item.others;
    if (others !== undefined) {
      for (const p of others) this.#counts[p & this.#mask]!++;
    }
  }

  /** One item of `item`'s positions has left the pipeline. */
  release(item: Tracked): void {
    this.drop(item.position);
    const others = item.others;
    if (others !== undefined) { for (const p of others) this.drop(p); }
  }

  /** The sink wrote `item` (or failed it): its positions may now be partly written. */
  wrote(item: Tracked): void {
    this.#mark(item.position);
    const others = item.others;
    if (others !== undefined) { for (const p of others) this.#mark(p); }
    this.release(item);
  }

  /** One item of `position` has left the pipeline. */
  drop(position: number): void {
    const slot = position & this.#mask;
    if (--this.#counts[slot]! !== 0) return;
    if (this.#written[slot] === 1) {
      this.#written[slot] = 0;
      this.#partial--;
    }
    if (position === this.#watermark) this.#advance();
  }

  /** Whether `position` is done. */
  isDone(position: number): boolean {
    return position < this.#watermark ||
      (position < this.#next && this.#counts[position & this.#mask] === 0);
  }

  /**
   * The positions done above the watermark, as half-open ranges flattened
   * into one list: `[from, to, from, to, ...]`, ascending.
   */
  doneAbove(): number[] {
    const ranges: number[] = [];
    let from = -1;
    for (let p = this.#watermark + 1; p < this.#next; p++) {
      const done = this.#counts[p & this.#mask] === 0;
      if (done && from === -1) from = p;
      else if (!done && from !== -1) {
        ranges.push(from, p);
        from = -1;
      }
    }
    if (from !== -1) ranges.push(from, this.#next);
    return ranges;
  }

  #mark(position: number): void {
    const slot = position & this.#mask;
    // More than this one item in flight: the rest comes later.
    if (this.#counts[slot]! > 1 && this.#written[slot] === 0) {
      this.#written[slot] = 1;
      this.#partial++;
    }
  }

  #advance(): void {
    while (
      this.#watermark < this.#next &&
      this.#counts[this.#watermark & this.#mask] === 0
    ) this.#watermark++;
    if (this.#waiter !== undefined && this.hasRoom) {
      const wake = this.#waiter;
      this.#waiter = undefined;
      wake();
    }
  }
}

/**
 * Whether `position` lies in `ranges` (as `doneAbove` gives them), for a
 * reader that asks about ascending positions: `cursor.at` moves forward.
 */
export function inRanges(
  ranges: readonly number[],
  cursor: { at: number },
  position: number,
): boolean {
  while (cursor.at < ranges.length && ranges[cursor.at + 1]! <= position) {
    cursor.at += 2;
  }
  return cursor.at < ranges.length && ranges[cursor.at]! <= position;
}

/**
 * How far above the watermark a durable run's source may read: room for
 * every stage's tasks and read-ahead, and for every item a batch holds
 * while it fills (a batch of batches holds the product), so the window
 * never stops a run that can go on.
 */
export function windowFor(
  stages: readonly {
    readonly spec: {
      readonly kind: string;
      readonly size?: number | undefined;
    };
    readonly concurrency: number;
  }[],
): number {
  let concurrency = 0;
  let held = 0;
  let perItem = 1;
  for (const stage of stages) {
    if (stage.spec.kind === "batch") {
      const size = stage.spec.size ?? 1;
      held += size * perItem;
      perItem *= size;
    } else concurrency += stage.concurrency;
  }
  return Math.max(4096, 2 * held + 64 * concurrency);
}
