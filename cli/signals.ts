/**
 * Ctrl-C and SIGTERM during a run. The first signal stops it gracefully:
 * no new items; items in flight get a grace period to finish and reach the
 * sink, and are aborted when it is over. A second signal aborts them at
 * once, a third exits without waiting. Should the run still not end a
 * grace period (at least 1 s) after an abort, its tasks ignore their
 * signal: the CLI exits without them. Listeners and timers are removed when
 * the watch is disposed.
 *
 * @module
 */

import type { RunHandle } from "../mod.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatDuration } from "./format.ts";

/** The signals that stop a run: Ctrl-C, and a service manager's SIGTERM. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** Watches for signals while a run goes on; dispose of it when the run ends. */
export interface InterruptWatch extends Disposable {
  /** How many signals came. */
  readonly interrupts: number;
  /** The first signal that came, which decides the exit code. */
  readonly signal: StopSignal | undefined;
}

/** Where signals come from: adds a listener and returns its removal. */
export type SignalSource = (
  listener: (signal: StopSignal) => void,
) => () => void;

/**
 * After an abort, how long the run gets to end at least (or the grace
 * period, if longer) before the CLI exits without it: a task that ignores
 * its signal cannot be cancelled, and the run waits for its tasks.
 */
const MIN_ABANDON_MS = 1000;

/** Options of {@linkcode watchInterrupts}. */
export interface InterruptOptions {
  /** Tells the user what happens; called on each signal and when the grace period ends. */
  readonly notify: (message: string) => void;
  /** How long items in flight get to finish after the first signal, in ms. Defaults to 30 s. */
  readonly graceMs?: number;
  /**
   * Called with 130 or 143 to leave at once: on the third signal, or when
   * the run has not ended a grace period (at least 1 s) after an abort,
   * because a task ignores its signal. Defaults to `Deno.exit`.
   */
  readonly exit?: (code: number) => void;
  /** The signal source. Defaults to the process's SIGINT and SIGTERM. */
  readonly source?: SignalSource;
}

/**
 * Listens to this process's SIGINT and SIGTERM (SIGINT only on Windows,
 * which has no SIGTERM): the default {@linkcode SignalSource}.
 *
 * @param listener Called at each signal, with its name.
 * @returns The listeners' removal.
 */
export function processSignals(
  listener: (signal: StopSignal) => void,
): () => void {
  const signals: StopSignal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  const listeners = signals.map((signal) => {
    const handler = () => listener(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of listeners) {
      Deno.removeSignalListener(signal, handler);
    }
  };
}

/**
 * Stops, then aborts, `handle` on Ctrl-C or SIGTERM.
 *
 * @param handle The run.
 * @param options How to tell the user, the grace period, how to exit,
 * where signals come from.
 * @returns The watch, to dispose of when the run has ended.
 *
 * @example Two interrupts, from a fake signal source
 * ```ts
 * import { watchInterrupts } from "./signals.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const calls: string[] = [];
 * let fire = (_: "SIGINT" | "SIGTERM") => {};
 * const handle = { stop: () => calls.push("stop"), abort: () => calls.push("abort") };
 * {
 *   using watch = watchInterrupts(handle, {
 *     notify: () => {},
 *     source: (listener) => {
 *       fire = listener;
 *       return () => calls.push("removed");
 *     },
 *   });
 *   fire("SIGTERM");
 *   fire("SIGINT");
 *   assertEquals([watch.interrupts, watch.signal], [2, "SIGTERM"]);
 * }
 * assertEquals(calls, ["stop", "abort", "removed"]);
 * ```
 */
export function watchInterrupts(
  handle: Pick<RunHandle, "stop" | "abort">,
  options: InterruptOptions,
): InterruptWatch {
  const graceMs = options.graceMs ?? 30_000;
  const grace = describeGrace(graceMs);
  let interrupts = 0;
  let first: StopSignal | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = (ms: number, then: () => void): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      then();
    }, ms);
  };
  const exit = (): void => {
    const code = first === "SIGTERM"
      ? ExitCode.Terminated
      : ExitCode.Interrupted;
    (options.exit ?? ((code: number) => Deno.exit(code)))(code);
  };
  const abort = (message: string, reason: string): void => {
    options.notify(message);
    handle.abort(new DOMException(reason, "AbortError"));
    // A task that ignores its signal would keep the run, and us, waiting.
    later(Math.max(graceMs, MIN_ABANDON_MS), () => {
      options.notify(
        "Exiting: items in flight ignore the abort; they are left unfinished",
      );
      exit();
    });
  };
  const listener = (signal: StopSignal): void => {
    interrupts++;
    first ??= signal;
    const again = signal === "SIGINT" ? "Ctrl-C again" : "signal again";
    if (interrupts === 1) {
      options.notify(
        `Stopping${
          signal === "SIGINT" ? "" : ` (${signal})`
        }: no new items; those in flight have ${grace} to finish (${again} to abort)`,
      );
      handle.stop();
      later(graceMs, () =>
        abort(
          `Aborting: items in flight did not finish within ${grace}`,
          `Items in flight did not finish within the ${grace} grace period after ${first}`,
        ));
    } else if (interrupts === 2) {
      abort(
        `Aborting: in-flight items are cancelled (${again} to quit now)`,
        signal === "SIGINT"
          ? "Interrupted by Ctrl-C"
          : `Terminated by ${signal}`,
      );
    } else {
      exit();
    }
  };
  const remove = (options.source ?? processSignals)(listener);
  let removed = false;
  return {
    get interrupts() {
      return interrupts;
    },
    get signal() {
      return first;
    },
    [Symbol.dispose]() {
      clearTimeout(timer);
      timer = undefined;
      if (removed) return;
      removed = true;
      remove();
    },
  };
}

/**
 * Thrown when Ctrl-C or SIGTERM came before the run started (during the
 * type check or the loading of the workflow file): nothing ran.
 *
 * @example
 * ```ts
 * import { InterruptedError } from "./signals.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(new InterruptedError("SIGTERM").exitCode, 143);
 * ```
 */
export class InterruptedError extends Error {
  /** Always `"interrupted"`. */
  readonly code = "interrupted";
  /** The signal that came. */
  readonly signal: StopSignal;

  /**
   * Creates the error.
   *
   * @param signal The signal that came.
   */
  constructor(signal: StopSignal) {
    super(
      `${
        signal === "SIGINT"
          ? "Interrupted by Ctrl-C"
          : `Terminated by ${signal}`
      } before the run started: nothing ran`,
    );
    this.name = "InterruptedError";
    this.signal = signal;
  }

  /** 130 for SIGINT, 143 for SIGTERM. */
  get exitCode(): ExitCode {
    return this.signal === "SIGTERM"
      ? ExitCode.Terminated
      : ExitCode.Interrupted;
  }
}

/** Watches for signals before a run starts; dispose of it once the run's own watch is on. */
export interface StartupWatch extends Disposable {
  /** Aborted, with an {@linkcode InterruptedError}, at the first signal. */
  readonly signal: AbortSignal;
  /** Throws the {@linkcode InterruptedError} if a signal came. */
  throwIfInterrupted(): void;
}

/**
 * Listens for Ctrl-C and SIGTERM while the CLI loads and type-checks the
 * workflow file: once Deno has a listener for a signal, the signal no
 * longer ends the process, so the CLI must listen from the start or the
 * signal is lost.
 *
 * @param source The signal source. Defaults to the process's signals.
 * @returns The watch.
 *
 * @example A signal before the run
 * ```ts
 * import { InterruptedError, watchStartup } from "./signals.ts";
 * import { assert, assertThrows } from "@std/assert";
 *
 * let fire = (_: "SIGINT" | "SIGTERM") => {};
 * using watch = watchStartup((listener) => {
 *   fire = listener;
 *   return () => {};
 * });
 * fire("SIGINT");
 * assert(watch.signal.aborted);
 * assertThrows(() => watch.throwIfInterrupted(), InterruptedError);
 * ```
 */
export function watchStartup(
  source: SignalSource = processSignals,
): StartupWatch {
  const controller = new AbortController();
  const remove = source((signal) => {
    if (!controller.signal.aborted) {
      controller.abort(new InterruptedError(signal));
    }
  });
  let removed = false;
  return {
    signal: controller.signal,
    throwIfInterrupted: () => controller.signal.throwIfAborted(),
    [Symbol.dispose]() {
      if (removed) return;
      removed = true;
      remove();
    },
  };
}

/** `"30 s"`, `"200 ms"`, `"2:00"`. */
function describeGrace(ms: number): string {
  return ms >= 1000 && ms < 60_000 && ms % 1000 === 0
    ? `${ms / 1000} s`
    : formatDuration(ms);
}
