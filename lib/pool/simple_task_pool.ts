/**
 * `SimpleTaskPool`: one function run by as many tasks as you start, in the
 * model of asyncio-taskpool's `SimpleTaskPool`.
 *
 * @module
 */

import { TaskError } from "../policy/errors.ts";
import { type Permit, Semaphore } from "../sync/semaphore.ts";
import { checkCount, describeValue } from "../units/check.ts";
import { KEPT_FAILURES, PoolRefusedError, summarize } from "./pool_errors.ts";
import type { Outcome, TaskContext } from "./types.ts";

/** A task of a {@linkcode SimpleTaskPool} that `stop()` cancelled. */
export interface StoppedTask {
  /** The task's id, as `start()` returned it. */
  readonly id: number;
  /**
   * Whether its function had been called; `false` if it never ran (it
   * waited for a slot, or was stopped in the same turn as `start()`), and
   * then `onEnd` is not called for it.
   */
  readonly wasRunning: boolean;
}

/** Options of a {@linkcode SimpleTaskPool}. */
export interface SimpleTaskPoolOptions<A extends readonly unknown[], O> {
  /** Arguments passed to every call, after the task context. */
  args?: A;
  /**
   * Tasks whose function runs at once; tasks started beyond it wait for a
   * slot. An integer `>= 0` or `Infinity` (the default).
   */
  limit?: number;
  /** A name for messages and `close()`'s error; defaults to `fn.name`. */
  name?: string;
  /**
   * Called once per task that ran, with its outcome (the input is the
   * task's id), as it ends, stopped tasks included. Passing it marks
   * failures as seen: `close()` does not report them again.
   */
  onEnd?: (outcome: Outcome<number, O>) => void;
  /** Called once per task that `stop()` or `stopAll()` cancels, at once. */
  onCancel?: (task: StoppedTask) => void;
}

/**
 * A started task: waiting for a slot, holding one with its call due on a
 * microtask, then running its function.
 */
type TaskState =
  | { readonly state: "waiting" }
  | { readonly state: "starting" }
  | { readonly state: "running" };

interface LiveTask {
  readonly id: number;
  readonly controller: AbortController;
  phase: TaskState;
  stopped: boolean;
}

/**
 * Runs one function as many times at once as you start it: `start(n)` adds
 * `n` tasks, `stop(k)` cancels the `k` started last, `stopAll()` cancels
 * every one, and `running` follows as tasks start, stop or end on their own.
 * Every call gets a task context whose `signal` aborts when it is stopped;
 * a task ends when its function settles.
 *
 * A failure that no `onEnd` saw makes `close()` reject with a
 * {@linkcode TaskPoolError}, as in `TaskPool`. Stopped tasks are not
 * failures. For retries, timeouts and inputs, use `TaskPool`.
 *
 * @typeParam A The types of the arguments after the context.
 * @typeParam O The type the function returns.
 *
 * @example Scale a set of workers up and down
 * ```ts
 * import { SimpleTaskPool } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * let calls = 0;
 * const pool = new SimpleTaskPool(async ({ signal }, queue: string) => {
 *   calls++;
 *   while (!signal.aborted) await new Promise((r) => setTimeout(r, 5));
 *   return `${queue} worker done`;
 * }, { args: ["jobs"] });
 * assertEquals(pool.start(3), [0, 1, 2]);
 * assertEquals(pool.running, 3);
 * await new Promise((r) => setTimeout(r, 1));
 * assertEquals(calls, 3);
 * assertEquals(pool.stop(2).map((t) => t.id), [2, 1]);
 * assertEquals(pool.running, 1);
 * pool.stopAll();
 * await pool.close();
 * assertEquals([pool.running, pool.ended], [0, 3]);
 * ```
 */
export class SimpleTaskPool<A extends readonly unknown[] = [], O = unknown> {
  /** The name used in messages. */
  readonly name: string;
  readonly #call: (ctx: TaskContext, ...args: readonly unknown[]) => unknown;
  readonly #args: readonly unknown[];
  readonly #slots: Semaphore;
  readonly #onEnd: ((outcome: Outcome<number, O>) => void) | undefined;
  readonly #onCancel: ((task: StoppedTask) => void) | undefined;
  // In start order, which is the order `stop()` walks backwards.
  readonly #live = new Map<number, LiveTask>();
  readonly #settled = new Set<Promise<void>>();
  #nextId = 0;
  #ended = 0;
  #failed = 0;
  #closed = false;
  #locked = false;
  readonly #unreported: TaskError<number>[] = [];
  #unreportedCount = 0;
  readonly #callbackErrors: unknown[] = [];

  /**
   * Creates the pool; no task runs until `start()`.
   *
   * @param fn The function each task runs: the context, then `args`.
   * @param options Arguments, limit, name and callbacks.
   * @throws {RangeError} If `limit` is not an integer `>= 0` or `Infinity`.
   * @throws {TypeError} If `fn` is not a function or `args` not an array.
   */
  constructor(
    fn: (ctx: TaskContext, ...args: A) => O | PromiseLike<O>,
    options: SimpleTaskPoolOptions<A, O> = {},
  ) {
    if (typeof fn !== "function") {
      throw new TypeError(
        `Invalid SimpleTaskPool function: expected a function, got ${
          describeValue(fn)
        }`,
      );
    }
    const args: readonly unknown[] = options.args ?? [];
    if (!Array.isArray(args)) {
      throw new TypeError(
        `Invalid SimpleTaskPool args: expected an array, got ${
          describeValue(options.args)
        }`,
      );
    }
    // TypeScript cannot spread a generic tuple into a generic rest parameter.
    this.#call = fn as (ctx: TaskContext, ...args: readonly unknown[]) => O;
    this.#args = args;
    this.#slots = new Semaphore(
      checkCount(options.limit ?? Infinity, "SimpleTaskPool limit", {
        min: 0,
        allowInfinity: true,
      }),
    );
    this.name = options.name ?? (fn.name || "anonymous");
    this.#onEnd = options.onEnd;
    this.#onCancel = options.onCancel;
  }

  /**
   * Tasks holding a slot and not stopped: their function is running (or
   * about to be called, right after `start()`). A stopped task leaves this
   * count at once, even while its function winds down.
   */
  get running(): number {
    let running = 0;
    for (const task of this.#live.values()) {
      if (task.phase.state !== "waiting" && !task.stopped) running++;
    }
    return running;
  }

  /** Tasks started and waiting for a slot (when over `limit`). */
  get waiting(): number {
    let waiting = 0;
    for (const task of this.#live.values()) {
      if (task.phase.state === "waiting" && !task.stopped) waiting++;
    }
    return waiting;
  }

  /** The ids of the tasks started and not stopped or ended, oldest first. */
  get ids(): number[] {
    return [...this.#live.values()].filter((t) => !t.stopped).map((t) => t.id);
  }

  /** Tasks started since the pool was made. */
  get started(): number {
    return this.#nextId;
  }

  /** Tasks whose function has settled (succeeded, failed or stopped). */
  get ended(): number {
    return this.#ended;
  }

  /** Tasks whose function threw or rejected without being stopped. */
  get failed(): number {
    return this.#failed;
  }

  /** Tasks whose function runs at once. */
  get limit(): number {
    return this.#slots.limit;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether `lock()` has been called (and `unlock()` not since). */
  get locked(): boolean {
    return this.#locked;
  }

  /**
   * Starts `n` tasks, each calling the function once.
   *
   * @param n How many; defaults to 1.
   * @returns The new tasks' ids, in start order.
   * @throws {PoolRefusedError} If the pool is closed or locked.
   * @throws {RangeError} If `n` is not an integer `>= 0`.
   */
  start(n = 1): number[] {
    const count = checkCount(n, "SimpleTaskPool start count", { min: 0 });
    if (this.#closed) throw new PoolRefusedError("pool_closed", "a task");
    if (this.#locked) throw new PoolRefusedError("pool_locked", "a task");
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(this.#launch());
    return ids;
  }

  /**
   * Stops the `k` tasks started last (last in, first out, as
   * asyncio-taskpool): their signals abort and `onCancel` is called for
   * each. A stopped task that waited for a slot never runs.
   *
   * @param k How many; defaults to 1.
   * @param reason Why; defaults to a `DOMException` named `AbortError`.
   * @returns The stopped tasks, the newest first.
   * @throws {RangeError} If `k` is more than the tasks not yet stopped.
   * @throws {AggregateError} With what `onCancel` threw, after every task
   * was stopped.
   */
  stop(k = 1, reason?: unknown): StoppedTask[] {
    const count = checkCount(k, "SimpleTaskPool stop count", { min: 0 });
    const live = [...this.#live.values()].filter((t) => !t.stopped);
    if (count > live.length) {
      throw new RangeError(
        `Cannot stop ${count} tasks of "${this.name}": only ${live.length} ${
          live.length === 1 ? "is" : "are"
        } running or waiting`,
      );
    }
    return this.#stop(live.slice(live.length - count).reverse(), reason);
  }

  /**
   * Stops every task started and not yet ended.
   *
   * @param reason Why; defaults to a `DOMException` named `AbortError`.
   * @returns The stopped tasks, the newest first.
   * @throws {AggregateError} With what `onCancel` threw.
   */
  stopAll(reason?: unknown): StoppedTask[] {
    const live = [...this.#live.values()].filter((t) => !t.stopped);
    return this.#stop(live.reverse(), reason);
  }

  /**
   * Changes how many tasks run at once. Growing lets waiting tasks run at
   * once; shrinking lets running tasks go on and starts none until under it.
   *
   * @param limit An integer `>= 0` or `Infinity`.
   * @throws {RangeError} If `limit` is negative or fractional.
   */
  resize(limit: number): void {
    this.#slots.resize(limit);
  }

  /** Refuses `start()` (code `"pool_locked"`) until `unlock()`. */
  lock(): void {
    this.#locked = true;
  }

  /** Allows `start()` again after `lock()`. */
  unlock(): void {
    this.#locked = false;
  }

  /**
   * Refuses new tasks and awaits every task started, the
   * `gather_and_close` of asyncio-taskpool. It does not stop them: call
   * `stopAll()` first for that.
   *
   * @throws {TaskPoolError} With the failures no `onEnd` saw and what the
   * callbacks threw, once every task has ended.
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#settled.size > 0) await Promise.all(this.#settled);
    const error = summarize([{
      id: this.name,
      label: `SimpleTaskPool "${this.name}"`,
      errors: this.#callbackErrors,
      unreported: this.#unreported,
      unreportedCount: this.#unreportedCount,
    }]);
    this.#callbackErrors.length = 0;
    this.#unreported.length = 0;
    this.#unreportedCount = 0;
    if (error) throw error;
  }

  /** Stops every task and closes the pool, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.stopAll();
    } finally {
      await this.close();
    }
  }

  #launch(): number {
    const id = this.#nextId++;
    // A free slot is taken now, so `running` counts the task at once; the
    // function itself is called on a microtask, after `start()` returned.
    const permit = this.#slots.tryAcquire();
    const task: LiveTask = {
      id,
      controller: new AbortController(),
      phase: permit ? { state: "starting" } : { state: "waiting" },
      stopped: false,
    };
    this.#live.set(id, task);
    const settled = this.#run(task, permit).finally(() => {
      this.#live.delete(id);
      this.#settled.delete(settled);
    });
    this.#settled.add(settled);
    return id;
  }

  async #run(task: LiveTask, held: Permit | undefined): Promise<void> {
    const { signal } = task.controller;
    let permit: Permit;
    if (held) {
      permit = held;
      await Promise.resolve();
      if (signal.aborted) {
        // Stopped before its call was due: it never ran, so it never ends.
        permit.release();
        return;
      }
    } else {
      try {
        permit = await this.#slots.acquire(signal);
      } catch {
        // Stopped while waiting for a slot: the same.
        return;
      }
    }
    task.phase = { state: "running" };
    let outcome: Outcome<number, O>;
    try {
      const value = await this.#call(
        { signal, index: task.id, attempt: 1 },
        ...this.#args,
      ) as O;
      outcome = {
        ok: true,
        index: task.id,
        input: task.id,
        value,
        attempts: 1,
      };
    } catch (cause) {
      const error = new TaskError(task.id, task.id, 1, cause);
      outcome = {
        ok: false,
        index: task.id,
        input: task.id,
        error,
        attempts: 1,
      };
    } finally {
      permit.release();
    }
    this.#ended++;
    if (!outcome.ok && !task.stopped) {
      this.#failed++;
      if (this.#onEnd === undefined) this.#keepUnseen(outcome.error);
    }
    try {
      this.#onEnd?.(outcome);
    } catch (error) {
      this.#callbackErrors.push(error);
    }
  }

  #keepUnseen(error: TaskError<number>): void {
    this.#unreportedCount++;
    if (this.#unreported.length < KEPT_FAILURES) this.#unreported.push(error);
  }

  #stop(tasks: readonly LiveTask[], reason: unknown): StoppedTask[] {
    const why = reason ??
      new DOMException(`Task of "${this.name}" was stopped`, "AbortError");
    const stopped: StoppedTask[] = [];
    for (const task of tasks) {
      task.stopped = true;
      stopped.push({
        id: task.id,
        wasRunning: task.phase.state === "running",
      });
      task.controller.abort(why);
    }
    const errors: unknown[] = [];
    for (const task of stopped) {
      try {
        this.#onCancel?.(task);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} onCancel callback(s) of "${this.name}" threw`,
      );
    }
    return stopped;
  }
}
