/**
 * Durations as numbers of milliseconds or typed strings such as `"250ms"`,
 * `"5s"`, `"2m"` and `"1h"`.
 *
 * @module
 */

import { describeValue } from "./check.ts";

/** A duration: milliseconds as a number, or a string with a unit. */
export type Duration =
  | number
  | `${number}ms`
  | `${number}s`
  | `${number}m`
  | `${number}h`;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
const PATTERN = /^\s*(\d*)(?:\.(\d+))?\s*(ms|s|m|h)\s*$/;
const FORMS =
  'a number of milliseconds or a string such as "250ms", "5s", "2m" or "1h"';

/**
 * Converts a {@linkcode Duration} to milliseconds.
 *
 * @param value The duration to parse.
 * @param name The option it came from, named in the error.
 * @returns The duration in milliseconds.
 * @throws {RangeError} If the value is negative, not finite, or a string
 * without a known unit.
 *
 * @example Parse typed durations
 * ```ts
 * import { parseDuration } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(parseDuration("250ms"), 250);
 * assertEquals(parseDuration("1.5s"), 1500);
 * assertEquals(parseDuration(40), 40);
 * ```
 */
export function parseDuration(value: Duration, name = "duration"): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new RangeError(
      `Invalid ${name}: expected ${FORMS}, got ${describeValue(value)}`,
    );
  }
  const match = typeof value === "string" ? PATTERN.exec(value) : null;
  if (!match || (match[1] === "" && match[2] === undefined)) {
    throw new RangeError(
      `Cannot parse ${
        describeValue(value)
      } as a duration for ${name}: use ${FORMS}`,
    );
  }
  // Whole and fractional digits are scaled apart, so "2.3h" is exact.
  const unit = UNIT_MS[match[3]!]!;
  const fraction = match[2] ?? "";
  return Number(match[1] || "0") * unit +
    Number(fraction || "0") * unit / 10 ** fraction.length;
}
