/**
 * The run page's charts: SVG drawn from numbers by small pure functions,
 * no library and no build step. They build a tree of plain objects
 * ({@linkcode SvgNode}) that the page turns into DOM nodes with
 * `createElementNS` and `textContent`, so a label can never become markup.
 * The same functions run in Deno (tested) and in the browser: their
 * source is sent as `/charts.js` ({@linkcode CHARTS_SCRIPT}).
 *
 * @module
 */

/** An SVG element: its tag, attributes, text and children. */
export interface SvgNode {
  /** The element's tag, such as `"svg"` or `"path"`. */
  readonly tag: string;
  /** Its attributes. */
  readonly attrs: Readonly<Record<string, string | number>>;
  /** Its text, set as `textContent`. */
  readonly text?: string;
  /** Its children. */
  readonly children?: readonly SvgNode[];
}

/** A point of a line chart. */
export interface ChartPoint {
  /** Across, in the data's unit. */
  readonly x: number;
  /** Up, in the data's unit. */
  readonly y: number;
}

/** A bar of a bar chart. */
export interface ChartBar {
  /** Shown under the bar. */
  readonly label: string;
  /** Its height, in the data's unit. */
  readonly value: number;
}

/** Size and labels of a chart. */
export interface ChartOptions {
  /** Width in px (default 480). */
  readonly width?: number;
  /** Height in px (default 160). */
  readonly height?: number;
  /** The chart's accessible name. */
  readonly title: string;
  /** Formats an axis value (default: up to 3 significant digits). */
  readonly format?: (value: number) => string;
}

/**
 * A round number at or above `value`: 1, 2 or 5 times a power of ten.
 *
 * @param value The largest value to show.
 * @returns The axis maximum (1 for 0 or less).
 *
 * @example
 * ```ts
 * import { niceCeiling } from "./charts.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals([niceCeiling(0), niceCeiling(7), niceCeiling(130)], [1, 10, 200]);
 * ```
 */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power * (1 + 1e-9)) return step * power;
  }
  return 10 * power;
}

/**
 * A number in at most 3 significant digits, for axes and labels.
 *
 * @param value The number.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import { shortNumber } from "./charts.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals([shortNumber(1234), shortNumber(0.01234), shortNumber(5)], ["1.23k", "0.0123", "5"]);
 * ```
 */
export function shortNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/**
 * A line chart of `points` (x ascending), with a y axis from 0 to a round
 * maximum. Each point is also a `circle` with a `title`, for hovering.
 *
 * @param points The points.
 * @param options Size, title and number format.
 * @returns The `svg` element.
 *
 * @example
 * ```ts
 * import { lineChart } from "./charts.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const svg = lineChart([{ x: 0, y: 1 }, { x: 1, y: 3 }], { title: "Items/s" });
 * assertEquals(svg.attrs.role, "img");
 * ```
 */
export function lineChart(
  points: readonly ChartPoint[],
  options: ChartOptions,
): SvgNode {
  const width = options.width ?? 480;
  const height = options.height ?? 160;
  const format = options.format ?? shortNumber;
  const left = 44, bottom = 20, top = 8, right = 8;
  const plotW = width - left - right, plotH = height - top - bottom;
  let maxX = 0, maxY = 0;
  for (const p of points) {
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  const yMax = niceCeiling(maxY);
  const xMax = maxX > 0 ? maxX : 1;
  const sx = (x: number) => left + (x / xMax) * plotW;
  const sy = (y: number) => top + plotH - (y / yMax) * plotH;
  const round = (n: number) => Math.round(n * 10) / 10;
  const children: SvgNode[] = [
    { tag: "title", attrs: {}, text: options.title },
    ...axes(left, top, plotW, plotH, format(yMax), format(0)),
  ];
  if (points.length > 0) {
    const d = points.map((p, i) =>
      `${i === 0 ? "M" : "L"}${round(sx(p.x))},${round(sy(p.y))}`
    ).join(" ");
    children.push({
      tag: "path",
      attrs: { class: "line", d, fill: "none" },
    });
    for (const p of points) {
      children.push({
        tag: "circle",
        attrs: { class: "point", cx: round(sx(p.x)), cy: round(sy(p.y)), r: 2 },
        children: [{
          tag: "title",
          attrs: {},
          text: `${format(p.x)}: ${format(p.y)}`,
        }],
      });
    }
  }
  children.push({
    tag: "text",
    attrs: { x: left + plotW, y: height - 4, "text-anchor": "end" },
    text: format(xMax),
  });
  return {
    tag: "svg",
    attrs: {
      role: "img",
      "aria-label": options.title,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      class: "chart",
    },
    children,
  };
}

/**
 * A bar chart: one bar per entry, its label under it and its value in its
 * `title`.
 *
 * @param bars The bars, in order.
 * @param options Size, title and number format.
 * @returns The `svg` element.
 *
 * @example
 * ```ts
 * import { barChart } from "./charts.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const svg = barChart([{ label: "≤1", value: 2 }], { title: "Latency" });
 * assertEquals(svg.children?.filter((c) => c.tag === "rect").length, 1);
 * ```
 */
export function barChart(
  bars: readonly ChartBar[],
  options: ChartOptions,
): SvgNode {
  const width = options.width ?? 480;
  const height = options.height ?? 160;
  const format = options.format ?? shortNumber;
  const left = 44, bottom = 20, top = 8, right = 8;
  const plotW = width - left - right, plotH = height - top - bottom;
  let maxY = 0;
  for (const bar of bars) if (bar.value > maxY) maxY = bar.value;
  const yMax = niceCeiling(maxY);
  const slot = bars.length > 0 ? plotW / bars.length : plotW;
  const round = (n: number) => Math.round(n * 10) / 10;
  const children: SvgNode[] = [
    { tag: "title", attrs: {}, text: options.title },
    ...axes(left, top, plotW, plotH, format(yMax), format(0)),
  ];
  bars.forEach((bar, i) => {
    const h = (Math.max(0, bar.value) / yMax) * plotH;
    const x = left + i * slot;
    children.push({
      tag: "rect",
      attrs: {
        class: "bar",
        x: round(x + slot * 0.1),
        y: round(top + plotH - h),
        width: round(slot * 0.8),
        height: round(h),
      },
      children: [{
        tag: "title",
        attrs: {},
        text: `${bar.label}: ${format(bar.value)}`,
      }],
    });
    children.push({
      tag: "text",
      attrs: {
        x: round(x + slot / 2),
        y: height - 4,
        "text-anchor": "middle",
        class: "tick",
      },
      text: bar.label,
    });
  });
  return {
    tag: "svg",
    attrs: {
      role: "img",
      "aria-label": options.title,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      class: "chart",
    },
    children,
  };
}

/**
 * The axes of a plot: two lines and the y axis's top and bottom labels.
 *
 * @param left The plot's left edge, in px.
 * @param top Its top edge.
 * @param plotW Its width.
 * @param plotH Its height.
 * @param yTop The label at the top of the y axis.
 * @param yBottom The label at its bottom.
 * @returns The elements.
 *
 * @example
 * ```ts
 * import { axes } from "./charts.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(axes(40, 8, 100, 50, "10", "0").length, 4);
 * ```
 */
export function axes(
  left: number,
  top: number,
  plotW: number,
  plotH: number,
  yTop: string,
  yBottom: string,
): SvgNode[] {
  return [
    {
      tag: "path",
      attrs: {
        class: "axis",
        d: `M${left},${top} L${left},${top + plotH} L${left + plotW},${
          top + plotH
        }`,
        fill: "none",
      },
    },
    {
      tag: "line",
      attrs: {
        class: "grid",
        x1: left,
        y1: top,
        x2: left + plotW,
        y2: top,
      },
    },
    {
      tag: "text",
      attrs: { x: left - 4, y: top + 4, "text-anchor": "end" },
      text: yTop,
    },
    {
      tag: "text",
      attrs: { x: left - 4, y: top + plotH, "text-anchor": "end" },
      text: yBottom,
    },
  ];
}

/**
 * The tree as SVG markup, every attribute and text escaped (for tests and
 * for saving a chart; the page builds DOM nodes instead).
 *
 * @param node The element.
 * @returns Its markup.
 *
 * @example
 * ```ts
 * import { svgMarkup } from "./charts.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(svgMarkup({ tag: "text", attrs: {}, text: "<b>" }), "<text>&lt;b&gt;</text>");
 * ```
 */
export function svgMarkup(node: SvgNode): string {
  const escape = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  const attrs = Object.entries(node.attrs).map(([k, v]) =>
    ` ${k}="${escape(String(v))}"`
  ).join("");
  const inner = escape(node.text ?? "") +
    (node.children ?? []).map(svgMarkup).join("");
  return `<${node.tag}${attrs}>${inner}</${node.tag}>`;
}

/**
 * The functions above as browser JavaScript (Deno strips their types), for
 * `/charts.js`: they become globals of the page.
 */
export const CHARTS_SCRIPT: string = `"use strict";\n${
  [niceCeiling, shortNumber, lineChart, barChart, axes, svgMarkup].map(String)
    .join("\n\n")
}\n`;
