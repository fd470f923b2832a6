/**
 * An abortable FIFO semaphore whose limit can change while it is in use.
 *
 * @module
 */

import { checkCount } from "../units/check.ts";
import { WaitList } from "./wait_list.ts";

/**
 * A held slot of a {@linkcode Semaphore}. Release it once with `release()`,
 * or let `using` release it at the end of the scope.
 */
export interface Permit extends Disposable {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
  /** Whether `release()` has been called. */
  readonly released: boolean;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

class SemaphorePermit implements Permit {
  #release: (() => void) | undefined;

  constructor(release: () => void) {
    this.#release = release;
  }

  get released(): boolean {
    return this.#release === undefined;
  }

  release(): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * Limits how many holders run at once. Waiters are admitted in FIFO order;
 * a waiter whose signal aborts leaves the queue at once and rejects with the
 * signal's reason, never holding a permit. `resize()` takes effect at once:
 * growing admits waiters, shrinking lets running holders finish and admits
 * nobody until `running < limit`.
 *
 * @example Bound concurrent work with `using`
 * ```ts
 * import { Semaphore } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const sem = new Semaphore(2);
 * let peak = 0;
 * await Promise.all([1, 2, 3, 4, 5].map(async () => {
 *   using _permit = await sem.acquire();
 *   peak = Math.max(peak, sem.running);
 *   await new Promise((r) => setTimeout(r, 5));
 * }));
 * assertEquals(peak, 2);
 * assertEquals(sem.running, 0);
 * ```
 */
export class Semaphore {
  #limit: number;
  #running = 0;
  #waiters = new WaitList<Waiter>();
  // One closure per semaphore, shared by its permits, keeps release private.
  #releaseOne = (): void => {
    this.#running--;
    this.#admit();
  };

  /**
   * Creates a semaphore.
   *
   * @param limit How many holders may run at once: an integer `>= 0`
   * (`0` admits nobody until resized) or `Infinity`.
   * @throws {RangeError} If `limit` is negative, fractional or NaN.
   */
  constructor(limit: number) {
    this.#limit = checkCount(limit, "semaphore limit", {
      min: 0,
      allowInfinity: true,
    });
  }

  /** How many holders may run at once. */
  get limit(): number {
    return this.#limit;
  }

  /** How many permits are held now (may exceed `limit` after a shrink). */
  get running(): number {
    return this.#running;
  }

  /** How many callers wait for a permit. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Waits for a permit, in FIFO order with other waiters.
   *
   * @param signal Aborting it while waiting rejects with `signal.reason` and
   * leaves the queue; an already aborted signal rejects at once.
   * @returns A permit to release when done.
   *
   * @example Abort a waiter
   * ```ts
   * import { Semaphore } from "@poolflow/poolflow";
   * import { assertEquals, assertRejects } from "@std/assert";
   *
   * const sem = new Semaphore(1);
   * const held = await sem.acquire();
   * const controller = new AbortController();
   * const waiting = sem.acquire(controller.signal);
   * controller.abort(new Error("gave up"));
   * await assertRejects(() => waiting, Error, "gave up");
   * assertEquals(sem.waiting, 0);
   * held.release();
   * ```
   */
  acquire(signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiters.size === 0 && this.#running < this.#limit) {
      this.#running++;
      return Promise.resolve(new SemaphorePermit(this.#releaseOne));
    }
    return new Promise<Permit>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, signal });
    });
  }

  /**
   * Takes a permit only if one is free now and nobody waits.
   *
   * @returns A permit, or `undefined` when none is free.
   *
   * @example Try without waiting
   * ```ts
   * import { Semaphore } from "@poolflow/poolflow";
   * import { assert } from "@std/assert";
   *
   * const sem = new Semaphore(1);
   * const first = sem.tryAcquire();
   * assert(first !== undefined);
   * assert(sem.tryAcquire() === undefined);
   * first.release();
   * ```
   */
  tryAcquire(): Permit | undefined {
    if (this.#waiters.size > 0 || this.#running >= this.#limit) {
      return undefined;
    }
    this.#running++;
    return new SemaphorePermit(this.#releaseOne);
  }

  /**
   * Changes the limit now. Growing admits waiters at once; shrinking lets
   * running holders finish and admits nobody until `running < limit`.
   *
   * @param limit The new limit: an integer `>= 0` or `Infinity`.
   * @throws {RangeError} If `limit` is negative, fractional or NaN.
   *
   * @example Grow while callers wait
   * ```ts
   * import { Semaphore } from "@poolflow/poolflow";
   * import { assertEquals } from "@std/assert";
   *
   * const sem = new Semaphore(0);
   * const pending = [sem.acquire(), sem.acquire()];
   * assertEquals(sem.waiting, 2);
   * sem.resize(2);
   * assertEquals(sem.running, 2);
   * for (const permit of await Promise.all(pending)) permit.release();
   * ```
   */
  resize(limit: number): void {
    this.#limit = checkCount(limit, "semaphore limit", {
      min: 0,
      allowInfinity: true,
    });
    this.#admit();
  }

  #admit(): void {
    while (this.#running < this.#limit) {
      const waiter = this.#waiters.shift();
      if (!waiter) return;
      this.#running++;
      waiter.resolve(new SemaphorePermit(this.#releaseOne));
    }
  }
}
