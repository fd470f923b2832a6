/**
 * The checkpoint store contract: where a durable run records how far it
 * got, so that a crashed, killed or interrupted run can resume without
 * losing or repeating an item at its sinks.
 *
 * @module
 */

import type { SinkCheckpoint } from "../io/types.ts";

/** Where a durable run is in its life. */
export type CheckpointStatus = "running" | "finished";

/**
 * One durable run's last checkpoint. Every source position below
 * `watermark`, and every one in `doneAbove`, is done: its outputs are in
 * the sinks' committed lengths, or it was filtered out, or it failed and
 * its dead letter is committed. No other position has anything committed.
 */
export interface CheckpointRecord {
  /** The run's id. */
  readonly runId: string;
  /** What identifies "the same run" for `resume`: workflow and outputs. */
  readonly scope: string;
  /** The workflow's name. */
  readonly workflow: string;
  /** Changes when the workflow (file, stages, params) changes. */
  readonly workflowFingerprint: string;
  /** Changes when the input changes. */
  readonly inputFingerprint: string;
  /** Source positions below it are done. */
  readonly watermark: number;
  /**
   * Positions done above the watermark (stages finish out of order), as
   * half-open ranges in one ascending list: `[from, to, from, to, ...]`.
   * Absent or empty when none are.
   */
  readonly doneAbove?: readonly number[];
  /** What each sink committed, by role (`"sink"`, `"deadLetter"`). */
  readonly sinks: Readonly<Record<string, SinkCheckpoint>>;
  /** Items written to the sink and failed, in all attempts of the run. */
  readonly counts: { readonly written: number; readonly failed: number };
  /** `"finished"` once the run has ended with its source read to the end. */
  readonly status: CheckpointStatus;
  /** When it was saved, in milliseconds since the epoch. */
  readonly updatedAt: number;
}

/**
 * Stores checkpoints. `save` must be atomic: a crash leaves the previous
 * record or the new one, never a mix.
 */
export interface CheckpointStore {
  /** The latest record of `scope`, or `undefined`. */
  latest(scope: string): Promise<CheckpointRecord | undefined>;
  /**
   * Saves (replaces) the record of its run and adds the item keys that
   * became done with it, atomically: both or neither.
   */
  save(record: CheckpointRecord, doneKeys?: readonly string[]): Promise<void>;
  /** Every item key recorded as done for a run. */
  doneKeys(runId: string): Promise<ReadonlySet<string>>;
  /** Releases the store. */
  close(): void;
}

/**
 * Why a durable run cannot resume: the `code` of a {@linkcode ResumeError}.
 * Adapters branch on it and say what to do in their own words.
 *
 * - `resume_nothing`: no checkpoint of this workflow and these outputs
 *   (start without `resume`).
 * - `resume_finished`: the last run already finished (start without
 *   `resume` to run it again).
 * - `resume_workflow_changed`, `resume_input_changed`: the workflow (file,
 *   stages, params, outputs) or the input changed since the checkpoint
 *   (pass `force` to resume anyway).
 * - `resume_sink_not_durable`: a sink without `checkpoint()`, such as
 *   `collect()` or `toStdout()` (write to a file with `toJsonl`, `toCsv` or
 *   `toJson`, or run without `durable`).
 * - `resume_output_shorter`: an output file is shorter than its checkpoint
 *   committed: it was replaced or cut (restore it, or start over).
 * - `resume_store_damaged`, `resume_store_missing`: the checkpoint file's
 *   write-ahead log is not whole, or the file is gone but its log is there
 *   (restore the file, or pass `force` to resume from what is left).
 * - `resume_still_running`: a run writing to the same outputs is going
 *   (wait for it, or cancel it).
 */
export type ResumeErrorCode =
  | "resume_nothing"
  | "resume_finished"
  | "resume_workflow_changed"
  | "resume_input_changed"
  | "resume_sink_not_durable"
  | "resume_output_shorter"
  | "resume_store_damaged"
  | "resume_store_missing"
  | "resume_still_running";

/**
 * A durable run cannot resume. The message says what is wrong, in words
 * that name no option; `code` says why, so that the CLI, the HTTP runner
 * or your program can say what to do.
 *
 * @example Refused resume
 * ```ts
 * import { ResumeError } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new ResumeError(
 *   "resume_input_changed",
 *   "The input rows.csv changed since run r1 was checkpointed",
 * );
 * assertEquals([error.name, error.code], ["ResumeError", "resume_input_changed"]);
 * ```
 */
export class ResumeError extends Error {
  /** Why the run cannot resume. */
  readonly code: ResumeErrorCode;

  /**
   * Creates the error.
   *
   * @param code Why the run cannot resume.
   * @param message What is wrong, naming the run, file or input.
   * @param options `cause`: the underlying error.
   */
  constructor(code: ResumeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResumeError";
    this.code = code;
  }
}

/**
 * A checkpoint store cannot be opened or written (a path that is not a
 * SQLite database, a folder without write permission). Its `code` is
 * `"checkpoint_store_failed"`.
 *
 * @example Name it in a message
 * ```ts
 * import { CheckpointStoreError } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new CheckpointStoreError("Cannot open checkpoint store");
 * assertEquals([error.name, error.code], ["CheckpointStoreError", "checkpoint_store_failed"]);
 * ```
 */
export class CheckpointStoreError extends Error {
  /** Always `"checkpoint_store_failed"`. */
  readonly code = "checkpoint_store_failed" as const;

  /**
   * Creates the error.
   *
   * @param message What failed and where.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CheckpointStoreError";
  }
}

/**
 * A checkpoint store in memory, for tests and for runs that must survive
 * only within one process.
 *
 * @example Save and find
 * ```ts
 * import { MemoryCheckpointStore } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const store = new MemoryCheckpointStore();
 * await store.save({
 *   runId: "r1", scope: "s", workflow: "w", workflowFingerprint: "a", inputFingerprint: "b",
 *   watermark: 10, sinks: {}, counts: { written: 10, failed: 0 }, status: "running", updatedAt: 1,
 * });
 * assertEquals((await store.latest("s"))?.watermark, 10);
 * ```
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #records = new Map<string, CheckpointRecord>();
  readonly #keys = new Map<string, Set<string>>();

  /** The latest record of `scope`, or `undefined`. */
  latest(scope: string): Promise<CheckpointRecord | undefined> {
    let found: CheckpointRecord | undefined;
    for (const record of this.#records.values()) {
      if (
        record.scope === scope &&
        (!found || record.updatedAt >= found.updatedAt)
      ) {
        found = record;
      }
    }
    return Promise.resolve(found);
  }

  /** Saves (replaces) the record of its run, and adds its done keys. */
  save(
    record: CheckpointRecord,
    doneKeys: readonly string[] = [],
  ): Promise<void> {
    this.#records.set(record.runId, structuredClone(record));
    if (doneKeys.length > 0) {
      const keys = this.#keys.get(record.runId) ?? new Set<string>();
      for (const key of doneKeys) keys.add(key);
      this.#keys.set(record.runId, keys);
    }
    return Promise.resolve();
  }

  /** Every item key recorded as done for a run. */
  doneKeys(runId: string): Promise<ReadonlySet<string>> {
    return Promise.resolve(new Set(this.#keys.get(runId)));
  }

  /** Does nothing: memory needs no release. */
  close(): void {}
}
