/**
 * Waits released by hand, for tests: each `wait()` resolves on a later
 * `release()`.
 *
 * @module
 */

/** Parked waits, released all at once. */
export class Gates {
  readonly #waiting: (() => void)[] = [];

  /** How many waits are parked. */
  get pending(): number {
    return this.#waiting.length;
  }

  /** Parks until the next `release()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Releases every parked wait. */
  release(): void {
    for (const open of this.#waiting.splice(0)) open();
  }
}
