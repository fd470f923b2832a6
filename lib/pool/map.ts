/**
 * `mapConcurrent` and `mapAll`: run a function over any (async) iterable
 * with bounded concurrency.
 *
 * @module
 */

import { MapRun } from "./map_run.ts";
import type { Inputs, MapOptions, TaskFn } from "./types.ts";

/**
 * Runs `fn` over every input of `source` with at most `concurrency` tasks at
 * once, and streams an outcome per input: `{ ok: true, value }` or
 * `{ ok: false, error }`. Inputs are pulled only when a slot is free and
 * outcomes are held for a slow reader only up to `buffer`, so an endless
 * source runs in constant memory. Breaking out of the loop aborts the tasks'
 * signals, waits for them and closes the source.
 *
 * Failures are outcomes by default (`onError: "continue"`); with
 * `onError: "fail-fast"` the first failure aborts the run and is thrown,
 * after the successes of the tasks that were running.
 *
 * @typeParam I The input type.
 * @typeParam O The type `fn` returns.
 * @param source Inputs: an array, a generator, a stream, any iterable.
 * @param fn The task; it gets the input and `{ signal, index, attempt }`.
 * @param options Concurrency, order, error policy, limits.
 * @returns A {@linkcode MapRun}: iterate it for outcomes; it can be resized
 * and aborted while it runs.
 * @throws {TypeError} If `source` is not iterable or `fn` not a function.
 * @throws {RangeError} If an option is out of range.
 *
 * @example Collect every outcome
 * ```ts
 * import { mapConcurrent } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const outcomes = await Array.fromAsync(mapConcurrent(
 *   ["1", "2", "x"],
 *   (text) => {
 *     const n = Number(text);
 *     if (Number.isNaN(n)) throw new TypeError(`not a number: ${text}`);
 *     return n * 10;
 *   },
 *   { concurrency: 2, ordered: true },
 * ));
 * assertEquals(outcomes.map((o) => o.ok ? o.value : o.error.cause instanceof TypeError), [10, 20, true]);
 * ```
 *
 * @example Retries, timeouts and an error budget
 * ```ts
 * import { mapConcurrent } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * let calls = 0;
 * const run = mapConcurrent([1], async (n, { signal }) => {
 *   calls++;
 *   if (calls < 3) throw new Error("flaky");
 *   signal.throwIfAborted();
 *   return n;
 * }, { retry: { attempts: 3, delay: 1, jitter: "none" }, timeout: "1s", maxFailures: 0 });
 * const [outcome] = await Array.fromAsync(run);
 * assertEquals(outcome?.ok && outcome.attempts, 3);
 * ```
 */
export function mapConcurrent<I, O>(
  source: Inputs<I>,
  fn: TaskFn<I, O>,
  options?: MapOptions<I>,
): MapRun<I, O> {
  return new MapRun(source, fn, options);
}

/** Options of {@linkcode mapAll}: those of `mapConcurrent` that fit a fail-fast collect. */
export type MapAllOptions<I = unknown> = Omit<
  MapOptions<I>,
  "onError" | "maxFailures" | "ordered" | "buffer"
>;

/**
 * Runs `fn` over every input with bounded concurrency and resolves to the
 * values in input order; rejects with the first `TaskError` (fail-fast:
 * the other tasks are aborted and awaited first).
 *
 * @typeParam I The input type.
 * @typeParam O The type `fn` returns.
 * @param source Inputs: any iterable or async iterable.
 * @param fn The task; it gets the input and `{ signal, index, attempt }`.
 * @param options Concurrency, retry, timeout, limits.
 * @returns The values, in input order.
 * @throws {TaskError} The first task failure, after retries.
 *
 * @example Fetch-like work, in order
 * ```ts
 * import { mapAll } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const squares = await mapAll([1, 2, 3, 4], async (n) => {
 *   await new Promise((r) => setTimeout(r, 5 - n));
 *   return n * n;
 * }, { concurrency: 4 });
 * assertEquals(squares, [1, 4, 9, 16]);
 * ```
 */
export async function mapAll<I, O>(
  source: Inputs<I>,
  fn: TaskFn<I, O>,
  options: MapAllOptions<I> = {},
): Promise<O[]> {
  const values: O[] = [];
  // Unordered is enough: the index places each value, and a slow head task
  // does not stall the others behind a reorder window.
  const run = new MapRun(source, fn, { ...options, onError: "fail-fast" });
  for await (const outcome of run) {
    // Under fail-fast a failure is thrown by the iteration, never yielded.
    if (outcome.ok) values[outcome.index] = outcome.value;
  }
  return values;
}
