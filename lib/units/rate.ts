/**
 * Rates such as `"50/s"`, `"600/min"` and `"2/100ms"`.
 *
 * @module
 */

import { checkCount, describeValue } from "./check.ts";
import { type Duration, parseDuration } from "./duration.ts";

/** A rate as data: at most `count` events in any window of `interval`. */
export interface RateSpec {
  /** Events allowed in any window of `interval`. */
  count: number;
  /** Window length: milliseconds or a {@linkcode Duration} string. */
  interval: Duration;
}

/** A rate: `"50/s"`, `"600/min"`, `"2/100ms"`, or a {@linkcode RateSpec}. */
export type Rate = `${number}/${string}` | RateSpec;

/** A parsed rate: `count` events per `intervalMs` milliseconds. */
export interface ParsedRate {
  /** Events allowed in any window of `intervalMs`. */
  readonly count: number;
  /** Window length in milliseconds, greater than zero. */
  readonly intervalMs: number;
}

const WORD_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};
const FORMS =
  '"<count>/<unit>" such as "50/s", "600/min", "10/h", "2/100ms", or { count, interval }';

/**
 * Parses a {@linkcode Rate}.
 *
 * @param value The rate to parse.
 * @param name The option it came from, named in the error.
 * @returns The count and the window in milliseconds.
 * @throws {RangeError} If the count is not a positive integer or the
 * interval is not a positive duration.
 *
 * @example Parse rates
 * ```ts
 * import { parseRate } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(parseRate("50/s"), { count: 50, intervalMs: 1000 });
 * assertEquals(parseRate("2/100ms"), { count: 2, intervalMs: 100 });
 * assertEquals(parseRate({ count: 3, interval: "1m" }), { count: 3, intervalMs: 60000 });
 * ```
 */
export function parseRate(value: Rate, name = "rate"): ParsedRate {
  if (typeof value === "object" && value !== null) {
    const count = checkCount(value.count, `${name}.count`);
    const intervalMs = parseDuration(value.interval, `${name}.interval`);
    if (intervalMs <= 0) {
      throw new RangeError(
        `Invalid ${name}.interval: expected a duration above zero, got ${
          describeValue(value.interval)
        }`,
      );
    }
    return { count, intervalMs };
  }
  const fail = (): never => {
    throw new RangeError(
      `Cannot parse ${
        describeValue(value)
      } as a rate for ${name}: use ${FORMS}`,
    );
  };
  if (typeof value !== "string") return fail();
  const slash = value.indexOf("/");
  if (slash < 0) return fail();
  const countText = value.slice(0, slash).trim();
  const unitText = value.slice(slash + 1).trim();
  if (!/^\d+$/.test(countText)) return fail();
  const count = Number(countText);
  if (!Number.isSafeInteger(count) || count < 1) return fail();
  let intervalMs = WORD_UNITS[unitText];
  if (intervalMs === undefined) {
    try {
      intervalMs = parseDuration(unitText as Duration, name);
    } catch {
      return fail();
    }
  }
  if (!(intervalMs > 0)) return fail();
  return { count, intervalMs };
}
