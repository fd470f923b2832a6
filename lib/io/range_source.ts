/**
 * {@linkcode range}: a run of numbers as a source, like Python's `range`.
 *
 * @module
 */

import { type RowSource, withRows } from "./row_source.ts";
import { describeValue } from "../units/check.ts";
import { BatchReader } from "./batch_reader.ts";
import type { OpenContext, SourceReader } from "./types.ts";

/** Numbers handed to the reader at a time. */
const BATCH = 1024;

function checkFinite(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(
      `Invalid ${name} of range(): expected a finite number, got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Makes a source of the numbers `0, 1, ..., count - 1`.
 *
 * @param count How many numbers.
 * @returns A source of numbers.
 * @throws {RangeError} If `count` is not a finite number.
 *
 * @example The first three numbers
 * ```ts
 * import { range } from "./range_source.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const { signal } = new AbortController();
 * assertEquals(await Array.fromAsync(range(3).open({ signal })), [0, 1, 2]);
 * ```
 */
export function range(count: number): RowSource<number>;
/**
 * Makes a source of the numbers from `start` up to (not including) `end`,
 * `step` apart; with a negative `step` they count down. Empty when `end`
 * lies the other way.
 *
 * @param start The first number.
 * @param end Where the numbers stop, not included.
 * @param step The difference between numbers, not 0. Defaults to 1.
 * @returns A source of numbers.
 * @throws {RangeError} If a bound or the step is not finite, or the step is 0.
 *
 * @example Counting up by two, and down
 * ```ts
 * import { range } from "./range_source.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const { signal } = new AbortController();
 * assertEquals(await Array.fromAsync(range(1, 8, 2).open({ signal })), [1, 3, 5, 7]);
 * assertEquals(await Array.fromAsync(range(3, 0, -1).open({ signal })), [3, 2, 1]);
 * ```
 */
export function range(
  start: number,
  end: number,
  step?: number,
): RowSource<number>;
export function range(
  startOrCount: number,
  maybeEnd?: number,
  maybeStep = 1,
): RowSource<number> {
  const start = maybeEnd === undefined ? 0 : checkFinite(startOrCount, "start");
  const end = maybeEnd === undefined
    ? checkFinite(startOrCount, "count")
    : checkFinite(maybeEnd, "end");
  const step = checkFinite(maybeStep, "step");
  if (step === 0) throw new RangeError("Invalid step of range(): 0 never ends");
  const total = Math.max(0, Math.ceil((end - start) / step));
  const location = maybeEnd === undefined
    ? `range(${end})`
    : `range(${start}, ${end}${step === 1 ? "" : `, ${step}`})`;
  return withRows({
    kind: "range",
    location,
    // The numbers are the same every time: their description is enough.
    fingerprint: () => Promise.resolve(location),
    open(context: OpenContext): SourceReader<number> {
      let done = 0;
      return new BatchReader<number>({
        pull() {
          context.signal.throwIfAborted();
          if (done >= total) return Promise.resolve(null);
          const size = Math.min(BATCH, total - done);
          const batch = new Array<number>(size);
          for (let i = 0; i < size; i++) batch[i] = start + (done + i) * step;
          done += size;
          return Promise.resolve(batch);
        },
        close() {},
        progress(yielded) {
          return { done: yielded, total, unit: "items" };
        },
      });
    },
  });
}
