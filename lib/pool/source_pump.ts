/**
 * The source side of `mapConcurrent`: reads inputs one at a time from a
 * sync or async iterable, only when the scheduler asks, and closes it.
 * Internal to the scheduler.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";
import type { Inputs } from "./types.ts";

/** What `take()` gives when no input is at hand now. */
export const NOTHING: unique symbol = Symbol("nothing");

/**
 * Where the pump is: not opened yet; ready to read; an async read pending;
 * an input read and waiting to be taken; no more inputs (ended or failed).
 */
type PumpState = "unopened" | "ready" | "reading" | "holding" | "done";

/** What the pump tells its scheduler. */
export interface PumpEvents {
  /**
   * An async read ended: an input waits in `take()`, or the source is done
   * (its failure, if it failed, reported first).
   */
  arrived(): void;
  /** Opening or reading the source failed: it is done. Only records. */
  failed(error: unknown): void;
}

/**
 * Reads a source lazily: a sync iterator is read on each `take()`; an
 * async one has at most one read pending, whose input waits in the pump
 * (`holding`) until taken, so nothing is read ahead of demand but that one
 * input.
 *
 * @typeParam I The input type.
 */
export class SourcePump<I> {
  readonly #source: Inputs<I>;
  readonly #events: PumpEvents;
  #state: PumpState = "unopened";
  #iterator: Iterator<I> | AsyncIterator<I> | undefined;
  #sync = false;
  #held: I | undefined;

  /**
   * @param source The inputs.
   * @param events Where arrivals and failures go.
   */
  constructor(source: Inputs<I>, events: PumpEvents) {
    this.#source = source;
    this.#events = events;
  }

  /** Whether no input will come any more (an async read is not pending). */
  get done(): boolean {
    return this.#state === "done";
  }

  /** Opens the source's iterator; a failure is reported and ends it. */
  open(): void {
    if (this.#state !== "unopened") return;
    try {
      const source = this.#source as Partial<AsyncIterable<I> & Iterable<I>>;
      const asyncIterator = source[Symbol.asyncIterator];
      if (typeof asyncIterator === "function") {
        this.#iterator = asyncIterator.call(source);
      } else {
        this.#iterator = (source as Iterable<I>)[Symbol.iterator]();
        this.#sync = true;
      }
      this.#state = "ready";
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * The next input if one is at hand: read now from a sync source, or the
   * one an async read delivered. Otherwise `NOTHING`, and for an async
   * source a read starts (its input arrives later, via `arrived()`).
   */
  take(): I | typeof NOTHING {
    switch (this.#state) {
      case "holding": {
        const input = this.#held as I;
        this.#held = undefined;
        this.#state = "ready";
        return input;
      }
      case "ready":
        return this.#sync ? this.#readSync() : this.#readAsync();
      default:
        return NOTHING;
    }
  }

  /**
   * Closes the source's iterator (`return()`), unless it ended by itself.
   * Resolves when it is closed; `undefined` when there is nothing to wait
   * for, including a read still pending, which keeps an async iterator
   * busy. A failure to close goes to `onError`.
   */
  close(onError: (error: unknown) => void): Promise<void> | undefined {
    const iterator = this.#iterator;
    const reading = this.#state === "reading";
    if (this.#state === "done" || !iterator?.return) {
      this.#finish();
      return undefined;
    }
    this.#finish();
    try {
      const result = iterator.return();
      if (!(result instanceof Promise)) return undefined;
      const settled = result.then(() => {}, onError);
      return reading ? undefined : settled;
    } catch (error) {
      onError(error);
      return undefined;
    }
  }

  #readSync(): I | typeof NOTHING {
    let step: IteratorResult<I>;
    try {
      step = checkStep((this.#iterator as Iterator<I>).next());
    } catch (error) {
      this.#fail(error);
      return NOTHING;
    }
    if (step.done) {
      this.#finish();
      return NOTHING;
    }
    return step.value;
  }

  #readAsync(): typeof NOTHING {
    this.#state = "reading";
    let pending: Promise<IteratorResult<I>>;
    try {
      pending = Promise.resolve((this.#iterator as AsyncIterator<I>).next());
    } catch (error) {
      this.#fail(error);
      return NOTHING;
    }
    pending.then(this.#onRead, this.#onReadFailed);
    return NOTHING;
  }

  #onRead = (result: IteratorResult<I>): void => {
    // Closed meanwhile: the input read is not wanted any more.
    if (this.#state !== "reading") return;
    let step: IteratorResult<I>;
    try {
      step = checkStep(result);
    } catch (error) {
      this.#onReadFailed(error);
      return;
    }
    if (step.done) this.#finish();
    else {
      this.#held = step.value;
      this.#state = "holding";
    }
    this.#events.arrived();
  };

  #onReadFailed = (error: unknown): void => {
    if (this.#state !== "reading") return;
    this.#fail(error);
    this.#events.arrived();
  };

  #fail(error: unknown): void {
    this.#finish();
    this.#events.failed(error);
  }

  #finish(): void {
    this.#state = "done";
    this.#held = undefined;
  }
}

/** An iterator result must be an object; anything else is a source error. */
function checkStep<I>(step: IteratorResult<I>): IteratorResult<I> {
  if (typeof step !== "object" || step === null) {
    throw new TypeError(
      `The iterator's next() gave ${describeValue(step)}, not an object`,
    );
  }
  return step;
}
