/**
 * One worker thread as the pool sees it: the tasks sent to it, in order,
 * batched sends, abort flags, and its messages turned into calls on the
 * pool. Internal to `WorkerPool`.
 *
 * @module
 */

import { RingQueue } from "../sync/ring_queue.ts";
import { WorkerCrashError } from "./errors.ts";
import {
  ABORT_SLOTS,
  type FromWorker,
  type FunctionDefinition,
  type ResultsMessage,
  SEQ_WRAP,
  type ToWorker,
} from "./protocol.ts";
import { deserializeThrown, serializeThrown } from "./serialize_error.ts";

/** A task from `run()` to its settlement. */
export interface PoolTask {
  /** The pool's number for its (module, export) pair. */
  readonly fnId: number;
  /** The module the worker imports. */
  readonly module: string;
  /** The export it calls. */
  readonly exportName: string;
  /** The input, kept until the task settles so a crash can re-send it. */
  readonly input: unknown;
  /** Objects inside the input to transfer. */
  readonly transfer: readonly Transferable[] | undefined;
  /** Resolves the caller's promise. */
  readonly resolve: (value: unknown) => void;
  /** Rejects the caller's promise. */
  readonly reject: (reason: unknown) => void;
  /** The caller's signal. */
  readonly signal: AbortSignal | undefined;
  /** Its abort listener, removed when the task settles. */
  onAbort: (() => void) | undefined;
  /** Waiting in the pool's queue, sent to a worker, or settled. */
  state: "queued" | "sent" | "done";
  /**
   * Aborted while on a worker: the worker was told, and its answer still
   * settles the task, unless the grace period ends first.
   */
  aborted: boolean;
  /** Its number on its worker, while sent. */
  seq: number;
  /** The worker it was sent to. */
  worker: PoolWorker | undefined;
}

/** What a worker reports to its pool. */
export interface PoolWorkerEvents {
  /** Results arrived, in the order the tasks were sent. */
  results(worker: PoolWorker, message: ResultsMessage): void;
  /**
   * The worker is unusable. `seq` is the task running then: a number, `-1`
   * for none, or `undefined` when not known (the head task is presumed).
   */
  crash(worker: PoolWorker, seq: number | undefined, error: unknown): void;
}

/** A worker thread and the tasks it holds. */
export class PoolWorker {
  /** Tasks sent and not yet answered, in the order sent. */
  readonly inFlight: RingQueue<PoolTask> = new RingQueue();
  /** Whether it can still take tasks. */
  alive = true;
  /** The aborted task whose grace period runs, with its timer. */
  grace: { task: PoolTask; timer: ReturnType<typeof setTimeout> } | undefined;

  readonly #worker: Worker;
  readonly #flags: Int32Array | undefined;
  readonly #known = new Set<number>();
  #nextSeq = 0;
  #define: FunctionDefinition[] = [];
  #tasks: unknown[] = [];
  #transfer: Transferable[] = [];
  #batch: PoolTask[] = [];

  /**
   * Starts the thread.
   *
   * @param url The bootstrap module.
   * @param options Options of `new Worker`.
   * @param events Where its messages go.
   */
  constructor(url: URL, options: WorkerOptions, events: PoolWorkerEvents) {
    this.#worker = new Worker(url, options);
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (!this.alive) return;
      if (message.type === "results") events.results(this, message);
      else if (message.type === "crash") {
        const error = message.error === null
          ? new WorkerCrashError(message.exited ?? "The worker exited")
          : deserializeThrown(message.error);
        events.crash(this, message.seq, error);
      }
    };
    // Only what the bootstrap cannot catch itself arrives here.
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (!this.alive) return;
      events.crash(
        this,
        undefined,
        event.error ??
          new WorkerCrashError(`The worker failed: ${event.message}`),
      );
    };
    this.#worker.onmessageerror = () => {
      if (!this.alive) return;
      events.crash(
        this,
        undefined,
        new WorkerCrashError("A message from the worker could not be read"),
      );
    };
    if (typeof SharedArrayBuffer === "function") {
      this.#flags = new Int32Array(
        new SharedArrayBuffer(ABORT_SLOTS * Int32Array.BYTES_PER_ELEMENT),
      );
      this.#post({ type: "init", flags: this.#flags });
    }
  }

  /** Adds `task` to the next batch; `send()` posts it. */
  assign(task: PoolTask): void {
    const seq = this.#nextSeq;
    this.#nextSeq = (seq + 1) % SEQ_WRAP;
    task.seq = seq;
    task.worker = this;
    task.state = "sent";
    this.inFlight.push(task);
    if (!this.#known.has(task.fnId)) {
      this.#known.add(task.fnId);
      this.#define.push([task.fnId, task.module, task.exportName]);
    }
    this.#tasks.push(seq, task.fnId, task.input);
    if (task.transfer) this.#transfer.push(...task.transfer);
    this.#batch.push(task);
  }

  /**
   * Posts the batch. Tasks whose input cannot be cloned (or transferred)
   * are returned, already taken back; the rest are sent.
   */
  send(): PoolTask[] {
    if (this.#batch.length === 0) return [];
    const batch = this.#batch;
    const define = this.#define;
    const message: ToWorker = {
      type: "run",
      define: define.length ? define : undefined,
      tasks: this.#tasks,
    };
    const transfer = this.#transfer;
    this.#batch = [];
    this.#define = [];
    this.#tasks = [];
    this.#transfer = [];
    try {
      this.#post(message, transfer);
      return [];
    } catch {
      return this.#sendOneByOne(batch, define);
    }
  }

  /** After a failed batch: take it back, then send its tasks one at a time. */
  #sendOneByOne(batch: PoolTask[], define: FunctionDefinition[]): PoolTask[] {
    for (let i = 0; i < batch.length; i++) this.inFlight.pop();
    for (const [id] of define) this.#known.delete(id);
    this.#nextSeq = batch[0]!.seq;
    const failed: PoolTask[] = [];
    for (const task of batch) {
      this.assign(task);
      const message: ToWorker = {
        type: "run",
        define: this.#define.length ? this.#define : undefined,
        tasks: this.#tasks,
      };
      try {
        this.#post(message, this.#transfer);
        this.#define = [];
      } catch {
        this.inFlight.pop();
        this.#nextSeq = task.seq;
        for (const [id] of this.#define) this.#known.delete(id);
        this.#define = [];
        task.state = "queued";
        task.worker = undefined;
        failed.push(task);
      }
      this.#tasks = [];
      this.#transfer = [];
    }
    this.#batch = [];
    return failed;
  }

  /** Tells the worker that `task` is aborted: a flag it can poll, and a message. */
  abort(task: PoolTask, reason: unknown): void {
    if (this.#flags) {
      Atomics.store(this.#flags, task.seq % ABORT_SLOTS, task.seq + 1);
    }
    this.#post({
      type: "abort",
      seq: task.seq,
      reason: serializeThrown(reason),
    });
  }

  /** Ends the thread at once; its tasks are the pool's to settle. */
  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.grace) clearTimeout(this.grace.timer);
    this.grace = undefined;
    this.#worker.terminate();
  }

  #post(message: ToWorker, transfer: Transferable[] = []): void {
    this.#worker.postMessage(message, transfer);
  }
}
