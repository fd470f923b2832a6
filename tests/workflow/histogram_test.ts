/**
 * `LatencyHistogram`: percentiles close to the exact ones on any data,
 * the exact maximum, and zeros when nothing was recorded.
 */

import { assertEquals, assertLessOrEqual } from "@std/assert";
import fc from "fast-check";
import { LatencyHistogram } from "../../mod.ts";

/** The exact percentile by the same rank rule: the ceil(p% * n)-th smallest. */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

/** Asserts `actual` is within `tolerance` (a fraction) of `expected`. */
function assertClose(
  actual: number,
  expected: number,
  tolerance: number,
  what: string,
): void {
  assertLessOrEqual(
    Math.abs(actual - expected),
    expected * tolerance,
    `${what}: ${actual} is not within ${tolerance * 100}% of ${expected}`,
  );
}

const latency = (max: number) =>
  fc.double({ min: 0.01, max, noNaN: true, noDefaultInfinity: true });

Deno.test("LatencyHistogram answers 0 for every percentile and the max when empty", () => {
  const histogram = new LatencyHistogram();
  assertEquals(histogram.count, 0);
  assertEquals(histogram.max, 0);
  for (const p of [0, 50, 95, 99, 100]) {
    assertEquals(histogram.percentile(p), 0);
  }
});

Deno.test("LatencyHistogram gives percentiles within 3% of the exact ones on random latencies", () => {
  fc.assert(
    fc.property(
      fc.array(latency(300_000), { minLength: 1, maxLength: 400 }),
      fc.integer({ min: 0, max: 100 }),
      (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const histogram = histogramOf(values);
        assertClose(
          histogram.percentile(p),
          exactPercentile(sorted, p),
          0.03,
          `p${p}`,
        );
      },
    ),
  );
});

Deno.test("LatencyHistogram keeps the exact max and count, and no percentile exceeds the max", () => {
  fc.assert(
    fc.property(
      fc.array(latency(300_000), { minLength: 1, maxLength: 200 }),
      (values) => {
        const histogram = histogramOf(values);
        assertEquals(histogram.max, Math.max(...values));
        assertEquals(histogram.count, values.length);
        for (const p of [50, 95, 99, 100]) {
          assertLessOrEqual(histogram.percentile(p), histogram.max);
        }
      },
    ),
  );
});

Deno.test("LatencyHistogram gives percentiles that never decrease as p grows", () => {
  fc.assert(
    fc.property(
      fc.array(latency(300_000), { minLength: 1, maxLength: 200 }),
      (values) => {
        const histogram = histogramOf(values);
        let previous = 0;
        for (let p = 0; p <= 100; p += 5) {
          const value = histogram.percentile(p);
          assertLessOrEqual(previous, value);
          previous = value;
        }
      },
    ),
  );
});

Deno.test("LatencyHistogram stays within 3% for latencies of minutes to hours", () => {
  for (const ms of [10 * 60_000, 60 * 60_000, 10 * 60 * 60_000]) {
    const histogram = histogramOf([ms / 2, ms, ms]);
    assertClose(histogram.percentile(50), ms, 0.03, `p50 of ${ms} ms`);
    assertClose(histogram.percentile(10), ms / 2, 0.03, `p10 of ${ms / 2} ms`);
  }
});

Deno.test("LatencyHistogram puts sub-microsecond latencies in its smallest bucket", () => {
  const histogram = histogramOf([0, 0.0005, 0.001]);
  assertEquals(histogram.count, 3);
  assertLessOrEqual(histogram.percentile(100), 0.001);
});
