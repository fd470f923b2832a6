/**
 * A pool of module workers that run exported functions of modules by name,
 * for CPU-bound work that would block the main thread.
 *
 * @module
 */

import { checkCount } from "../units/check.ts";
import { type Duration, parseDuration } from "../units/duration.ts";
import { RingQueue } from "../sync/ring_queue.ts";
import { WorkerCrashError, WorkerPoolClosedError } from "./errors.ts";
import {
  checkExportName,
  checkWorkersAvailable,
  resolveModule,
} from "./module_ref.ts";
import { workerOptions } from "./permissions.ts";
import { type PoolTask, PoolWorker } from "./pool_worker.ts";
import { MAX_IN_FLIGHT, OK, type ResultsMessage, SKIPPED } from "./protocol.ts";
import { deserializeThrown, type SerializedThrown } from "./serialize_error.ts";
import type {
  WorkerExportName,
  WorkerFunction,
  WorkerInput,
  WorkerModule,
  WorkerOutput,
} from "./types.ts";

const BOOTSTRAP = new URL("./worker_main.ts", import.meta.url);
/** Work queued ahead on each worker, in ms, once task times are known. */
const AHEAD_MS = 4;

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker threads, an integer `>= 1`. Defaults to `navigator.hardwareConcurrency`. */
  size?: number;
  /**
   * How long a worker may run on after its task was aborted before it is
   * terminated and replaced. Defaults to `"1s"`.
   */
  abortGrace?: Duration;
  /**
   * What workers may do, as Deno's `Deno.PermissionOptions` (such as
   * `"none"` or `{ read: [dir] }`). A worker needs read access to the
   * modules it imports (and `net` for remote ones) besides what its
   * functions do. Needs `--unstable-worker-options`; defaults to
   * inheriting the parent's permissions, which needs no flag.
   */
  permissions?: Deno.PermissionOptions;
  /** A name for the threads, shown in their errors. Defaults to `"poolflow"`. */
  name?: string;
}

/** Options of one {@linkcode WorkerPool.run} call. */
export interface WorkerRunOptions {
  /**
   * Aborts the task: queued, it leaves the queue and rejects with the
   * reason; sent to a worker, the worker is told, and the task settles as
   * the worker answers (a result it finished anyway still resolves), or
   * rejects with the reason once `abortGrace` has passed without answer.
   */
  signal?: AbortSignal;
  /** Objects inside the input to move to the worker instead of copying. */
  transfer?: readonly Transferable[];
}

/**
 * A pool of module Web Workers that run exported functions of modules by
 * name: `run(moduleUrl, exportName, input)` resolves with what
 * `exportName(input, ctx)` returns in a worker. Inputs and outputs cross
 * by structured clone, or by transfer where listed. Tasks queue FIFO while
 * every worker is busy; workers start on demand up to `size`.
 *
 * A task's abort reaches its function as `ctx.signal`, and the task
 * settles with what the function does about it: work it finishes anyway is
 * not lost, whenever its answer arrives. A worker still running
 * `abortGrace` after the abort is terminated and replaced, and its task
 * rejects with the abort's reason. A task
 * that throws rejects with its error (name, message, stack, cause kept); a
 * worker that crashes fails its running task with the worker's error and
 * is replaced, so the pool keeps its size. Close it (`await using`, or
 * `close()`) so its threads end.
 *
 * @example Hash on two worker threads
 * ```ts
 * import { WorkerPool } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const module = "data:text/javascript,export const square = (n) => n * n";
 * await using pool = new WorkerPool({ size: 2 });
 * const squares = await Promise.all([1, 2, 3].map((n) => pool.run(module, "square", n)));
 * assertEquals(squares, [1, 4, 9]);
 * ```
 */
export class WorkerPool implements AsyncDisposable {
  /** The number of worker threads it runs at most. */
  readonly size: number;
  readonly #graceMs: number;
  readonly #options: WorkerOptions;
  readonly #workers: PoolWorker[] = [];
  readonly #queue = new RingQueue<PoolTask>();
  readonly #functionIds = new Map<string, number>();
  #queued = 0;
  #spawned = 0;
  #replaced = 0;
  #avgTaskMs: number | undefined;
  #drainScheduled = false;
  #closing: Promise<void> | undefined;
  #closed: (() => void) | undefined;

  /**
   * Makes a pool; no thread starts until a task needs one.
   *
   * @param options Size, abort grace, permissions, name.
   * @throws {RangeError} If `size` or `abortGrace` is out of range.
   * @throws {TypeError} If `permissions` is given without
   * `--unstable-worker-options`.
   * @throws {DOMException} A `NotSupportedError` where there is no `Worker`.
   */
  constructor(options: WorkerPoolOptions = {}) {
    checkWorkersAvailable("WorkerPool");
    this.size = checkCount(
      options.size ?? navigator.hardwareConcurrency ?? 1,
      "size",
    );
    this.#graceMs = parseDuration(options.abortGrace ?? "1s", "abortGrace");
    this.#options = workerOptions(
      options.name ?? "poolflow",
      options.permissions,
    );
  }

  /** Workers running a task (or holding tasks sent ahead). */
  get busy(): number {
    let busy = 0;
    for (const worker of this.#workers) if (worker.inFlight.size > 0) busy++;
    return busy;
  }

  /** Workers free for a task, started or not: `size - busy`. */
  get idle(): number {
    return this.size - this.busy;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queued;
  }

  /** Worker threads alive now; never more than `size`. */
  get threads(): number {
    return this.#workers.length;
  }

  /** Workers replaced so far, after a crash or an abort they ignored. */
  get replaced(): number {
    return this.#replaced;
  }

  /**
   * Runs `module`'s export `exportName` on `input` in a worker. With the
   * module's type as type arguments, the input and output are typed:
   * `pool.run<typeof import("./hash.ts"), "hash">(url, "hash", text)`.
   *
   * @typeParam M The module's type, `typeof import("./module.ts")`.
   * @typeParam K The export's name.
   * @param module The module: `new URL("./hash.ts", import.meta.url)`, an
   * absolute URL string or a specifier the import map resolves; never a
   * function.
   * @param exportName The exported function's name (`"default"` for the
   * default export).
   * @param input Its input; structured-clonable.
   * @param options A signal to abort it, objects to transfer.
   * @returns What the function returned (unwrapped from `transferable`).
   * @throws {TypeError} (rejects) If `module` is a function or not a
   * module reference, or `exportName` not a name.
   * @throws {WorkerPoolClosedError} (rejects) If the pool is closing.
   */
  run<
    M extends object = Record<string, WorkerFunction<unknown>>,
    K extends WorkerExportName<M> = WorkerExportName<M>,
  >(
    module: WorkerModule,
    exportName: K,
    input: WorkerInput<M[K]>,
    options: WorkerRunOptions = {},
  ): Promise<WorkerOutput<M[K]>> {
    let url: string;
    let name: string;
    try {
      url = resolveModule(module, "WorkerPool.run()");
      name = checkExportName(exportName, "WorkerPool.run()");
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closing) return Promise.reject(new WorkerPoolClosedError());
    const { signal, transfer } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const task: PoolTask = {
        fnId: this.#functionId(url, name),
        module: url,
        exportName: name,
        input,
        transfer: transfer?.length ? transfer : undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        onAbort: undefined,
        state: "queued",
        aborted: false,
        seq: -1,
        worker: undefined,
      };
      if (signal) {
        task.onAbort = () => this.#abort(task);
        signal.addEventListener("abort", task.onAbort, { once: true });
      }
      this.#queue.push(task);
      this.#queued++;
      if (!this.#drainScheduled) {
        this.#drainScheduled = true;
        queueMicrotask(this.#drain);
      }
    });
  }

  /**
   * Stops taking tasks, lets queued and running ones finish, then ends the
   * threads. Later `run()` calls reject with `WorkerPoolClosedError`.
   *
   * @returns Resolves when every thread has ended.
   */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = new Promise((resolve) => this.#closed = resolve);
      this.#finishClose();
    }
    return this.#closing;
  }

  /**
   * Ends every thread now: queued and running tasks reject with `reason`.
   *
   * @param reason Why; defaults to a `WorkerPoolClosedError`.
   */
  terminate(reason?: unknown): void {
    void this.close();
    const error = reason ??
      new WorkerPoolClosedError("The worker pool was terminated");
    for (const task of this.#queue.takeAll()) this.#settle(task, false, error);
    this.#queued = 0;
    for (const worker of this.#workers) {
      worker.terminate();
      for (const task of worker.inFlight.takeAll()) {
        this.#settle(task, false, error);
      }
    }
    this.#finishClose();
  }

  /** Closes the pool as `close()` does, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #functionId(url: string, name: string): number {
    const key = `${name}\0${url}`;
    let id = this.#functionIds.get(key);
    if (id === undefined) {
      id = this.#functionIds.size;
      this.#functionIds.set(key, id);
    }
    return id;
  }

  /** Sends queued tasks to the least loaded workers, one message each. */
  #drain = (): void => {
    this.#drainScheduled = false;
    let unsendable = 0;
    do {
      if (this.#queued === 0) break;
      this.#spawnFor(this.#queued);
      this.#dispatch();
      unsendable = this.#send();
    } while (unsendable > 0);
    this.#finishClose();
  };

  /** Starts workers while queued tasks outnumber idle ones, up to `size`. */
  #spawnFor(queued: number): void {
    let idle = 0;
    for (const worker of this.#workers) if (worker.inFlight.size === 0) idle++;
    while (this.#workers.length < this.size && queued > idle) {
      this.#spawn();
      idle++;
    }
  }

  #dispatch(): void {
    const ahead = this.#ahead();
    while (this.#queued > 0) {
      let best: PoolWorker | undefined;
      for (const worker of this.#workers) {
        const load = worker.inFlight.size;
        if (load < ahead && (!best || load < best.inFlight.size)) best = worker;
      }
      if (!best) break;
      best.assign(this.#nextQueued()!);
    }
  }

  /** Posts every worker's batch; returns how many tasks could not be sent. */
  #send(): number {
    let unsendable = 0;
    for (const worker of this.#workers) {
      for (const task of worker.send()) {
        unsendable++;
        this.#settle(
          task,
          false,
          new TypeError(
            `The input of "${task.exportName}" cannot be copied to a worker: pass structured-clonable data, and list in \`transfer\` only transferable objects inside the input`,
          ),
        );
      }
    }
    return unsendable;
  }

  /** Tasks each worker may hold: 1 until task times are known, then ~2 ms worth. */
  #ahead(): number {
    const avg = this.#avgTaskMs;
    if (avg === undefined) return 1;
    return Math.min(
      MAX_IN_FLIGHT,
      Math.max(1, Math.ceil(AHEAD_MS / Math.max(avg, 1e-3))),
    );
  }

  #nextQueued(): PoolTask | undefined {
    for (let task = this.#queue.shift(); task; task = this.#queue.shift()) {
      if (task.state !== "queued") continue;
      this.#queued--;
      return task;
    }
    return undefined;
  }

  #spawn(): void {
    this.#spawned++;
    const name = `${this.#options.name}-${this.#spawned}`;
    const worker = new PoolWorker(BOOTSTRAP, { ...this.#options, name }, {
      results: (from, message) => this.#results(from, message),
      crash: (from, seq, error) => this.#replace(from, seq, error),
    });
    this.#workers.push(worker);
  }

  #results(worker: PoolWorker, message: ResultsMessage): void {
    const { results } = message;
    const count = results.length / 3;
    const per = message.busyMs / count;
    this.#avgTaskMs = this.#avgTaskMs === undefined
      ? per
      : this.#avgTaskMs * 0.7 + per * 0.3;
    for (let i = 0; i < results.length; i += 3) {
      const task = worker.inFlight.shift();
      if (task === undefined || task.seq !== results[i]) {
        this.#replace(
          worker,
          -1,
          new WorkerCrashError("The worker answered out of order"),
        );
        return;
      }
      const status = results[i + 1];
      const payload = results[i + 2];
      if (status === OK) this.#settle(task, true, payload);
      else if (status === SKIPPED) {
        this.#settle(task, false, task.signal?.reason);
      } else {
        this.#settle(
          task,
          false,
          deserializeThrown(payload as SerializedThrown),
        );
      }
    }
    this.#watchGrace(worker);
    this.#drain();
  }

  #settle(task: PoolTask, ok: boolean, value: unknown): void {
    if (task.state === "done") return;
    task.state = "done";
    if (task.onAbort) task.signal!.removeEventListener("abort", task.onAbort);
    if (ok) task.resolve(value);
    else task.reject(value);
  }

  /**
   * A task's signal aborted: out of the queue, or the worker is told and
   * its answer awaited, so that a result already on its way is kept.
   */
  #abort(task: PoolTask): void {
    const reason = task.signal!.reason;
    if (task.state === "queued") {
      this.#queued--;
      this.#settle(task, false, reason);
      this.#finishClose();
    } else if (task.state === "sent" && !task.aborted) {
      task.aborted = true;
      const worker = task.worker!;
      worker.abort(task, reason);
      this.#watchGrace(worker);
    }
  }

  /** Starts the grace period when the running task is an aborted one. */
  #watchGrace(worker: PoolWorker): void {
    const head = worker.inFlight.peek();
    if (worker.grace && worker.grace.task !== head) {
      clearTimeout(worker.grace.timer);
      worker.grace = undefined;
    }
    if (head?.aborted && !worker.grace) {
      const timer = setTimeout(() => {
        worker.grace = undefined;
        if (worker.inFlight.peek() === head) this.#replace(worker, -1, null);
      }, this.#graceMs);
      worker.grace = { task: head, timer };
    }
  }

  /**
   * Ends `worker` and starts another. Its running task (`seq`, or the
   * head when `undefined`) rejects with `error`; the tasks sent after it go
   * back to the front of the queue, in order.
   */
  #replace(worker: PoolWorker, seq: number | undefined, error: unknown): void {
    if (!worker.alive) return;
    worker.terminate();
    this.#workers.splice(this.#workers.indexOf(worker), 1);
    this.#replaced++;
    const tasks = worker.inFlight.takeAll();
    const culprit = seq === undefined
      ? tasks[0]
      : tasks.find((task) => task.seq === seq);
    const again: PoolTask[] = [];
    for (const task of tasks) {
      if (task === culprit) this.#settle(task, false, error);
      // An aborted task that got no answer in time ends with its reason.
      else if (task.aborted) this.#settle(task, false, task.signal!.reason);
      else if (task.transfer) {
        // Its transferred input went with the thread: it cannot be re-sent.
        this.#settle(
          task,
          false,
          new WorkerCrashError(
            "The worker holding this task crashed, and its transferred input went with it",
            { cause: error },
          ),
        );
      } else again.push(task);
    }
    for (let i = again.length - 1; i >= 0; i--) {
      const task = again[i]!;
      task.state = "queued";
      task.worker = undefined;
      this.#queue.unshift(task);
      this.#queued++;
    }
    // The pool keeps its size: a replacement starts now unless closing.
    if (!this.#closing || this.#queued > 0) this.#spawn();
    this.#drain();
    this.#finishClose();
  }

  /** Once closing and nothing is left, ends every thread. */
  #finishClose(): void {
    if (!this.#closing || this.#queued > 0) return;
    for (const worker of this.#workers) if (worker.inFlight.size > 0) return;
    for (const worker of this.#workers.splice(0)) worker.terminate();
    this.#closed?.();
    this.#closed = undefined;
  }
}
