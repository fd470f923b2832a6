/**
 * The typed stage builder of a workflow: `map`, `filter`, `flatMap`,
 * `batch` and `tap`, each returning a new pipeline whose item type is the
 * stage's output, so a stage that takes the wrong type does not compile.
 *
 * @module
 */

import type { Executor } from "../executors/types.ts";
import type { ErrorPolicy } from "../policy/policy.ts";
import type { TaskContext } from "../pool/types.ts";
import type { Rate } from "../units/rate.ts";

/** The kinds of stage. */
export type StageKind = "map" | "filter" | "flatMap" | "batch" | "tap";

/** A stage's function: an item and its task context in, a result out. */
export type StageFn<I, O> = (item: I, ctx: TaskContext) => O | PromiseLike<O>;

/** Per-stage settings; each overrides the workflow's default. */
export interface StageOptions {
  /** Items this stage works on at once. */
  concurrency?: number;
  /** Keep the stage's output in input order. */
  ordered?: boolean;
  /** Start attempts no faster than this, such as `"50/s"`. */
  rateLimit?: Rate;
  /** Error policy; its fields override the workflow's `errors` one by one. */
  errors?: ErrorPolicy;
  /**
   * Where the stage's tasks run, instead of the run's executor (or the
   * one its function names, such as an `inWorker` stage's). Defaults to
   * this process.
   */
  executor?: Executor;
}

/** Settings of a `batch` stage. */
export interface BatchOptions {
  /** The stage's name; defaults to `"batch-<position>"`. */
  name?: string;
}

/** One stage as data, as the interpreter and `--dry-run` see it. */
export interface StageSpec {
  /** What the stage does. */
  readonly kind: StageKind;
  /** Its name: the one given, or `"<kind>-<position>"` (from 1). */
  readonly name: string;
  /** Whether the name was given rather than made up. */
  readonly named: boolean;
  /** Its function; `undefined` for `batch`. */
  readonly fn: StageFn<never, unknown> | undefined;
  /** Its settings as given. */
  readonly options: StageOptions;
  /** Items per batch, for `batch`. */
  readonly size: number | undefined;
}

/**
 * A chain of stages from items of type `T`. Each method returns a new
 * pipeline; the workflow's `pipeline` function receives the source's
 * pipeline and returns the last one, whose type the sink must accept.
 *
 * @typeParam T The type of the items at this point of the chain.
 *
 * @example Types flow from stage to stage
 * ```ts
 * import { Pipeline } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const rows = new Pipeline<{ id: string }>();
 * const saved = rows
 *   .map("parse", (row) => Number(row.id))
 *   .filter("even", (n) => n % 2 === 0)
 *   .batch(10)
 *   .map("save", async (batch) => batch.length, { concurrency: 2 });
 * assertEquals(saved.stages.map((s) => s.name), ["parse", "even", "batch-3", "save"]);
 * ```
 */
export class Pipeline<T> {
  /** The stages so far, in order. */
  readonly stages: readonly StageSpec[];

  /**
   * Creates an empty pipeline (the run makes the first one).
   *
   * @param stages Stages already in the chain.
   */
  constructor(stages: readonly StageSpec[] = []) {
    this.stages = stages;
  }

  /**
   * Transforms each item.
   *
   * @typeParam U The output type.
   * @param nameOrFn The stage's name, or its function.
   * @param fnOrOptions Its function (after a name), or its options.
   * @param options Its options (after a name and function).
   * @returns The pipeline of the outputs.
   */
  map<U>(fn: StageFn<T, U>, options?: StageOptions): Pipeline<U>;
  /**
   * Transforms each item, in a stage with a name.
   *
   * @typeParam U The output type.
   * @param name The stage's name.
   * @param fn Its function.
   * @param options Its options.
   * @returns The pipeline of the outputs.
   */
  map<U>(name: string, fn: StageFn<T, U>, options?: StageOptions): Pipeline<U>;
  map<U>(
    nameOrFn: string | StageFn<T, U>,
    fnOrOptions?: StageFn<T, U> | StageOptions,
    options?: StageOptions,
  ): Pipeline<U> {
    return this.#add("map", nameOrFn, fnOrOptions, options);
  }

  /**
   * Keeps the items for which `fn` returns true. A type guard narrows the
   * item type.
   *
   * @param nameOrFn The stage's name, or its predicate.
   * @param fnOrOptions Its predicate (after a name), or its options.
   * @param options Its options (after a name and predicate).
   * @returns The pipeline of the kept items.
   */
  filter<S extends T>(
    fn: (item: T, ctx: TaskContext) => item is S,
    options?: StageOptions,
  ): Pipeline<S>;
  /**
   * Keeps the items a type guard accepts, in a named stage.
   *
   * @param name The stage's name.
   * @param fn The type guard.
   * @param options Its options.
   * @returns The pipeline of the kept, narrowed items.
   */
  filter<S extends T>(
    name: string,
    fn: (item: T, ctx: TaskContext) => item is S,
    options?: StageOptions,
  ): Pipeline<S>;
  /**
   * Keeps the items for which `fn` returns true.
   *
   * @param fn The predicate.
   * @param options Its options.
   * @returns The pipeline of the kept items.
   */
  filter(fn: StageFn<T, boolean>, options?: StageOptions): Pipeline<T>;
  /**
   * Keeps the items for which `fn` returns true, in a named stage.
   *
   * @param name The stage's name.
   * @param fn The predicate.
   * @param options Its options.
   * @returns The pipeline of the kept items.
   */
  filter(
    name: string,
    fn: StageFn<T, boolean>,
    options?: StageOptions,
  ): Pipeline<T>;
  filter(
    nameOrFn: string | StageFn<T, boolean>,
    fnOrOptions?: StageFn<T, boolean> | StageOptions,
    options?: StageOptions,
  ): Pipeline<T> {
    return this.#add("filter", nameOrFn, fnOrOptions, options);
  }

  /**
   * Turns each item into any number of items (an iterable or async
   * iterable of them).
   *
   * @typeParam U The output type.
   * @param nameOrFn The stage's name, or its function.
   * @param fnOrOptions Its function (after a name), or its options.
   * @param options Its options (after a name and function).
   * @returns The pipeline of the outputs.
   */
  flatMap<U>(
    fn: StageFn<T, Iterable<U> | AsyncIterable<U>>,
    options?: StageOptions,
  ): Pipeline<U>;
  /**
   * Turns each item into any number of items, in a stage with a name.
   *
   * @typeParam U The output type.
   * @param name The stage's name.
   * @param fn Its function.
   * @param options Its options.
   * @returns The pipeline of the outputs.
   */
  flatMap<U>(
    name: string,
    fn: StageFn<T, Iterable<U> | AsyncIterable<U>>,
    options?: StageOptions,
  ): Pipeline<U>;
  flatMap<U>(
    nameOrFn: string | StageFn<T, Iterable<U> | AsyncIterable<U>>,
    fnOrOptions?: StageFn<T, Iterable<U> | AsyncIterable<U>> | StageOptions,
    options?: StageOptions,
  ): Pipeline<U> {
    return this.#add("flatMap", nameOrFn, fnOrOptions, options);
  }

  /**
   * Groups items into arrays of `size` (the last one may be shorter).
   *
   * @param size Items per batch, an integer `>= 1`.
   * @param options The stage's name.
   * @returns The pipeline of batches.
   */
  batch(size: number, options: BatchOptions = {}): Pipeline<T[]> {
    return new Pipeline<T[]>([
      ...this.stages,
      {
        kind: "batch",
        name: options.name ?? `batch-${this.stages.length + 1}`,
        named: options.name !== undefined,
        fn: undefined,
        options: {},
        size,
      },
    ]);
  }

  /**
   * Runs `fn` on each item for its side effect and passes the item on.
   *
   * @param nameOrFn The stage's name, or its function.
   * @param fnOrOptions Its function (after a name), or its options.
   * @param options Its options (after a name and function).
   * @returns The same pipeline type.
   */
  tap(fn: StageFn<T, unknown>, options?: StageOptions): Pipeline<T>;
  /**
   * Runs `fn` on each item for its side effect, in a named stage.
   *
   * @param name The stage's name.
   * @param fn Its function.
   * @param options Its options.
   * @returns The same pipeline type.
   */
  tap(
    name: string,
    fn: StageFn<T, unknown>,
    options?: StageOptions,
  ): Pipeline<T>;
  tap(
    nameOrFn: string | StageFn<T, unknown>,
    fnOrOptions?: StageFn<T, unknown> | StageOptions,
    options?: StageOptions,
  ): Pipeline<T> {
    return this.#add("tap", nameOrFn, fnOrOptions, options);
  }

  #add<U>(
    kind: StageKind,
    nameOrFn: unknown,
    fnOrOptions: unknown,
    options: StageOptions | undefined,
  ): Pipeline<U> {
    const named = typeof nameOrFn === "string";
    const fn = named ? fnOrOptions : nameOrFn;
    const stageOptions = (named ? options : fnOrOptions) ?? {};
    return new Pipeline<U>([
      ...this.stages,
      {
        kind,
        name: named ? nameOrFn : `${kind}-${this.stages.length + 1}`,
        named,
        // Checked by validation, which names the stage if it is not a function.
        fn: fn as StageFn<never, unknown>,
        options: stageOptions as StageOptions,
        size: undefined,
      },
    ]);
  }
}
