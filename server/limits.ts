/**
 * The HTTP runner's limits: how much one request may send, how many runs
 * may go at once, and how long finished runs, their events and their
 * results are kept, so the server's memory does not grow with its uptime.
 *
 * @module
 */

import { checkCount } from "../lib/units/check.ts";
import { type Duration, parseDuration } from "../lib/units/duration.ts";

/** Limits of the HTTP runner; every one has a default. */
export interface ServerLimits {
  /** Largest request body, in bytes; a larger one gets 413. Defaults to 1 MiB. */
  maxBodyBytes?: number;
  /** Runs going at once; one more gets 429 with `Retry-After`. Defaults to 8. */
  maxConcurrentRuns?: number;
  /** Finished runs kept for `GET /runs/:id`; the oldest go first. Defaults to 100. */
  finishedRunsKept?: number;
  /** How long a finished run is kept. Defaults to `"1h"`. */
  finishedRunTtl?: Duration;
  /** Outcomes kept per run for `GET /runs/:id/results`. Defaults to 1000. */
  resultsPerRun?: number;
  /** Events kept per run for resuming with `Last-Event-ID`. Defaults to 256. */
  replayEvents?: number;
  /** Rows of inline `input` or CSV a request may carry. Defaults to 10000. */
  maxInputRows?: number;
  /** Event and result streams open at once, over all runs. Defaults to 1000. */
  maxEventStreams?: number;
  /** Highest concurrency a request may ask for (start or resize). Defaults to 1000. */
  maxConcurrency?: number;
}

/** {@linkcode ServerLimits} with every default applied; durations in ms. */
export interface ResolvedLimits {
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Runs going at once. */
  readonly maxConcurrentRuns: number;
  /** Finished runs kept. */
  readonly finishedRunsKept: number;
  /** How long a finished run is kept, in milliseconds. */
  readonly finishedRunTtlMs: number;
  /** Outcomes kept per run. */
  readonly resultsPerRun: number;
  /** Events kept per run for replay. */
  readonly replayEvents: number;
  /** Rows a request may carry. */
  readonly maxInputRows: number;
  /** Event and result streams open at once. */
  readonly maxEventStreams: number;
  /** Highest concurrency a request may ask for. */
  readonly maxConcurrency: number;
}

const KEYS = [
  "maxBodyBytes",
  "maxConcurrentRuns",
  "finishedRunsKept",
  "finishedRunTtl",
  "resultsPerRun",
  "replayEvents",
  "maxInputRows",
  "maxEventStreams",
  "maxConcurrency",
] as const;

/**
 * Checks the limits and applies the defaults.
 *
 * @param limits The limits given, if any.
 * @returns Every limit, durations in milliseconds.
 * @throws {TypeError} If a limit is unknown or not a number.
 * @throws {RangeError} If a limit is out of range.
 *
 * @example Defaults and overrides
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const limits = resolveLimits({ finishedRunTtl: "5s", maxConcurrentRuns: 2 });
 * assertEquals(limits.finishedRunTtlMs, 5000);
 * assertEquals(limits.maxConcurrentRuns, 2);
 * assertEquals(limits.maxBodyBytes, 1024 * 1024);
 * ```
 */
export function resolveLimits(limits: ServerLimits = {}): ResolvedLimits {
  for (const key of Object.keys(limits)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new TypeError(
        `Unknown limit "${key}": the limits are ${KEYS.join(", ")}`,
      );
    }
  }
  const count = (key: typeof KEYS[number], fallback: number, min = 1) =>
    checkCount(limits[key as keyof ServerLimits] ?? fallback, `limits.${key}`, {
      min,
    });
  return {
    maxBodyBytes: count("maxBodyBytes", 1024 * 1024),
    maxConcurrentRuns: count("maxConcurrentRuns", 8),
    finishedRunsKept: count("finishedRunsKept", 100, 0),
    finishedRunTtlMs: parseDuration(
      limits.finishedRunTtl ?? "1h",
      "limits.finishedRunTtl",
    ),
    resultsPerRun: count("resultsPerRun", 1000, 0),
    replayEvents: count("replayEvents", 256),
    maxInputRows: count("maxInputRows", 10_000),
    maxEventStreams: count("maxEventStreams", 1000),
    maxConcurrency: count("maxConcurrency", 1000),
  };
}
