/**
 * The text helpers behind the progress display and the summary.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import {
  bar,
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatLatency,
  formatRate,
  table,
  truncate,
} from "../../cli/format.ts";

Deno.test("formatCount() groups thousands", () => {
  assertEquals([0, 999, 1000, 1234567, -1234, 12.6].map(formatCount), [
    "0",
    "999",
    "1,000",
    "1,234,567",
    "-1,234",
    "13",
  ]);
});

Deno.test("formatDuration() and formatClock() pick a unit people read", () => {
  assertEquals(
    [0, 999, 1000, 59_949, 60_000, 3_599_000, 3_600_000].map(formatDuration),
    [
      "0 ms",
      "999 ms",
      "1.0 s",
      "59.9 s",
      "1:00",
      "59:59",
      "1:00:00",
    ],
  );
  assertEquals([formatClock(NaN), formatDuration(-1)], ["-:--", "-"]);
});

Deno.test("formatLatency(), formatRate() and formatBytes() round sensibly", () => {
  assertEquals(
    [0, 0.004, 1.234, 9.999, 10, 999.4, 1500, NaN].map(formatLatency),
    [
      "0 ms",
      "0 ms",
      "1.23 ms",
      "10 ms",
      "10 ms",
      "999 ms",
      "1.5 s",
      "-",
    ],
  );
  assertEquals([0, 0.25, 9.94, 10.4, 12345].map((r) => formatRate(r)), [
    "0/s",
    "0.3/s",
    "9.9/s",
    "10/s",
    "12,345/s",
  ]);
  assertEquals(formatRate(Infinity), "-");
  assertEquals([0, 999, 1000, 1_500_000, 2.5e12].map(formatBytes), [
    "0 B",
    "999 B",
    "1.0 kB",
    "1.5 MB",
    "2.5 TB",
  ]);
});

Deno.test("bar() clamps, table() aligns, truncate() cuts", () => {
  assertEquals([bar(-1, 4), bar(0.26, 4), bar(2, 4), bar(NaN, 2)], [
    "░░░░",
    "█░░░",
    "████",
    "░░",
  ]);
  assertEquals(table([["a", "1", ""], ["long", "100", "x"]], [1]), [
    "a       1",
    "long  100  x",
  ]);
  assertEquals([truncate("abc", 3), truncate("abcd", 3), truncate("abc", 0)], [
    "abc",
    "ab…",
    "",
  ]);
});
