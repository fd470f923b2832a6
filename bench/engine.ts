/**
 * The engine benchmark: `mapConcurrent` against fastq fed with
 * back-pressure, p-queue, p-map's `pMapIterable`, the Deno std `pooledMap`,
 * p-limit and a hand loop (N workers on one shared iterator, a bounded
 * channel), every one read by the same `for await` loop, on four
 * workloads. Every (workload, library) run is its own process, so peak RSS
 * is per run; runs go one at a time, repeats round-robin across libraries
 * to spread noise.
 *
 * Run from the repository root: `deno task bench` (`deno run -A
 * --config bench/deno.json bench/engine.ts`), or a part of it: `deno task bench --workloads W1,W2
 * --peers mapConcurrent,"hand loop"`. Prints progress to stderr and the
 * report to stdout.
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";
import { PEERS } from "./peers.ts";
import { renderReport, W3_EAGER_ITEMS } from "./report.ts";
import { runChild, type Sample } from "./spawn.ts";

const W1_REPEATS = 3;
const W2_REPEATS = 5;

type Job = readonly [workload: string, peer: string, n?: number];

const args = parseArgs(Deno.args, { string: ["workloads", "peers"] });
const wanted = (list: string | undefined, all: string[]) => {
  if (list === undefined) return all;
  const picked = list.split(",").map((s) => s.trim());
  for (const name of picked) {
    if (!all.includes(name)) {
      console.error(`Unknown "${name}": choose from ${all.join(", ")}`);
      Deno.exit(2);
    }
  }
  return picked;
};
const names = wanted(args.peers, Object.keys(PEERS));
const workloads = new Set(wanted(args.workloads, ["W1", "W2", "W3", "W4"]));

function plan(): Job[] {
  const jobs: Job[] = [];
  for (let i = 0; workloads.has("W1") && i < W1_REPEATS; i++) {
    jobs.push(...names.map((n) => ["W1", n] as const));
  }
  for (let i = 0; workloads.has("W2") && i < W2_REPEATS; i++) {
    jobs.push(...names.map((n) => ["W2", n] as const));
  }
  for (const name of workloads.has("W3") ? names : []) {
    if (PEERS[name]?.lazy) jobs.push(["W3", name]);
    else jobs.push(...W3_EAGER_ITEMS.map((n) => ["W3", name, n] as const));
  }
  for (const name of workloads.has("W4") ? names : []) jobs.push(["W4", name]);
  return jobs;
}

const jobs = plan();
const samples: Sample[] = [];
const started = performance.now();
for (const [i, [workload, peer, n]] of jobs.entries()) {
  const t0 = performance.now();
  const sample = await runChild(workload, peer, n);
  samples.push(sample);
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  const label = `${workload} ${peer}${n === undefined ? "" : ` n=${n}`}`;
  console.error(
    `[${i + 1}/${jobs.length}] ${label}: ${took} s${
      sample.error ? ` ERROR ${sample.error}` : ""
    }`,
  );
}
const totalS = ((performance.now() - started) / 1000).toFixed(0);

console.log(`## poolflow engine benchmark

Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} CPUs; ${jobs.length} child runs in ${totalS} s.

${renderReport(samples, names, workloads)}`);
