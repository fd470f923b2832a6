/**
 * A typed fake clock for tests, over `@sinonjs/fake-timers` (untyped here).
 * `AbortSignal.timeout` does not follow it: tests that need a deadline use
 * `setTimeout` with an `AbortController`.
 *
 * @module
 */

import FakeTimers from "@sinonjs/fake-timers";

/** A fake clock installed on `globalThis`; dispose it to restore real time. */
export interface FakeTime extends Disposable {
  /** The fake `Date.now()`. */
  readonly now: number;
  /** Advances time by `ms`, running timers and microtasks in between. */
  tickAsync(ms: number): Promise<void>;
  /** Runs every pending timer, advancing time as needed. */
  runAllAsync(): Promise<void>;
  /** Number of pending fake timers. */
  countTimers(): number;
}

/** Installs fake `setTimeout`, `setInterval`, `Date` and `performance.now`. */
export function useFakeTime(start = 1_000_000): FakeTime {
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: start,
    toFake: [
      "setTimeout",
      "clearTimeout",
      "setInterval",
      "clearInterval",
      "Date",
      "performance",
    ],
  });
  return {
    get now(): number {
      return clock.now as number;
    },
    async tickAsync(ms: number): Promise<void> {
      await clock.tickAsync(ms);
    },
    async runAllAsync(): Promise<void> {
      await clock.runAllAsync();
    },
    countTimers(): number {
      return clock.countTimers() as number;
    },
    [Symbol.dispose](): void {
      clock.uninstall();
    },
  };
}
