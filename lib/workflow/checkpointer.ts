/**
 * Durable runs: the checkpoint side of the interpreter.
 *
 * A durable run's stages keep no order of their own, and its sink takes
 * outputs as they come. The run's position ledger (positions.ts) knows
 * which source positions are done (every output written, filtered out or
 * failed): all below a watermark, and a few above it. Between two sink
 * writes, when no position is partly written, a checkpoint is exact: the
 * sinks hold the outputs of the done positions and nothing of the others.
 * It records the sinks' committed lengths, the watermark and the ranges
 * done above it. Resuming cuts each sink back to its committed length and
 * skips the done positions, so every input reaches the sinks exactly once.
 * Dead letters are held until their positions are done, and written by the
 * checkpoint that records them, so they too are written exactly once.
 *
 * @module
 */

import type { DeadLetter, SinkCheckpoint, SinkWriter } from "../io/types.ts";
import { SqliteCheckpointStore } from "../durable/sqlite_store.ts";
import { inspectStoreFiles } from "../durable/store_files.ts";
import {
  type CheckpointRecord,
  type CheckpointStore,
  ResumeError,
} from "../durable/store.ts";
import { type Duration, parseDuration } from "../units/duration.ts";
import { sha256Hex } from "../units/sha256.ts";
import type { WorkflowPlan } from "./plan.ts";
import { PositionLedger, windowFor } from "./positions.ts";
import type { Tracked } from "./tracked.ts";

/** Options of a durable run: `RunOptions.durable`. */
export interface DurableOptions {
  /** Where checkpoints go: a store, or the path of a SQLite file. */
  store: CheckpointStore | string;
  /**
   * Continue the latest unfinished run of the same workflow writing to the
   * same outputs, instead of starting again.
   */
  resume?: boolean;
  /** Resume even if the workflow or its input changed since the checkpoint. */
  force?: boolean;
  /** Something that changes with the workflow's code, such as a hash of its file. */
  workflowFingerprint?: string;
  /** Items written between checkpoints, at most. Defaults to 10,000. */
  every?: number;
  /** Time between checkpoints, at most. Defaults to `"1s"`. */
  interval?: Duration;
  /**
   * Called once the run knows where it starts (a resume was accepted, or
   * it starts afresh, possibly over an unfinished run), before it records
   * anything or opens its outputs; the run waits for a returned promise.
   * A run stopped or aborted by then ends without touching its outputs or
   * the checkpoints, so an unfinished run it would have replaced can still
   * be resumed.
   */
  onStart?: (start: DurableStartInfo) => void | Promise<void>;
}

/** What a durable run starts from, as {@linkcode DurableOptions.onStart} tells it. */
export interface DurableStartInfo {
  /** The run's id: a resumed run keeps the id it had. */
  readonly runId: string;
  /** For a resume: the checkpoint it continues from. */
  readonly resumes?: DurableRunInfo | undefined;
  /**
   * For a fresh run: the unfinished run of the same workflow and outputs
   * that it starts over from. Once this run has started (before it opens
   * its outputs, which it overwrites), a resume continues this run, not
   * that one.
   */
  readonly startsOver?: DurableRunInfo | undefined;
}

/** A checkpointed run, as {@linkcode DurableStartInfo} names it. */
export interface DurableRunInfo {
  /** Its id. */
  readonly runId: string;
  /** Items written to the sink by its last checkpoint. */
  readonly written: number;
  /** Items failed by its last checkpoint. */
  readonly failed: number;
  /** When its last checkpoint was saved, in milliseconds since the epoch. */
  readonly updatedAt: number;
}

/** What a durable run starts from. */
export interface DurableStart {
  /** The run's id: a resumed run keeps the id it had. */
  readonly runId: string;
  /** Source positions below it are done and skipped. */
  readonly skipBelow: number;
  /** Positions done above `skipBelow`, skipped too: `[from, to, ...]` ranges. */
  readonly doneAbove: readonly number[];
  /** What each sink committed, to resume from. */
  readonly sinks: Readonly<Record<string, SinkCheckpoint>>;
  /**
   * For a workflow with an item key, resuming: the keys of the inputs
   * already done, skipped by key rather than by position.
   */
  readonly doneKeys: ReadonlySet<string> | undefined;
}

interface HeldLetter {
  readonly position: number;
  readonly others: readonly number[] | undefined;
  readonly letter: DeadLetter;
}

/** Records checkpoints of one durable run. Internal to the interpreter. */
export class Checkpointer {
  readonly #plan: WorkflowPlan;
  readonly #options: DurableOptions;
  readonly #every: number;
  readonly #intervalMs: number;
  readonly #scope: string;
  /** Which source positions are done. */
  readonly ledger: PositionLedger;
  #store: CheckpointStore | undefined;
  #record: CheckpointRecord | undefined;
  #held: HeldLetter[] = [];
  // Keys of inputs in flight, by position, until a checkpoint passes them.
  #pendingKeys: { position: number; key: string }[] = [];
  #sinceCheckpoint = 0;
  // Set by a timer `interval` after the last checkpoint: reading the
  // clock at every write would cost more than the rest of `due()`.
  #intervalPassed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fresh = false;

  /**
   * @param plan The plan being run.
   * @param options Where checkpoints go, and whether to resume.
   */
  constructor(plan: WorkflowPlan, options: DurableOptions) {
    this.#plan = plan;
    this.#options = options;
    this.#every = options.every ?? 10_000;
    this.ledger = new PositionLedger(windowFor(plan.stages));
    this.#intervalMs = parseDuration(
      options.interval ?? 1000,
      "durable.interval",
    );
    // The same workflow writing to the same outputs is the same run.
    this.#scope = JSON.stringify([
      plan.name,
      plan.sink ? `${plan.sink.kind}:${plan.sink.location}` : null,
      plan.deadLetter
        ? `${plan.deadLetter.kind}:${plan.deadLetter.location}`
        : null,
    ]);
  }

  /**
   * Opens the store and decides where the run starts: from the checkpoint
   * of the run it resumes, or from nothing.
   *
   * @throws {ResumeError} If there is nothing to resume, the run already
   * finished, or the workflow or input changed (unless forced).
   */
  async begin(freshRunId: string): Promise<DurableStart> {
    const { store } = this.#options;
    const where = `workflow "${this.#plan.name}"${
      this.#plan.sink ? ` writing to ${this.#plan.sink.location}` : ""
    }`;
    // Before SQLite opens it: opening would fold a damaged log away.
    if (typeof store === "string" && this.#options.resume) {
      const damage = this.#options.force
        ? undefined
        : await inspectStoreFiles(store);
      if (damage) {
        throw new ResumeError(
          damage.kind === "missing"
            ? "resume_store_missing"
            : "resume_store_damaged",
          `Cannot resume ${where}: the checkpoint store ${
            damage.kind === "missing" ? "is missing" : `"${store}" is damaged`
          }: ${damage.detail}; its latest checkpoints may be lost`,
        );
      }
    }
    this.#store = typeof store === "string"
      ? new SqliteCheckpointStore(store)
      : store;
    const workflowFingerprint = await this.#workflowFingerprint();
    const inputFingerprint = await this.#plan.source.fingerprint?.() ?? "none";
    const latest = await this.#store.latest(this.#scope);
    const previous = this.#options.resume ? latest : undefined;
    if (this.#options.resume) {
      if (!previous) {
        throw new ResumeError(
          "resume_nothing",
          `No checkpoint to resume for ${where}`,
        );
      }
      if (previous.status === "finished") {
        throw new ResumeError(
          "resume_finished",
          `Run ${previous.runId} of ${where} already finished`,
        );
      }
      if (!this.#options.force) {
        if (previous.workflowFingerprint !== workflowFingerprint) {
          throw new ResumeError(
            "resume_workflow_changed",
            `The workflow changed since run ${previous.runId} was checkpointed (its file, stages, params or outputs): resuming could mix two versions`,
          );
        }
        if (previous.inputFingerprint !== inputFingerprint) {
          throw new ResumeError(
            "resume_input_changed",
            `The input ${this.#plan.source.location} changed since run ${previous.runId} was checkpointed: resuming would skip the wrong items`,
          );
        }
      }
    }
    this.#record = previous
      ? { ...previous, workflowFingerprint, inputFingerprint }
      : {
        runId: freshRunId,
        scope: this.#scope,
        workflow: this.#plan.name,
        workflowFingerprint,
        inputFingerprint,
        watermark: 0,
        sinks: {},
        counts: { written: 0, failed: 0 },
        status: "running",
        updatedAt: Date.now(),
      };
    const info = (record: CheckpointRecord): DurableRunInfo => ({
      runId: record.runId,
      written: record.counts.written,
      failed: record.counts.failed,
      updatedAt: record.updatedAt,
    });
    this.#fresh = !previous;
    await this.#options.onStart?.({
      runId: this.#record.runId,
      resumes: previous ? info(previous) : undefined,
      startsOver: !previous && latest?.status === "running"
        ? info(latest)
        : undefined,
    });
    this.#restartTimer();
    return {
      runId: this.#record.runId,
      skipBelow: this.#record.watermark,
      doneAbove: this.#record.doneAbove ?? [],
      sinks: this.#record.sinks,
      doneKeys: previous && this.#plan.key
        ? await this.#store.doneKeys(previous.runId)
        : undefined,
    };
  }

  /**
   * Puts a fresh run on record, right before it opens (and so overwrites)
   * its outputs: from then on a resume continues it, never an older run
   * whose checkpoint no longer matches the files.
   */
  async takeOver(): Promise<void> {
    if (this.#fresh) await this.#store!.save(this.#record!);
    this.#fresh = false;
  }

  /** An input's key, recorded as done once a checkpoint passes its position. */
  noteKey(position: number, key: string): void {
    this.#pendingKeys.push({ position, key });
  }

  /**
   * A dead letter waits until its positions are done: `item` is the
   * tracked item that failed, or the source position of a failed record.
   */
  hold(item: Tracked | number, letter: DeadLetter): void {
    this.#held.push(
      typeof item === "number"
        ? { position: item, others: undefined, letter }
        : { position: item.position, others: item.others, letter },
    );
  }

  /** Counts an item written to the sink. */
  wrote(): void {
    this.#sinceCheckpoint++;
  }

  /** Whether a checkpoint is due: enough items written, or time passed. */
  due(): boolean {
    return this.#sinceCheckpoint >= this.#every || this.#intervalPassed;
  }

  /**
   * Whether a checkpoint now would be exact: no position is partly
   * written, and no held dead letter (of a batch) has some positions done
   * and others not, which the record could not say.
   */
  canCommit(): boolean {
    if (this.ledger.partial > 0) return false;
    const ledger = this.ledger;
    for (const held of this.#held) {
      if (held.others === undefined) continue;
      const first = ledger.isDone(held.position);
      if (held.others.some((p) => ledger.isDone(p) !== first)) return false;
    }
    return true;
  }

  /** Failures of the whole run, all attempts, committed so far. */
  get failedSoFar(): number {
    return this.#record?.counts.failed ?? 0;
  }

  /**
   * Commits a checkpoint of the positions done now: their held dead
   * letters are written, both sinks are flushed and synced, then the
   * record is saved. Call it only when `canCommit()` and between sink
   * writes. What it records is taken before it first awaits (the ledger,
   * the sink's length), so the sink loop may go on writing while the
   * syncs and the save await; what becomes done meanwhile waits for the
   * next commit, which must not start before this one settles.
   */
  commit(
    status: "running" | "finished",
    writers: {
      readonly sink: SinkWriter<never> | undefined;
      readonly deadLetter: SinkWriter<DeadLetter> | undefined;
    },
    written: number,
  ): Promise<void> {
    // One snapshot, taken at once: stages go on while the writes await.
    const ledger = this.ledger;
    const watermark = ledger.watermark;
    const doneAbove = ledger.doneAbove();
    // The sink's length as of now, with the positions above: its write
    // chain keeps order, so later writes land after it.
    const sinkCheckpoint = writers.sink?.checkpoint?.();
    // Marked handled: it is awaited below, after the letters.
    sinkCheckpoint?.catch(() => {});
    const ready: HeldLetter[] = [];
    const waiting: HeldLetter[] = [];
    for (const held of this.#held) {
      (this.#isDone(held) ? ready : waiting).push(held);
    }
    this.#held = waiting;
    const doneKeys: string[] = [];
    if (this.#pendingKeys.length > 0) {
      const pendingKeys: { position: number; key: string }[] = [];
      for (const pending of this.#pendingKeys) {
        if (ledger.isDone(pending.position)) doneKeys.push(pending.key);
        else pendingKeys.push(pending);
      }
      this.#pendingKeys = pendingKeys;
    }
    // Counted afresh from the snapshot: writes go on meanwhile.
    this.#sinceCheckpoint = 0;
    this.#restartTimer();
    return this.#save(
      status,
      { watermark, doneAbove, written, doneKeys, ready },
      sinkCheckpoint,
      writers.deadLetter,
    );
  }

  async #save(
    status: "running" | "finished",
    snapshot: {
      readonly watermark: number;
      readonly doneAbove: number[];
      readonly written: number;
      readonly doneKeys: string[];
      readonly ready: HeldLetter[];
    },
    sinkCheckpoint: Promise<SinkCheckpoint> | undefined,
    deadLetter: SinkWriter<DeadLetter> | undefined,
  ): Promise<void> {
    // Only commits write dead letters in a durable run, so the dead-letter
    // sink's length after these is exactly the letters of done positions.
    const released = await this.#writeLetters(snapshot.ready, deadLetter);
    const sinks: Record<string, SinkCheckpoint> = {};
    if (sinkCheckpoint) sinks.sink = await sinkCheckpoint;
    if (deadLetter?.checkpoint) {
      sinks.deadLetter = await deadLetter.checkpoint();
    }
    const record = this.#record!;
    this.#record = {
      ...record,
      watermark: snapshot.watermark,
      doneAbove: snapshot.doneAbove,
      sinks,
      counts: {
        written: record.counts.written + snapshot.written,
        // Letters of done positions: each counted once, ever.
        failed: record.counts.failed + released,
      },
      status,
      updatedAt: Date.now(),
    };
    await this.#store!.save(this.#record, snapshot.doneKeys);
  }

  /** Closes a store this run opened itself, and stops the timer. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (typeof this.#options.store === "string") this.#store?.close();
  }

  #restartTimer(): void {
    clearTimeout(this.#timer);
    this.#intervalPassed = false;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#intervalPassed = true;
    }, this.#intervalMs);
  }

  #isDone(held: HeldLetter): boolean {
    const ledger = this.ledger;
    return ledger.isDone(held.position) &&
      (held.others === undefined || held.others.every((p) => ledger.isDone(p)));
  }

  async #writeLetters(
    ready: HeldLetter[],
    writer: SinkWriter<DeadLetter> | undefined,
  ): Promise<number> {
    if (ready.length === 0) return 0;
    ready.sort((a, b) => a.position - b.position);
    if (writer) {
      for (const { letter } of ready) {
        const pending = writer.write(letter);
        if (pending) await pending;
      }
    }
    return ready.length;
  }

  async #workflowFingerprint(): Promise<string> {
    const plan = this.#plan;
    const shape = JSON.stringify({
      name: plan.name,
      params: plan.params,
      source: [plan.source.kind, plan.source.location],
      stages: plan.stages.map((
        s,
      ) => [s.spec.kind, s.spec.name, s.spec.size ?? null]),
      code: this.#options.workflowFingerprint ?? null,
    });
    return await sha256Hex(shape, 12);
  }
}

/** Checks that a durable run's sinks can resume, naming the one that cannot. */
export function checkResumable(
  role: string,
  location: string | undefined,
  writer: SinkWriter<never> | undefined,
): void {
  if (writer && typeof writer.checkpoint !== "function") {
    throw new ResumeError(
      "resume_sink_not_durable",
      `The ${role} "${location}" cannot take part in a durable run: it keeps no checkpoints (toJsonl, toCsv and toJson do)`,
    );
  }
}
