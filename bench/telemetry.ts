/**
 * What watching a run costs: one workflow of 200,000 no-op items through
 * two map stages, run plain, with `RunTotals` (what `/metrics` reads),
 * with `RunTotals` and a run page's latencies (what the HTTP runner keeps),
 * with `Telemetry` through the no-op OpenTelemetry API (no SDK, no
 * `OTEL_DENO`), its task spans sampled and all. In one process, modes
 * round-robin, median of 5.
 *
 * Run from the repository root: `deno task bench:telemetry`.
 *
 * @module
 */

import {
  defineWorkflow,
  planWorkflow,
  range,
  runPlan,
} from "@poolflow/poolflow";
import { RunTotals, Telemetry } from "@poolflow/poolflow/telemetry";
import type { WorkflowPlan } from "../lib/workflow/plan.ts";
import type { RunHandle } from "../lib/workflow/handle.ts";
import { RunPageData } from "../server/run_page_data.ts";

const ITEMS = 200_000;
const REPEATS = 5;

function plan(): WorkflowPlan {
  return planWorkflow(defineWorkflow({
    name: "bench",
    source: range(ITEMS),
    pipeline: (rows) =>
      rows.map("a", (n: number) => n + 1, { concurrency: 16 })
        .map("b", (n: number) => n * 2, { concurrency: 16 }),
  }));
}

const MODES: Record<string, () => RunHandle> = {
  "plain": () => runPlan(plan()),
  "RunTotals": () => {
    const prepared = new RunTotals().prepare(plan());
    return prepared.attach(runPlan(prepared.plan));
  },
  "RunTotals + run page (the HTTP runner)": () => {
    const page = new RunPageData(Date.now(), ["a", "b"]);
    const prepared = new RunTotals().prepare(plan(), page.onTask);
    return prepared.attach(runPlan(prepared.plan));
  },
  "Telemetry sampled (no-op API)": () => new Telemetry().run(plan()),
  "Telemetry all (no-op API)": () =>
    new Telemetry({ traceTasks: "all" }).run(plan()),
};

const rates = new Map<string, number[]>(
  Object.keys(MODES).map((name) => [name, []]),
);
for (let i = 0; i < REPEATS; i++) {
  for (const [name, start] of Object.entries(MODES)) {
    const t0 = performance.now();
    const summary = await start().done;
    const ms = performance.now() - t0;
    if (summary.written !== ITEMS) {
      throw new Error(`${name}: ${summary.status}`);
    }
    rates.get(name)!.push(ITEMS / (ms / 1000));
    console.error(`[${i + 1}/${REPEATS}] ${name}: ${ms.toFixed(0)} ms`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = median(rates.get("plain")!);
console.log(
  `## Telemetry cost: ${ITEMS.toLocaleString("en")} items, 2 map stages\n`,
);
console.log("| mode | items/s (median of 5) | vs plain |");
console.log("| --- | --- | --- |");
for (const [name, xs] of rates) {
  const m = median(xs);
  console.log(
    `| ${name} | ${Math.round(m).toLocaleString("en")} | ${
      (m / base).toFixed(3)
    }x |`,
  );
}
