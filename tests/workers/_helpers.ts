/**
 * Shared helpers of the worker tests: the fixture module and a wait that
 * counts turns of the event loop rather than time.
 *
 * @module
 */

/** The module of test functions that the workers run. */
export const TASKS: URL = new URL("./fixtures/tasks.ts", import.meta.url);

/** Its type, for typed `run` and `inWorker` calls. */
export type Tasks = typeof import("./fixtures/tasks.ts");

/**
 * Waits until `condition()` holds, checking every 10 ms, for at most
 * `limitMs` (then throws: the condition never came true).
 */
export async function until(
  condition: () => boolean,
  what: string,
  limitMs = 10_000,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A timed task's input with a start flag, and a wait for that flag. */
export function timed(ms: number): {
  input: { ms: number; started: Int32Array };
  started: () => Promise<void>;
} {
  const started = new Int32Array(new SharedArrayBuffer(4));
  return {
    input: { ms, started },
    started: () =>
      until(() => Atomics.load(started, 0) === 1, "the task has started"),
  };
}

/** Gates for the `gated` fixture: tasks wait in workers until opened here. */
export class WorkerGates {
  readonly gates: Int32Array;
  readonly started: Int32Array;

  constructor(count: number) {
    this.gates = new Int32Array(new SharedArrayBuffer(4 * count));
    this.started = new Int32Array(new SharedArrayBuffer(4 * count));
  }

  /** The input of task `i`. */
  input(i: number): { gates: Int32Array; started: Int32Array; i: number } {
    return { gates: this.gates, started: this.started, i };
  }

  /** Waits until tasks `indices` have all started. */
  startedAll(indices: readonly number[]): Promise<void> {
    return until(
      () => indices.every((i) => Atomics.load(this.started, i) === 1),
      `tasks ${indices.join(", ")} have started`,
    );
  }

  /** Lets task `i` return its value. */
  open(i: number): void {
    Atomics.store(this.gates, i, 1);
  }

  /** Makes task `i` throw. */
  fail(i: number): void {
    Atomics.store(this.gates, i, 2);
  }
}
