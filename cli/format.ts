/**
 * Text helpers shared by the progress display, the summary and the plan:
 * counts, durations, rates, sizes, bars and aligned tables. Pure functions,
 * the same output on every machine (no locale).
 *
 * @module
 */

/**
 * A whole number with thousands separators.
 *
 * @param n The number.
 * @returns Such as `"1,234,567"`.
 *
 * @example
 * ```ts
 * import { formatCount } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatCount(1234567), "1,234,567");
 * ```
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ",");
}

/**
 * A wall-clock duration: `"850 ms"`, `"12.3 s"`, `"4:05"`, `"1:02:03"`.
 *
 * @param ms Milliseconds.
 * @returns The duration for people.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatDuration(850), "850 ms");
 * assertEquals(formatDuration(12_345), "12.3 s");
 * assertEquals(formatDuration(245_000), "4:05");
 * assertEquals(formatDuration(3_723_000), "1:02:03");
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatClock(ms);
}

/**
 * A duration as a clock: `"0:07"`, `"4:05"`, `"1:02:03"`.
 *
 * @param ms Milliseconds.
 * @returns Minutes and seconds, with hours when needed.
 *
 * @example
 * ```ts
 * import { formatClock } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatClock(7_400), "0:07");
 * ```
 */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-:--";
  const total = Math.floor(ms / 1000);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * A latency: `"0.42 ms"`, `"12 ms"`, `"1.2 s"`.
 *
 * @param ms Milliseconds.
 * @returns The latency with a unit; `"-"` when unknown.
 *
 * @example
 * ```ts
 * import { formatLatency } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatLatency(0.42), "0.42 ms");
 * assertEquals(formatLatency(12.4), "12 ms");
 * assertEquals(formatLatency(1234), "1.2 s");
 * ```
 */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 10) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * A rate per second: `"310/s"`, `"4.5 items/s"`.
 *
 * @param perSecond Events per second.
 * @param unit What is counted, if it should be named.
 * @returns The rate.
 *
 * @example
 * ```ts
 * import { formatRate } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatRate(310.4), "310/s");
 * assertEquals(formatRate(4.54, "items"), "4.5 items/s");
 * ```
 */
export function formatRate(perSecond: number, unit?: string): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return "-";
  const value = perSecond < 10
    ? String(Number(perSecond.toFixed(1)))
    : formatCount(perSecond);
  return unit ? `${value} ${unit}/s` : `${value}/s`;
}

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

/**
 * A size in bytes, in decimal units: `"512 B"`, `"12.3 MB"`.
 *
 * @param bytes The size.
 * @returns The size with a unit.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatBytes(512), "512 B");
 * assertEquals(formatBytes(12_345_678), "12.3 MB");
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0
    ? `${Math.round(value)} B`
    : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * A progress bar of `width` cells.
 *
 * @param fraction Done, from 0 to 1 (clamped).
 * @param width Cells in all.
 * @returns Full and empty cells, such as `"█████░░░░░"`.
 *
 * @example
 * ```ts
 * import { bar } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(bar(0.5, 10), "█████░░░░░");
 * ```
 */
export function bar(fraction: number, width: number): string {
  const clamped = Math.min(
    1,
    Math.max(0, Number.isFinite(fraction) ? fraction : 0),
  );
  const full = Math.round(clamped * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/**
 * Lays out rows as aligned columns, two spaces apart; columns listed in
 * `right` are right-aligned (numbers). Trailing spaces are trimmed.
 *
 * @param rows The cells, the header row first if any.
 * @param right Indexes of right-aligned columns.
 * @returns One string per row.
 *
 * @example
 * ```ts
 * import { table } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(table([["stage", "out"], ["parse", "1,200"], ["save", "95"]], [1]), [
 *   "stage    out",
 *   "parse  1,200",
 *   "save      95",
 * ]);
 * ```
 */
export function table(
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) => {
      const width = widths[i] ?? 0;
      return right.includes(i) ? cell.padStart(width) : cell.padEnd(width);
    }).join("  ").trimEnd()
  );
}

/**
 * Cuts `line` to `width` characters, ending with `…` when cut.
 *
 * @param line The line.
 * @param width The most characters to keep.
 * @returns The line, at most `width` long.
 *
 * @example
 * ```ts
 * import { truncate } from "./format.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(truncate("abcdef", 4), "abc…");
 * ```
 */
export function truncate(line: string, width: number): string {
  if (line.length <= width) return line;
  return width <= 0 ? "" : `${line.slice(0, width - 1)}…`;
}
