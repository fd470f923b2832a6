/**
 * A typed signature for the Deno standard library's `pooledMap`, which
 * reaches us from npm (`deno-std`) as plain JavaScript. The only place that
 * imports it untyped; the engine benchmark compares against it.
 *
 * @module
 */

import { pooledMap as untyped } from "npm:deno-std@1.4.0/async/pool.js";

/**
 * Maps `array` through `iteratorFn` with at most `poolLimit` calls running
 * at once, yielding the results in input order. After a call rejects no new
 * call starts; the running ones finish, and the iteration then throws an
 * `AggregateError` of the rejections.
 *
 * @typeParam T The input type.
 * @typeParam R The type `iteratorFn` resolves to.
 * @param poolLimit Calls running at once: a positive integer.
 * @param array Inputs: any iterable or async iterable.
 * @param iteratorFn The function to call on each input.
 * @returns The results, as an async iterator.
 * @throws {RangeError} If `poolLimit` is not a positive integer.
 */
export const pooledMap: <T, R>(
  poolLimit: number,
  array: Iterable<T> | AsyncIterable<T>,
  iteratorFn: (data: T) => Promise<R>,
) => AsyncIterableIterator<R> = untyped;
