/**
 * The reorder window of an ordered `mapConcurrent`: outcomes that finish
 * early wait here until every lower index has been released. Internal to
 * the scheduler.
 *
 * @module
 */

/** Marks an index that will never have a value (a failure kept back). */
const HOLE: unique symbol = Symbol("hole");

/**
 * Releases values in index order, from 0: `put(index, value)` holds a
 * value until every lower index was put or skipped, then hands it (and the
 * run of values after it) to `emit`. Holds only what finished early, so
 * its size is bounded by the scheduler's window, not by the input.
 *
 * @typeParam T What is released, such as an outcome.
 */
export class ReorderWindow<T> {
  readonly #emit: (value: T) => void;
  readonly #held = new Map<number, T | typeof HOLE>();
  #next = 0;
  #values = 0;

  /** @param emit Receives each value, in index order. */
  constructor(emit: (value: T) => void) {
    this.#emit = emit;
  }

  /** Values held (holes not counted). */
  get size(): number {
    return this.#values;
  }

  /** Takes the value of `index`: released now if it is next, else held. */
  put(index: number, value: T): void {
    if (index !== this.#next) {
      this.#held.set(index, value);
      this.#values++;
      return;
    }
    this.#next++;
    this.#emit(value);
    if (this.#held.size > 0) this.#release();
  }

  /** Says `index` will have no value, so later values need not wait for it. */
  skip(index: number): void {
    if (index !== this.#next) {
      this.#held.set(index, HOLE);
      return;
    }
    this.#next++;
    if (this.#held.size > 0) this.#release();
  }

  /**
   * Releases every value held, in index order, over any gaps left (by
   * indices that will never be put): for a run that ends without them.
   */
  flush(): void {
    const indices = [...this.#held.keys()].sort((a, b) => a - b);
    const held = this.#held;
    for (const index of indices) {
      const value = held.get(index)!;
      held.delete(index);
      if (value !== HOLE) {
        this.#values--;
        this.#emit(value);
      }
    }
  }

  /** Drops everything held. */
  clear(): void {
    this.#held.clear();
    this.#values = 0;
  }

  #release(): void {
    const held = this.#held;
    for (let value = held.get(this.#next); value !== undefined;) {
      held.delete(this.#next);
      this.#next++;
      if (value !== HOLE) {
        this.#values--;
        this.#emit(value);
      }
      value = held.get(this.#next);
    }
  }
}
