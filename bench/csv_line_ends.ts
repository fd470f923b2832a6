/**
 * How fast `fromCsv` reads rows with each kind of line end (LF, CRLF and a
 * lone CR), so a change to line splitting is measured on the hot path.
 *
 * Writes a 1,000,000-row CSV of the workflow benchmark's data once per
 * line end in a temporary folder, then drains `fromCsv(file)` from each,
 * round-robin, and reports the median rows per second.
 *
 * Run from the repository root: `deno run -A --config bench/deno.json
 * bench/csv_line_ends.ts [rows] [repeats]`.
 *
 * @module
 */

import { fromCsv } from "@poolflow/poolflow";
import { writeCsv } from "./workflow_data.ts";

const rows = Number(Deno.args[0] ?? 1_000_000);
const repeats = Number(Deno.args[1] ?? 5);
const ENDS = { LF: "\n", CRLF: "\r\n", CR: "\r" } as const;
type End = keyof typeof ENDS;

/** Reads every row of `path`; returns rows per second (of `rows`). */
async function drain(path: string): Promise<number> {
  const started = performance.now();
  let count = 0;
  const controller = new AbortController();
  for await (const _ of fromCsv(path).open({ signal: controller.signal })) {
    count++;
  }
  if (count !== rows) console.error(`${path}: read ${count} rows of ${rows}`);
  return rows / ((performance.now() - started) / 1000);
}

const dir = await Deno.makeTempDir({ prefix: "poolflow-csv-ends-" });
try {
  const lf = `${dir}/LF.csv`;
  await writeCsv(lf, rows);
  const text = await Deno.readTextFile(lf);
  const paths = {} as Record<End, string>;
  for (const [name, end] of Object.entries(ENDS) as [End, string][]) {
    paths[name] = `${dir}/${name}.csv`;
    await Deno.writeTextFile(paths[name], text.replaceAll("\n", end));
  }
  const rates: Record<End, number[]> = { LF: [], CRLF: [], CR: [] };
  await drain(paths.LF); // warm-up
  for (let i = 0; i < repeats; i++) {
    for (const name of Object.keys(ENDS) as End[]) {
      rates[name].push(
        await drain(paths[name]).catch((error) => {
          console.error(`${name}: ${error}`);
          return NaN;
        }),
      );
      console.error(`${name} #${i + 1}: ${rates[name].at(-1)!.toFixed(0)}`);
    }
  }
  console.log(`| line end | rows/s (median of ${repeats}, ${rows} rows) |`);
  console.log("| --- | --- |");
  for (const name of Object.keys(ENDS) as End[]) {
    const sorted = rates[name].toSorted((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`| ${name} | ${(median / 1e6).toFixed(2)}M |`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
