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
import { type GroupCallbacks, TaskGroup } from "./task_group.ts";
import type { Inputs, TaskContext, TaskFn } from "./types.ts";

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
   * @throws {TypeError} If the pool is closed or the group id is taken.
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
    const id = this.#claimId(options.group, "map");
    const {
      concurrency = 8,
      results = false,
      group: _group,
      onEnd: _onEnd,
      onCancel: _onCancel,
      ...policy
    } = options;
    const run = new MapRun(inputs, fn, {
      ...policy,
      concurrency,
      limiter: this.#limiter,
    });
    return this.#add(id, run, results, options);
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
   * @throws {TypeError} If the pool is closed or the group id is taken.
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
   * assertEquals(await group.done, { id: group.id, state: "ended", succeeded: 3, failed: 0 });
   * await pool.close();
   * ```
   */
  apply<const A extends readonly unknown[] = [], O = unknown>(
    fn: (ctx: TaskContext, ...args: A) => O | PromiseLike<O>,
    options: ApplyOptions<A, O> = {},
  ): TaskGroup<number, O> {
    const id = this.#claimId(options.group, "apply");
    const {
      num = 1,
      args,
      results = false,
      group: _group,
      onEnd: _onEnd,
      onCancel: _onCancel,
      ...policy
    } = options;
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
    const run = new MapRun(
      countUpTo(count),
      (_n: number, ctx: TaskContext) => call(ctx, ...callArgs),
      { ...policy, concurrency: count, limiter: this.#limiter },
    );
    return this.#add(id, run, results, options);
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
   * @throws {AggregateError} With the errors of groups that failed.
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
   * @throws {AggregateError} With the errors of groups that failed.
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
    const settled = await Promise.allSettled(groups.map((g) => g.done));
    for (const group of groups) this.#groups.delete(group.id);
    const errors = settled.flatMap((s) =>
      s.status === "rejected" ? [s.reason] : []
    );
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} task group${errors.length === 1 ? "" : "s"} failed`,
      );
    }
  }

  #claimId(requested: string | undefined, kind: string): string {
    if (this.#closed) {
      throw new TypeError("Cannot start a task group: the pool is closed");
    }
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

  #add<I, O>(
    id: string,
    run: MapRun<I, O>,
    results: boolean,
    callbacks: GroupCallbacks<I, O>,
  ): TaskGroup<I, O> {
    const group = new TaskGroup(id, run, results, callbacks, this.#countEnd);
    this.#groups.set(id, group as unknown as TaskGroup<unknown, unknown>);
    return group;
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
