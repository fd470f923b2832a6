/**
 * The messages between the pool (main thread) and a worker's bootstrap
 * (`worker_main.ts`). Internal: both sides come from the same version.
 *
 * Tasks travel in batches, and results come back in batches, so that tiny
 * tasks do not pay one message each way. A worker runs its tasks one at a
 * time in the order sent, so results arrive in that order too.
 *
 * @module
 */

import type { SerializedThrown } from "./serialize_error.ts";

/** How many abort flags each worker has: its most tasks in flight at once. */
export const ABORT_SLOTS: number = 128;

/** The most tasks sent ahead to one worker. */
export const MAX_IN_FLIGHT: number = ABORT_SLOTS;

/**
 * Task sequence numbers wrap here (a multiple of `ABORT_SLOTS`), so they
 * fit an `Int32Array` flag.
 */
export const SEQ_WRAP: number = 2 ** 30;

/** Result status: the function returned a value. */
export const OK: number = 0;
/** Result status: the function (or loading it) threw. */
export const THREW: number = 1;
/** Result status: the task was aborted before it started; not run. */
export const SKIPPED: number = 2;

/** First message to a worker: where its abort flags live. */
export interface InitMessage {
  /** Which message. */
  readonly type: "init";
  /**
   * `ABORT_SLOTS` flags over a `SharedArrayBuffer`: slot `seq % ABORT_SLOTS`
   * holds `seq + 1` once task `seq` is aborted, so the worker sees an abort
   * even while a task blocks its event loop.
   */
  readonly flags: Int32Array;
}

/** A function the worker has not been told about yet. */
export type FunctionDefinition = readonly [
  id: number,
  module: string,
  exportName: string,
];

/** Tasks to run, in order. */
export interface RunMessage {
  /** Which message. */
  readonly type: "run";
  /** Functions used by these tasks for the first time on this worker. */
  readonly define: readonly FunctionDefinition[] | undefined;
  /** `[seq, functionId, input]` per task, flattened. */
  readonly tasks: readonly unknown[];
}

/** A task was aborted on the main thread. */
export interface AbortMessage {
  /** Which message. */
  readonly type: "abort";
  /** The aborted task. */
  readonly seq: number;
  /** The signal's reason. */
  readonly reason: SerializedThrown;
}

/** A message from the pool to a worker. */
export type ToWorker = InitMessage | RunMessage | AbortMessage;

/** Results, in the order the tasks were sent. */
export interface ResultsMessage {
  /** Which message. */
  readonly type: "results";
  /**
   * `[seq, status, payload]` per task, flattened: the value for `OK`, a
   * `SerializedThrown` for `THREW`, `undefined` for `SKIPPED`.
   */
  readonly results: readonly unknown[];
  /** Milliseconds spent running these tasks, to size the next batches. */
  readonly busyMs: number;
}

/** The worker is going away: an uncaught error, `close()` or `Deno.exit()`. */
export interface CrashMessage {
  /** Which message. */
  readonly type: "crash";
  /** The task running when it happened, or `-1`. */
  readonly seq: number;
  /** The uncaught error or rejection, or `null` for an exit. */
  readonly error: SerializedThrown | null;
  /** How the worker exited (`self.close()`, `Deno.exit()`), or `null`. */
  readonly exited: string | null;
}

/** A message from a worker to the pool. */
export type FromWorker = ResultsMessage | CrashMessage;
