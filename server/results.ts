/**
 * {@linkcode ResultBuffer}: the outcomes of one run kept for
 * `GET /runs/:id/results`, by a tee around the workflow's sink (successes)
 * and its dead-letter sink (failures). It keeps the first `limit`
 * outcomes and counts the rest, so memory per run is bounded.
 *
 * @module
 */

import type {
  DeadLetter,
  Sink,
  SinkCheckpoint,
  SinkWriter,
} from "../lib/io/types.ts";
import { redactPaths } from "./errors.ts";
import { Notifier } from "./notifier.ts";

/** A success: what reached the sink. */
export interface SuccessRecord {
  /** Always `true`. */
  readonly ok: true;
  /** The value written. */
  readonly value: unknown;
}

/** A failure: what reached the dead-letter sink. */
export interface FailureRecord {
  /** Always `false`. */
  readonly ok: false;
  /** The stage where it failed, or `"source"`. */
  readonly stage: string;
  /** The item as the stage received it. */
  readonly input: unknown;
  /** The error's message, without file paths. */
  readonly error: string;
  /** Attempts made. */
  readonly attempts: number;
  /** The source line, for invalid records. */
  readonly line?: number;
}

/** One outcome of a run. */
export type ResultRecord = SuccessRecord | FailureRecord;

/**
 * The first `limit` outcomes of a run, with a count of the rest.
 *
 * @example Keep two, count the third
 * ```ts
 * import { ResultBuffer } from "./results.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const results = new ResultBuffer(2);
 * const sink = results.tee(undefined);
 * const writer = await sink.open({ signal: new AbortController().signal });
 * for (const n of [1, 2, 3]) await writer.write(n);
 * await writer.close();
 * assertEquals(results.records.length, 2);
 * assertEquals(results.dropped, 1);
 * ```
 */
export class ResultBuffer {
  /** Notified on every outcome and at the end. */
  readonly changes: Notifier = new Notifier();
  /** Outcomes kept at most. */
  readonly limit: number;
  readonly #records: ResultRecord[] = [];
  #dropped = 0;
  #finished = false;
  readonly #opened: PromiseWithResolvers<void> = Promise.withResolvers();
  readonly #markOpened = (): void => this.#opened.resolve();

  /**
   * Creates an empty buffer.
   *
   * @param limit Outcomes kept at most (0 keeps none).
   */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** The outcomes kept, in the order they came. */
  get records(): readonly ResultRecord[] {
    return this.#records;
  }

  /** Outcomes not kept because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Resolves when the run opens the sink made by {@linkcode tee}: a
   * durable run has then found where it starts (its checkpoint, when it
   * resumes). Never rejects; a run that fails before leaves it pending.
   */
  get opened(): Promise<void> {
    return this.#opened.promise;
  }

  /** Whether the run has ended: no more outcomes will come. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Keeps an outcome, or counts it when full.
   *
   * @param record The outcome.
   */
  add(record: ResultRecord): void {
    if (this.#finished) return;
    if (this.#records.length < this.limit) this.#records.push(record);
    else this.#dropped++;
    this.changes.notify();
  }

  /** Marks the end of the run. */
  finish(): void {
    this.#finished = true;
    this.changes.notify();
  }

  /**
   * A sink that keeps every item as a success, then passes it to `inner`.
   * It passes a durable run's `resume`, `checkpoint()` and `suspend()`
   * through to `inner` (and supports them trivially without one).
   *
   * @param inner The workflow's own sink, if any.
   * @returns The tee.
   */
  tee(inner: Sink<unknown> | undefined): Sink<unknown> {
    return teeSink(
      inner,
      (value) => this.add({ ok: true, value }),
      this.#markOpened,
    );
  }

  /**
   * A dead-letter sink that keeps every letter as a failure, then passes
   * it to `inner`.
   *
   * @param inner The workflow's own dead-letter sink, if any.
   * @returns The tee.
   */
  teeDeadLetters(inner: Sink<DeadLetter> | undefined): Sink<DeadLetter> {
    return teeSink(inner, (letter: DeadLetter) =>
      this.add({
        ok: false,
        stage: letter.stage,
        input: letter.input,
        error: redactPaths(letter.error),
        attempts: letter.attempts,
        ...(letter.line === undefined ? {} : { line: letter.line }),
      }));
  }
}

function teeSink<T>(
  inner: Sink<T> | undefined,
  keep: (item: T) => void,
  opened?: () => void,
): Sink<T> {
  return {
    kind: inner?.kind ?? "memory",
    location: inner?.location ?? "memory",
    async open(context): Promise<SinkWriter<T>> {
      opened?.();
      // The context, with a durable run's `resume`, goes through as given.
      const writer = await inner?.open(context);
      return {
        write: (item: T) => {
          keep(item);
          return writer?.write(item);
        },
        close: () => writer?.close() ?? Promise.resolve(),
        // Durable runs: the tee commits what its sink commits. Without a
        // sink there is nothing to commit; a sink that cannot checkpoint
        // stays one the run refuses to make durable.
        ...(writer === undefined
          ? {
            checkpoint: (): Promise<SinkCheckpoint> => Promise.resolve({}),
            suspend: (): Promise<void> => Promise.resolve(),
          }
          : {
            ...(writer.checkpoint === undefined ? {} : {
              checkpoint: (): Promise<SinkCheckpoint> => writer.checkpoint!(),
            }),
            suspend: (): Promise<void> =>
              writer.suspend ? writer.suspend() : writer.close(),
          }),
      };
    },
  };
}
