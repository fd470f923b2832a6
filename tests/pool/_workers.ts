/**
 * Tasks a test finishes by hand, shared by the TaskPool tests.
 *
 * @module
 */

import type { TaskContext } from "../../mod.ts";

/** One call of a {@linkcode Workers} task, settled by the test. */
export interface Worker<T> {
  readonly input: T;
  readonly ctx: TaskContext;
  finish(): void;
  fail(error: unknown): void;
}

/**
 * Tasks the test finishes by hand. Each records itself as running until it
 * is finished, failed, or (unless `ignoreAbort`) its signal aborts.
 */
export class Workers<T> {
  readonly started: Worker<T>[] = [];
  readonly live = new Set<Worker<T>>();
  peak = 0;
  readonly #ignoreAbort: boolean;

  constructor(options: { ignoreAbort?: boolean } = {}) {
    this.#ignoreAbort = options.ignoreAbort ?? false;
  }

  get running(): number {
    return this.live.size;
  }

  readonly task = (input: T, ctx: TaskContext): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => end(() => reject(ctx.signal.reason));
      const end = (settle: () => void) => {
        if (!this.live.delete(worker)) return;
        ctx.signal.removeEventListener("abort", onAbort);
        settle();
      };
      const worker: Worker<T> = {
        input,
        ctx,
        finish: () => end(() => resolve(input)),
        fail: (error) => end(() => reject(error)),
      };
      this.started.push(worker);
      this.live.add(worker);
      this.peak = Math.max(this.peak, this.live.size);
      if (!this.#ignoreAbort) {
        ctx.signal.addEventListener("abort", onAbort, { once: true });
      }
    });

  /** Finishes the `n` oldest running workers. */
  finishOldest(n = 1): void {
    for (const worker of [...this.live].slice(0, n)) worker.finish();
  }

  /** Finishes every running worker. */
  finishAll(): void {
    for (const worker of [...this.live]) worker.finish();
  }
}

/** Lets every queued microtask run, and tasks start or settle. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
