/**
 * `TaskPool`: named groups of tasks under one shared, resizable limit, in
 * the model of Python's asyncio-taskpool.
 *
 * @module
 */

import type { ErrorPolicy } from "../policy/policy.ts";
import type { RateLimiter } from "../sync/rate_limiter.ts";
import { Semaphore } from "../sync/semaphore.ts";
import { checkCount, describeValue } from "../units/check.ts";
import type { Rate } from "../units/rate.ts";
import { MapRun } from "./map_run.ts";
import { PoolRefusedError, summarize } from "./pool_errors.ts";
import { type GroupCallbacks, TaskGroup } from "./task_group.ts";
import type { Inputs, MapRunOptions, TaskContext, TaskFn } from "./types.ts";

/** Options of a {@linkcode TaskPool}. */
export interface TaskPoolOptions {
  /** Tasks running at once across all groups. Defaults to `Infinity`. */
  limit?: number;
}

/** Options shared by `TaskPool.map()` and `TaskPool.apply()`. */
export interface GroupOptions<I, O> extends ErrorPolicy, GroupCallbacks<I, O> {
  /** The group's id; defaults to a made-up one such as `"map-3"`. */
  group?: string;
  /** Keep outcomes for `group.results()`, pulling inputs only as they are read. */
  results?: boolean;
  /** Start attempts no faster than this. */
  rateLimit?: Rate | RateLimiter;
}

/** Options of `TaskPool.map()`. */
export interface PoolMapOptions<I, O> extends GroupOptions<I, O> {
  /** Tasks of this group running at once, within the pool's limit. Defaults to 8. */
  concurrency?: number;
}

/** Options of `TaskPool.apply()`. */
export interface ApplyOptions<A extends readonly unknown[], O>
  extends GroupOptions<number, O> {
  /** How many times to run the function, all at once. Defaults to 1. */
  num?: number;
  /** Arguments passed to every call, after the task context. */
  args?: A;
}

/** Options of `TaskPool.starmap()`. */
export type StarmapOptions<A extends readonly unknown[], O> = PoolMapOptions<
  A,
  O
>;

/** A group of this pool, or its id. */
export type GroupRef = string | { readonly id: string };

/**
 * Runs groups of tasks under one shared limit. `map()` and `apply()` start a
 * group and return it at once, without blocking; groups can be cancelled
 * one by one; `flush()` awaits and forgets the groups that have ended, and
 * `close()` refuses new work and awaits the rest. The limit can be resized
 * while tasks run, and the pool reports live counts.
 *
 * Unlike asyncio-taskpool, resizing never lets more tasks run than the new
 * limit: a shrink waits for running tasks to finish.
 *
 * Failures always reach the caller: a task failure that no `onEnd`
 * callback and no `results()` reader saw, and the error of a group that
 * stopped, make `close()` and `flush()` reject with a
 * {@linkcode TaskPoolError} once they have awaited everything (as
 * asyncio-taskpool's `gather_and_close()` raises). `lock()` refuses new
 * groups until `unlock()`; groups already running go on pulling inputs.
 *
 * @example Two groups sharing one limit
 * ```ts
 * import { TaskPool } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const seen: number[] = [];
 * const pool = new TaskPool({ limit: 3 });
 * pool.map(async (n: number) => n * 2, [1, 2, 3], {
 *   onEnd: (o) => { if (o.ok) seen.push(o.value); },
 * });
 * const pings = pool.apply(async (_ctx, host: string) => `pong from ${host}`, {
 *   num: 2,
 *   args: ["db"],
 *   results: true,
 * });
 * const pongs: string[] = [];
 * for await (const o of pings.results()) if (o.ok) pongs.push(o.value);
 * await pool.close();
 * assertEquals(seen.sort(), [2, 4, 6]);
 * assertEquals(pongs, ["pong from db", "pong from db"]);
 * assertEquals(pool.ended, 5);
 * ```
 */
export class TaskPool {
  readonly #limiter: Semaphore;
  readonly #groups = new Map<string, TaskGroup<unknown, unknown>>();
  #nextId = 1;
  #ended = 0;
  #closed = false;
  #locked = false;
  #countEnd = (): void => {
    this.#ended++;
  };

  /**
   * Creates a pool.
   *
   * @param options The pool-wide limit.
   * @throws {RangeError} If `limit` is not an integer `>= 0` or `Infinity`.
   */
  constructor(options: TaskPoolOptions = {}) {
    this.#limiter = new Semaphore(
      checkCount(options.limit ?? Infinity, "TaskPool limit", {
        min: 0,
        allowInfinity: true,
      }),
    );
  }

  /** Tasks running at once across all groups. */
  get limit(): number {
    return this.#limiter.limit;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#limiter.running;
  }

  /** Tasks started by their group and waiting for a slot of the pool. */
  get pending(): number {
    return this.#limiter.waiting;
  }

  /** Tasks that have ended (succeeded or failed) since the pool was made. */
  get ended(): number {
    return this.#ended;
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
   * Whether every slot of the pool is taken: a task started now would
   * wait for one.
   */
  get isFull(): boolean {
    return this.#limiter.running >= this.#limiter.limit;
  }

  /**
   * Refuses new groups (`map()`, `starmap()`, `apply()` throw a
   * {@linkcode PoolRefusedError} with code `"pool_locked"`) until
   * `unlock()`. Groups already running go on, pulling their inputs.
   *
   * @example Lock while draining
   * ```ts
   * import { TaskPool } from "@poolflow/poolflow";
   * import { assert, assertThrows } from "@std/assert";
   *
   * const pool = new TaskPool();
   * pool.lock();
   * assert(pool.locked);
   * assertThrows(() => pool.apply(() => 1), TypeError, "locked");
   * pool.unlock();
   * pool.apply(() => 1);
   * await pool.close();
   * ```
   */
  lock(): void {
    this.#locked = true;
  }

  /** Allows new groups again after `lock()`. */
  unlock(): void {
    this.#locked = false;
  }

  /** The groups not yet forgotten by `flush()` or `close()`. */
  get groups(): readonly TaskGroup<unknown, unknown>[] {
    return [...this.#groups.values()];
  }

  /**
   * Runs `fn` over every input, at most `concurrency` of this group at once
   * and within the pool's limit. Returns the group at once.
   *
   * @typeParam I The input type.
   * @typeParam O The type `fn` returns.
   * @param fn The task; it gets the input and `{ signal, index, attempt }`.
   * @param inputs Any iterable or async iterable, pulled lazily.
   * @param options Group id, concurrency, error policy, callbacks.
   * @returns The running group.
   * @throws {PoolRefusedError} If the pool is closed or locked.
   * @throws {TypeError} If the group id is taken.
   *
   * @example Cancel a group
   * ```ts
   * import { TaskPool } from "@poolflow/poolflow";
   * import { assertEquals } from "@std/assert";
   *
   * const pool = new TaskPool({ limit: 2 });
   * const sleepers = pool.map((ms: number, { signal }) =>
   *   new Promise((resolve, reject) => {
   *     const timer = setTimeout(resolve, ms);
   *     signal.addEventListener("abort", () => {
   *       clearTimeout(timer);
   *       reject(signal.reason);
   *     });
   *   }), [60_000, 60_000], { group: "sleepers" });
   * await new Promise((r) => setTimeout(r, 1));
   * pool.cancel("sleepers");
   * assertEquals((await sleepers.done).state, "cancelled");
   * await pool.close();
   * ```
   */
  map<I, O>(
    fn: TaskFn<I, O>,
    inputs: Inputs<I>,
    options: PoolMapOptions<I, O> = {},
  ): TaskGroup<I, O> {
    return this.#start("map", fn, inputs, options);
  }

  /**
   * Like `map()`, but each input is a tuple of arguments: `fn(ctx, ...args)`
   * is called with them, the context first as in `apply()`. Each outcome's
   * input is the tuple. An input that is not an array fails its task with a
   * `TypeError`.
   *
   * @typeParam A The argument types.
   * @typeParam O The type `fn` returns.
   * @param fn The task: the context, then one tuple's arguments.
   * @param argsList Tuples of arguments: any iterable or async iterable.
   * @param options Group id, concurrency, error policy, callbacks.
   * @returns The running group.
   * @throws {PoolRefusedError} If the pool is closed or locked.
   * @throws {TypeError} If the group id is taken.
   *
   * @example Arguments from tuples
   * ```ts
   * import { TaskPool } from "@poolflow/poolflow";
   * import { assertEquals } from "@std/assert";
   *
   * const pool = new TaskPool();
   * const sums = pool.starmap(
   *   (_ctx, a: number, b: number) => a + b,
   *   [[1, 2], [3, 4]] as [number, number][],
   *   { results: true },
   * );
   * const values: number[] = [];
   * for await (const o of sums.results()) if (o.ok) values.push(o.value);
   * assertEquals(values.sort(), [3, 7]);
   * await pool.close();
   * ```
   */
  starmap<const A extends readonly unknown[], O>(
    fn: (ctx: TaskContext, ...args: A) => O | PromiseLike<O>,
    argsList: Inputs<A>,
    options: StarmapOptions<A, O> = {},
  ): TaskGroup<A, O> {
    // TypeScript cannot spread a generic tuple into a generic rest parameter.
    const call = fn as (
      ctx: TaskContext,
      ...args: readonly unknown[]
    ) => O | PromiseLike<O>;
    return this.#start(
      "starmap",
      (args: A, ctx: TaskContext) => {
        if (!Array.isArray(args)) {
          throw new TypeError(
            `Invalid starmap arguments at index ${ctx.index}: expected an array, got ${
              describeValue(args)
            }`,
          );
        }
        return call(ctx, ...args);
      },
      argsList,
      options,
    );
  }

  /**
   * Runs `fn(ctx, ...args)` `num` times at once (within the pool's limit).
   * Returns the group at once; each outcome's input is the call's number.
   * The context comes first, as in Go, so the arguments' types are
   * inferred from `args`.
   *
   * @typeParam A The argument types.
   * @typeParam O The type `fn` returns.
   * @param fn The function: the task context, then `args`.
   * @param options How many calls, their arguments, group id, policy.
   * @returns The running group.
   * @throws {PoolRefusedError} If the pool is closed or locked.
   * @throws {TypeError} If the group id is taken.
   *
   * @example Start three identical workers
   * ```ts
   * import { TaskPool } from "@poolflow/poolflow";
   * import { assertEquals } from "@std/assert";
   *
   * const pool = new TaskPool();
   * const group = pool.apply((_ctx, a: number, b: number) => a + b, {
   *   num: 3,
   *   args: [2, 3],
   * });
   * assertEquals(await group.done, {
   *   id: group.id,
   *   state: "ended",
   *   succeeded: 3,
   *   failed: 0,
   *   cancelled: 0,
   * });
   * await pool.close();
   * ```
   */
  apply<const A extends readonly unknown[] = [], O = unknown>(
    fn: (ctx: TaskContext, ...args: A) => O | PromiseLike<O>,
    options: ApplyOptions<A, O> = {},
  ): TaskGroup<number, O> {
    this.#checkOpen();
    const { num = 1, args, ...rest } = options;
    const count = checkCount(num, "apply num");
    const callArgs: readonly unknown[] = args ?? [];
    if (!Array.isArray(callArgs)) {
      throw new TypeError(
        `Invalid apply args: expected an array, got ${describeValue(args)}`,
      );
    }
    // TypeScript cannot spread a generic tuple into a generic rest parameter.
    const call = fn as (
      ctx: TaskContext,
      ...args: readonly unknown[]
    ) => O | PromiseLike<O>;
    return this.#start(
      "apply",
      (_n: number, ctx: TaskContext) => call(ctx, ...callArgs),
      countUpTo(count),
      { ...rest, concurrency: count },
    );
  }

  /**
   * Changes the pool-wide limit now. Growing starts waiting tasks at once;
   * shrinking lets running tasks finish and starts none until under it.
   *
   * @param limit The new limit: an integer `>= 0` or `Infinity`.
   * @throws {RangeError} If `limit` is negative or fractional.
   */
  resize(limit: number): void {
    this.#limiter.resize(limit);
  }

  /**
   * Finds a group by id.
   *
   * @param id The group's id.
   * @returns The group, or `undefined` if unknown or forgotten.
   */
  group(id: string): TaskGroup<unknown, unknown> | undefined {
    return this.#groups.get(id);
  }

  /**
   * Cancels groups: their tasks' signals abort and nothing new starts.
   *
   * @param groups The groups or their ids.
   * @throws {RangeError} If an id names no group.
   */
  cancel(...groups: GroupRef[]): void {
    cancelEach(groups.map((ref) => this.#find(ref)));
  }

  /**
   * Cancels every group still running.
   *
   * @throws {AggregateError} With what `onCancel` callbacks threw, after
   * every group was cancelled.
   */
  cancelAll(): void {
    cancelEach([...this.#groups.values()]);
  }

  /**
   * Awaits the groups that have ended or been cancelled, and forgets them.
   *
   * @throws {TaskPoolError} With the errors of groups that failed and the
   * task failures nobody saw, once every group is forgotten.
   */
  async flush(): Promise<void> {
    const finished = [...this.#groups.values()].filter((g) =>
      g.state !== "running"
    );
    await this.#settle(finished);
  }

  /**
   * Refuses new groups, awaits every group, and forgets them all. The
   * `gather_and_close` of asyncio-taskpool. A `results: true` group ends
   * only once its results are read (or it is cancelled).
   *
   * @throws {TaskPoolError} With the errors of groups that failed and the
   * task failures nobody saw, once every group is forgotten.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#settle([...this.#groups.values()]);
  }

  /** Cancels every group and closes the pool, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.cancelAll();
    } finally {
      await this.close();
    }
  }

  async #settle(groups: TaskGroup<unknown, unknown>[]): Promise<void> {
    await Promise.allSettled(groups.map((g) => g.done));
    for (const group of groups) this.#groups.delete(group.id);
    const error = summarize(groups.map((g) => g.report()));
    if (error) throw error;
  }

  #checkOpen(): void {
    if (this.#closed) throw new PoolRefusedError("pool_closed", "a task group");
    if (this.#locked) throw new PoolRefusedError("pool_locked", "a task group");
  }

  #start<I, O>(
    kind: string,
    fn: TaskFn<I, O>,
    inputs: Inputs<I>,
    options: PoolMapOptions<I, O>,
  ): TaskGroup<I, O> {
    this.#checkOpen();
    const id = this.#claimId(options.group, kind);
    const {
      concurrency = 8,
      results = false,
      group: _group,
      onEnd,
      onCancel,
      ...policy
    } = options;
    const runOptions: MapRunOptions<I> = {
      ...policy,
      concurrency,
      limiter: this.#limiter,
    };
    const callbacks: GroupCallbacks<I, O> = {
      ...(onEnd ? { onEnd } : {}),
      ...(onCancel ? { onCancel } : {}),
    };
    // Made (and its options checked) before the group is registered, so a
    // bad option leaves no group behind.
    const group = new TaskGroup(
      id,
      fn,
      (task) => new MapRun(inputs, task, runOptions),
      results,
      callbacks,
      this.#countEnd,
    );
    this.#groups.set(id, group as unknown as TaskGroup<unknown, unknown>);
    return group;
  }

  #claimId(requested: string | undefined, kind: string): string {
    if (requested === undefined) {
      let id: string;
      do id = `${kind}-${this.#nextId++}`; while (this.#groups.has(id));
      return id;
    }
    if (typeof requested !== "string" || requested === "") {
      throw new TypeError(
        `Invalid group: expected a non-empty string, got ${
          describeValue(requested)
        }`,
      );
    }
    if (this.#groups.has(requested)) {
      throw new TypeError(
        `Cannot start task group "${requested}": the id is in use`,
      );
    }
    return requested;
  }

  #find(ref: GroupRef): TaskGroup<unknown, unknown> {
    const id = typeof ref === "string" ? ref : ref.id;
    const group = this.#groups.get(id);
    // Ids repeat across pools: a group object must be this pool's own.
    if (!group || (typeof ref !== "string" && ref !== group)) {
      throw new RangeError(
        `Unknown task group ${describeValue(id)} in this pool`,
      );
    }
    return group;
  }
}

/** Cancels every group even if an `onCancel` throws, then reports. */
function cancelEach(groups: readonly TaskGroup<unknown, unknown>[]): void {
  const errors: unknown[] = [];
  for (const group of groups) {
    try {
      group.cancel();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) {
    throw new AggregateError(
      errors,
      `${errors.length} onCancel callback(s) threw`,
    );
  }
}

function* countUpTo(count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield i;
}
