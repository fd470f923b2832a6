/**
 * The engine benchmark: `mapConcurrent` against p-map, p-limit, fastq, the
 * Deno std `pooledMap` and a hand-written baseline, on four workloads. Every
 * (workload, library) run is its own process, so peak RSS is per run; runs
 * go one at a time, repeats round-robin across libraries to spread noise.
 *
 * Run from the repository root: `deno task bench` (`deno run -A
 * --config bench/deno.json bench/engine.ts`). Prints progress to stderr and the report to stdout.
 *
 * @module
 */

import { PEERS } from "./peers.ts";
import { renderReport, W3_EAGER_ITEMS } from "./report.ts";
import { runChild, type Sample } from "./spawn.ts";

const W1_REPEATS = 3;
const W2_REPEATS = 5;

type Job = readonly [workload: string, peer: string, n?: number];

function plan(): Job[] {
  const names = Object.keys(PEERS);
  const jobs: Job[] = [];
  for (let i = 0; i < W1_REPEATS; i++) {
    jobs.push(...names.map((n) => ["W1", n] as const));
  }
  for (let i = 0; i < W2_REPEATS; i++) {
    jobs.push(...names.map((n) => ["W2", n] as const));
  }
  for (const name of names) {
    if (PEERS[name]?.lazy) jobs.push(["W3", name]);
    else jobs.push(...W3_EAGER_ITEMS.map((n) => ["W3", name, n] as const));
  }
  for (const name of names) jobs.push(["W4", name]);
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

${renderReport(samples)}`);
