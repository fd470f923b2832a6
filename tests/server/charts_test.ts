/**
 * The run page's charts: the SVG trees they build and the same functions
 * as the browser gets them in /charts.js.
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  barChart,
  CHARTS_SCRIPT,
  lineChart,
  niceCeiling,
  shortNumber,
  svgMarkup,
  type SvgNode,
} from "../../server/charts.ts";

function all(node: SvgNode, tag: string): SvgNode[] {
  const found = node.tag === tag ? [node] : [];
  for (const child of node.children ?? []) found.push(...all(child, tag));
  return found;
}

Deno.test("niceCeiling rounds up to 1, 2 or 5 times a power of ten", () => {
  assertEquals(
    [0, -3, NaN, 0.3, 1, 1.5, 3, 9.9, 10, 11, 499, 501].map(niceCeiling),
    [1, 1, 1, 0.5, 1, 2, 5, 10, 10, 20, 500, 1000],
  );
});

Deno.test("shortNumber keeps three significant digits", () => {
  assertEquals(
    [0, 5, 12.345, 999, 1500, 2_345_678, 0.000123].map(shortNumber),
    ["0", "5", "12.3", "999", "1.5k", "2.35M", "0.000123"],
  );
});

Deno.test("lineChart draws one path through every point, scaled into the plot", () => {
  const svg = lineChart([{ x: 0, y: 0 }, { x: 5, y: 40 }, { x: 10, y: 20 }], {
    title: "Items/s",
    width: 200,
    height: 100,
  });
  assertEquals(svg.attrs["aria-label"], "Items/s");
  const line = all(svg, "path").find((p) => p.attrs.class === "line")!;
  // Plot: x 44..192, y 8..80; y axis to 50 (niceCeiling(40)).
  assertEquals(line.attrs.d, "M44,80 L118,22.4 L192,51.2");
  const points = all(svg, "circle");
  assertEquals(points.length, 3);
  assertEquals(points[1]!.children?.[0]?.text, "5: 40");
  assert(all(svg, "text").some((t) => t.text === "50"), "y axis top label");
});

Deno.test("lineChart without points draws only the axes", () => {
  const svg = lineChart([], { title: "None yet" });
  assertEquals(all(svg, "circle").length, 0);
  assertEquals(
    all(svg, "path").filter((p) => p.attrs.class === "line").length,
    0,
  );
});

Deno.test("barChart draws a bar per entry, heights in proportion", () => {
  const svg = barChart([
    { label: "≤1", value: 10 },
    { label: "≤5", value: 5 },
    { label: "more", value: 0 },
  ], { title: "Latency", width: 152, height: 100 });
  const bars = all(svg, "rect");
  assertEquals(bars.map((b) => b.attrs.height), [72, 36, 0]);
  assertEquals(bars.map((b) => b.children?.[0]?.text), [
    "≤1: 10",
    "≤5: 5",
    "more: 0",
  ]);
  assertEquals(
    all(svg, "text").filter((t) => t.attrs.class === "tick").map((t) => t.text),
    ["≤1", "≤5", "more"],
  );
});

Deno.test("svgMarkup escapes a hostile label in text and attributes", () => {
  const hostile = `<script>alert("x")</script>&`;
  const markup = svgMarkup(
    barChart([{ label: hostile, value: 1 }], { title: hostile }),
  );
  assert(!markup.includes("<script>"), markup);
  assertStringIncludes(
    markup,
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;",
  );
});

Deno.test("/charts.js holds the same functions, runnable without Deno", () => {
  const fromScript = new Function(
    `${CHARTS_SCRIPT}; return { lineChart, barChart, svgMarkup };`,
  )() as {
    lineChart: typeof lineChart;
    barChart: typeof barChart;
    svgMarkup: typeof svgMarkup;
  };
  const points = [{ x: 1, y: 2 }, { x: 3, y: 7 }];
  assertEquals(
    fromScript.lineChart(points, { title: "t" }),
    lineChart(points, { title: "t" }),
  );
  const bars = [{ label: "a", value: 3 }];
  assertEquals(
    fromScript.svgMarkup(fromScript.barChart(bars, { title: "b" })),
    svgMarkup(barChart(bars, { title: "b" })),
  );
  assert(!CHARTS_SCRIPT.includes("import "), "no imports in /charts.js");
});
