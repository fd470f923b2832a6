/**
 * A growable ring buffer: amortised O(1) at both ends, without the O(n)
 * `Array.prototype.shift`. Internal to poolflow.
 *
 * @module
 */

/** A double-ended queue on a power-of-two ring that doubles when full. */
export class RingQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #mask: number;

  /** Creates a queue; `initialCapacity` is rounded up to a power of two. */
  constructor(initialCapacity = 16) {
    let capacity = 4;
    while (capacity < initialCapacity) capacity *= 2;
    this.#items = new Array(capacity);
    this.#mask = capacity - 1;
  }

  /** Number of queued items. */
  get size(): number {
    return this.#size;
  }

  /** Appends `value` at the tail. */
  push(value: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#items[(this.#head + this.#size) & this.#mask] = value;
    this.#size++;
  }

  /** Inserts at the head (a task put back at the front). */
  unshift(value: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = value;
    this.#size++;
  }

  /** The head, without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns the tail; `undefined` when empty. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    this.#size--;
    const at = (this.#head + this.#size) & this.#mask;
    const value = this.#items[at];
    this.#items[at] = undefined;
    return value;
  }

  /** Removes every item and returns them, head first. */
  takeAll(): T[] {
    const all: T[] = [];
    while (this.#size > 0) all.push(this.shift() as T);
    return all;
  }

  /** Removes and returns the head; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const value = this.#items[this.#head];
    // Drop the reference so a consumed item can be collected.
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return value;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#items;
    const capacity = old.length * 2;
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#size; i++) {
      items[i] = old[(this.#head + i) & this.#mask];
    }
    this.#items = items;
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
