/**
 * An `AbortSignal` that a synchronous loop can see aborted. A worker busy
 * in a CPU-bound function never returns to its event loop, so the abort
 * message from the main thread waits; this signal's `aborted` and
 * `throwIfAborted()` also ask a check (the shared abort flag) on each
 * call and abort the signal then. Internal to the worker bootstrap.
 *
 * @module
 */

const abortedGetter = Object.getOwnPropertyDescriptor(
  AbortSignal.prototype,
  "aborted",
)!.get!;

/**
 * A controller whose signal polls `isAborted()` when read.
 *
 * @param isAborted Whether the task has been aborted, read synchronously.
 * @param reason The reason to abort with once it has.
 * @returns The controller; abort it directly when the message arrives.
 */
export function pollingController(
  isAborted: () => boolean,
  reason: () => unknown,
): AbortController {
  const controller = new AbortController();
  const signal = controller.signal;
  let aborting = false;
  const poll = (): void => {
    // Deno's abort() reads `aborted` itself: do not re-enter.
    if (aborting || abortedGetter.call(signal) || !isAborted()) return;
    aborting = true;
    try {
      controller.abort(reason());
    } finally {
      aborting = false;
    }
  };
  poll();
  Object.defineProperty(signal, "aborted", {
    get: () => {
      poll();
      return abortedGetter.call(signal);
    },
    configurable: true,
  });
  Object.defineProperty(signal, "throwIfAborted", {
    value: () => {
      poll();
      AbortSignal.prototype.throwIfAborted.call(signal);
    },
    configurable: true,
    writable: true,
  });
  return controller;
}
