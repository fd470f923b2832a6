/**
 * A pretend remote service for the demo: each call waits a latency derived
 * from the order id (so every run behaves the same), a few ids fail once
 * with a transient error, and some never answer in time. Every wait honours
 * the task's `AbortSignal`, so a timeout or a stopped run frees it at once.
 *
 * @module
 */

/** Ids whose first call fails with a {@linkcode ServiceUnavailableError}. */
export const FLAKY_IDS: ReadonlySet<string> = new Set(["1017", "1064"]);

/** Ids the service takes a minute to answer: only a timeout ends them. */
export const HANGING_IDS: ReadonlySet<string> = new Set(["1012"]);

const HANG_MS = 60_000;

/** The transient failure of the simulated service: worth a retry. */
export class ServiceUnavailableError extends Error {
  /**
   * Creates the error of a call that hit a busy service.
   *
   * @param id The order id of the call.
   */
  constructor(id: string) {
    super(`Service unavailable (503) while confirming order ${id}`);
    this.name = "ServiceUnavailableError";
  }
}

/** Which ids misbehave; defaults to {@linkcode FLAKY_IDS} and {@linkcode HANGING_IDS}. */
export interface SimulatedIoOptions {
  /** Ids whose first attempt fails with a {@linkcode ServiceUnavailableError}. */
  flakyIds?: ReadonlySet<string>;
  /** Ids whose calls outlast any sensible timeout. */
  hangingIds?: ReadonlySet<string>;
}

/**
 * A latency of 20 to 80 ms for an id, the same on every run: an FNV-1a hash
 * of the id picks it, so neighbouring ids get unrelated latencies.
 *
 * @param id The order id.
 * @returns Milliseconds, an integer in `[20, 80]`.
 */
export function latencyFor(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  }
  return 20 + hash % 61;
}

/**
 * Resolves after `ms`, or rejects with `signal.reason` as soon as it aborts;
 * leaves no timer or listener behind either way.
 *
 * @param ms Milliseconds to wait.
 * @param signal Cuts the wait short.
 */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Makes the simulated call for one order: "confirm it with the warehouse".
 *
 * @param id The order id.
 * @param attempt The attempt number, from 1.
 * @param signal The task's signal.
 * @param options Which ids misbehave.
 * @throws {ServiceUnavailableError} On the first attempt of a flaky id.
 * @throws The signal's reason if it aborts during the wait.
 */
export async function confirmOrder(
  id: string,
  attempt: number,
  signal: AbortSignal,
  options: SimulatedIoOptions = {},
): Promise<void> {
  const hanging = (options.hangingIds ?? HANGING_IDS).has(id);
  await delay(hanging ? HANG_MS : latencyFor(id), signal);
  if (attempt === 1 && (options.flakyIds ?? FLAKY_IDS).has(id)) {
    throw new ServiceUnavailableError(id);
  }
}
