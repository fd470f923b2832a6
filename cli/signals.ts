/**
 * Ctrl-C during a run: the first SIGINT stops it gracefully (no new items;
 * items in flight finish and reach the sink), the second aborts it at once,
 * a third exits without waiting. The listener is removed when disposed.
 *
 * @module
 */

import type { RunHandle } from "../mod.ts";

/** Watches for Ctrl-C while a run goes on; dispose of it when the run ends. */
export interface InterruptWatch extends Disposable {
  /** How many times Ctrl-C was pressed. */
  readonly interrupts: number;
}

/** Where SIGINT comes from: adds a listener and returns its removal. */
export type SignalSource = (listener: () => void) => () => void;

/** Options of {@linkcode watchInterrupts}. */
export interface InterruptOptions {
  /** Tells the user what happens; called on each Ctrl-C. */
  readonly notify: (message: string) => void;
  /** Called on the third Ctrl-C, to leave at once. Defaults to exiting with 130. */
  readonly exit?: () => void;
  /** The signal source. Defaults to the process's SIGINT. */
  readonly source?: SignalSource;
}

/**
 * Listens to this process's SIGINT: the default {@linkcode SignalSource}.
 *
 * @param listener Called at each SIGINT.
 * @returns The listener's removal.
 */
export function processSigint(listener: () => void): () => void {
  Deno.addSignalListener("SIGINT", listener);
  return () => Deno.removeSignalListener("SIGINT", listener);
}

/**
 * Stops, then aborts, `handle` on Ctrl-C.
 *
 * @param handle The run.
 * @param options How to tell the user, how to exit, where signals come from.
 * @returns The watch, to dispose of when the run has ended.
 *
 * @example Two interrupts, from a fake signal source
 * ```ts
 * import { watchInterrupts } from "./signals.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const calls: string[] = [];
 * let fire = () => {};
 * const handle = { stop: () => calls.push("stop"), abort: () => calls.push("abort") };
 * {
 *   using watch = watchInterrupts(handle, {
 *     notify: () => {},
 *     source: (listener) => {
 *       fire = listener;
 *       return () => calls.push("removed");
 *     },
 *   });
 *   fire();
 *   fire();
 *   assertEquals(watch.interrupts, 2);
 * }
 * assertEquals(calls, ["stop", "abort", "removed"]);
 * ```
 */
export function watchInterrupts(
  handle: Pick<RunHandle, "stop" | "abort">,
  options: InterruptOptions,
): InterruptWatch {
  let interrupts = 0;
  const listener = (): void => {
    interrupts++;
    if (interrupts === 1) {
      options.notify(
        "Stopping: no new items; those in flight finish (Ctrl-C again to abort)",
      );
      handle.stop();
    } else if (interrupts === 2) {
      options.notify(
        "Aborting: in-flight items are cancelled (Ctrl-C again to quit now)",
      );
      handle.abort(new DOMException("Interrupted by Ctrl-C", "AbortError"));
    } else {
      (options.exit ?? (() => Deno.exit(130)))();
    }
  };
  const remove = (options.source ?? processSigint)(listener);
  let removed = false;
  return {
    get interrupts() {
      return interrupts;
    },
    [Symbol.dispose]() {
      if (removed) return;
      removed = true;
      remove();
    },
  };
}
