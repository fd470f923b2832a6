/**
 * The contracts of sources and sinks: where a workflow's items come from
 * and where its results go. Both are lazy descriptions; a run opens them.
 *
 * @module
 */

/** What a run gives a source or sink when it opens it. */
export interface OpenContext {
  /** Aborted when the run is aborted; long reads and writes should stop. */
  readonly signal: AbortSignal;
  /**
   * For a sink in a resumed durable run: what it had committed at the last
   * checkpoint. The sink continues from there, cutting anything written
   * after it.
   */
  readonly resume?: SinkCheckpoint | undefined;
}

/**
 * What a durable sink needs to continue after a crash, such as its file's
 * committed length: plain JSON data that only the sink reads.
 */
export type SinkCheckpoint = { readonly [key: string]: unknown };

/**
 * A record a source could not turn into an item (a malformed CSV row, a
 * line that is not JSON). The run reports it as a failed item with its
 * location, under the error policy, instead of crashing.
 *
 * @example A JSON-lines source reports a bad line
 * ```ts
 * import { InvalidRecord } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const bad = new InvalidRecord("data.jsonl", 3, "Unexpected token", "{oops");
 * assertEquals(bad.message, "data.jsonl:3: Unexpected token");
 * ```
 */
export class InvalidRecord {
  /** Where the source reads from, such as a file path. */
  readonly location: string;
  /** Line number (from 1) where the record starts. */
  readonly line: number;
  /** What is wrong, and where: `"<location>:<line>: <reason>"`. */
  readonly message: string;
  /** Why the record is invalid. */
  readonly reason: string;
  /** The raw text of the record, cut to a readable length. */
  readonly text: string;

  /**
   * Creates an invalid record.
   *
   * @param location Where the source reads from.
   * @param line Line number where the record starts, from 1.
   * @param reason Why the record is invalid.
   * @param text The raw text (cut to 200 characters).
   */
  constructor(location: string, line: number, reason: string, text = "") {
    this.location = location;
    this.line = line;
    this.reason = reason;
    this.message = `${location}:${line}: ${reason}`;
    this.text = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
}

/** How far a source has read, for progress bars. */
export interface SourceProgress {
  /** Units read so far. */
  readonly done: number;
  /** Units in all, when known (a file's size); `undefined` otherwise. */
  readonly total: number | undefined;
  /** What `done` and `total` count. */
  readonly unit: "bytes" | "items";
}

/**
 * An open source: an async iterable of items (or invalid records) that
 * reports its progress. Leaving the iteration early closes it.
 *
 * @typeParam T The item type.
 */
export interface SourceReader<T> extends AsyncIterable<T | InvalidRecord> {
  /** How far it has read. */
  progress(): SourceProgress;
}

/**
 * Where items come from: a lazy description that a run opens. Opening does
 * no I/O until the reader is iterated.
 *
 * @typeParam T The item type.
 */
export interface Source<T> {
  /** The kind, such as `"csv"`, `"jsonl"` or `"iterable"`. */
  readonly kind: string;
  /** Where it reads from, for messages and plans: a path, `"-"` for stdin. */
  readonly location: string;
  /** Opens a reader. */
  open(context: OpenContext): SourceReader<T>;
  /**
   * A short string that changes when the input changes (for files: size,
   * modification time and a hash of the start), so a durable run refuses
   * to resume over a different input.
   */
  fingerprint?(): Promise<string>;
}

/**
 * An open sink. `write` takes one item (its promise, if any, resolves when
 * the sink can take more); `close` flushes and commits and is called on
 * every ending of a run, abort included.
 *
 * @typeParam T The item type it accepts.
 */
export interface SinkWriter<T> {
  /**
   * Writes one item. A property, so `Sink<T>` is checked contravariantly.
   * An item the sink cannot hold (no JSON form, a CSV row of the wrong
   * shape) makes it throw a `TypeError` at once: the run fails that item
   * alone (stage `"sink"`). Any other error fails the run.
   */
  readonly write: (item: T) => void | Promise<void>;
  /** Flushes and commits what was written, and releases the resource. */
  close(): Promise<void>;
  /**
   * Durable sinks only: makes everything written so far durable (flushed
   * and synced) and returns what to resume from. What it describes is
   * taken when it is called: items written while it is pending belong to
   * the next checkpoint, so a run can go on writing meanwhile. A sink
   * without it cannot be part of a durable run.
   */
  checkpoint?(): Promise<SinkCheckpoint>;
  /**
   * Durable sinks only: releases the resource without committing, when a
   * durable run stops before its end, so that resuming continues it. A
   * whole-file output keeps its temporary file; others just close.
   */
  suspend?(): Promise<void>;
}

/**
 * Where results go: a lazy description that a run opens.
 *
 * @typeParam T The item type it accepts.
 */
export interface Sink<T> {
  /** The kind, such as `"jsonl"`, `"csv"` or `"collect"`. */
  readonly kind: string;
  /** Where it writes, for messages and the summary: a path, `"-"` for stdout. */
  readonly location: string;
  /**
   * Whether it can take part in a durable run: its writers implement
   * `checkpoint()` and `suspend()` and resume from `OpenContext.resume`.
   * The CLI and the server keep checkpoints only for runs whose sinks all
   * say so (or that have none). `toJsonl`, `toCsv` and `toJson` writing to
   * a file do; stdout and memory do not.
   */
  readonly resumable?: boolean;
  /** Opens a writer. */
  open(context: OpenContext): Promise<SinkWriter<T>>;
}

/** What a dead-letter sink receives for every failed item. */
export interface DeadLetter {
  /** The stage where the item failed, or `"source"` for invalid records. */
  readonly stage: string;
  /** The item as the stage received it (for invalid records: the raw text). */
  readonly input: unknown;
  /** The error's message. */
  readonly error: string;
  /** Attempts made. */
  readonly attempts: number;
  /** Source line, when the item is an invalid record. */
  readonly line?: number;
}
