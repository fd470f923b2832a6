/**
 * A FIFO of parked callers, each optionally abortable: an aborted caller
 * leaves the queue at once (O(1)) and is rejected with the signal's reason.
 * Internal to poolflow; the semaphore, rate limiter and channel share it.
 *
 * @module
 */

/** What a parked caller must carry so the list can abort it. */
export interface Parked {
  reject(reason: unknown): void;
  readonly signal: AbortSignal | undefined;
}

interface Node<T> {
  value: T;
  prev: Node<T> | undefined;
  next: Node<T> | undefined;
  onAbort: (() => void) | undefined;
}

/** Doubly linked FIFO whose entries leave on their own signal's abort. */
export class WaitList<T extends Parked> {
  #head: Node<T> | undefined;
  #tail: Node<T> | undefined;
  #size = 0;
  #onAbandon: (() => void) | undefined;

  /** @param onAbandon Called after an aborted entry has left the list. */
  constructor(onAbandon?: () => void) {
    this.#onAbandon = onAbandon;
  }

  /** Number of parked entries. */
  get size(): number {
    return this.#size;
  }

  /**
   * Parks `value` at the tail. If its signal aborts while parked, it is
   * unlinked and rejected with the signal's reason.
   */
  push(value: T): void {
    const node: Node<T> = {
      value,
      prev: this.#tail,
      next: undefined,
      onAbort: undefined,
    };
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
    this.#size++;
    const signal = value.signal;
    if (signal) {
      node.onAbort = () => {
        node.onAbort = undefined;
        this.#unlink(node);
        value.reject(signal.reason);
        this.#onAbandon?.();
      };
      signal.addEventListener("abort", node.onAbort, { once: true });
    }
  }

  /** Removes and returns the oldest entry, detaching its abort listener. */
  shift(): T | undefined {
    const node = this.#head;
    if (!node) return undefined;
    if (node.onAbort) {
      node.value.signal!.removeEventListener("abort", node.onAbort);
      node.onAbort = undefined;
    }
    this.#unlink(node);
    return node.value;
  }

  #unlink(node: Node<T>): void {
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = undefined;
    this.#size--;
  }
}
