/** The run page's throughput series: a fixed ring of time buckets. */

import { assertEquals, assertThrows } from "@std/assert";
import { ThroughputSeries } from "../../server/run_series.ts";

Deno.test("a series gives each bucket's rate from the counts sampled in it", () => {
  const series = new ThroughputSeries(1000, { size: 8, bucketMs: 500 });
  series.sample(1200, 5, 0);
  series.sample(1400, 10, 1);
  // Nothing sampled in the second bucket: its counts are on the straight
  // line between the samples around it (10 + 15 * 600/700, rounded).
  series.sample(2100, 25, 2);
  assertEquals(series.snapshot(), {
    bucketMs: 500,
    points: [
      { atMs: 500, written: 10, failed: 1, rate: 20 },
      { atMs: 1000, written: 23, failed: 2, rate: 26 },
      // The last bucket so far: 2 items in its first 100 ms.
      { atMs: 1100, written: 25, failed: 2, rate: 20 },
    ],
  });
});

Deno.test("a long run merges buckets in pairs: never more than the ring holds", () => {
  const series = new ThroughputSeries(0, { size: 4, bucketMs: 100 });
  for (let t = 50; t <= 1550; t += 100) series.sample(t, t, 0);
  const { bucketMs, points } = series.snapshot();
  assertEquals(bucketMs, 400);
  assertEquals(points.length, 4);
  assertEquals(points.map((p) => p.written), [350, 750, 1150, 1550]);
  // The whole run is still covered: the last count is the last sample's.
  assertEquals(points.at(-1)?.atMs, 1550);
  assertEquals(points.map((p) => Math.round(p.rate)), [875, 1000, 1000, 1143]);
});

Deno.test("a series refuses sizes it cannot halve", () => {
  assertThrows(
    () => new ThroughputSeries(0, { size: 3 }),
    RangeError,
    "even integer",
  );
  assertThrows(
    () => new ThroughputSeries(0, { bucketMs: 0 }),
    RangeError,
    "positive",
  );
});
