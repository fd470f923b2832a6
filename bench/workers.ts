/**
 * The worker-thread benchmark, two questions:
 *
 * 1. CPU-bound speed-up: 20,000 items of ~1 ms of SHA-256 (plain
 *    JavaScript, synchronous) on the main thread, against a 2-thread
 *    `WorkerPool` (all tasks submitted at once) and against a workflow
 *    stage `inWorker(..., { workers: 2 })` at concurrency 8. Target:
 *    speed-up >= 1.8 on a 2-core machine.
 * 2. Per-task overhead: 50,000 no-op tasks on 2 threads, submitted at
 *    once after a warm-up, for poolflow's `WorkerPool`, npm `piscina` and
 *    npm `tinypool` (both under Deno). Target: at most the better peer's
 *    time per task.
 *
 * Every measurement runs in its own process (`workers_child.ts`); repeats
 * go round-robin and the report shows medians.
 *
 * Run from the repository root: `deno task bench:workers` (`deno run -A
 * --config bench/deno.json bench/workers.ts`); `--config <file>` passes
 * another config to the children than `bench/deno.json`.
 * Progress goes to stderr, the markdown report to stdout.
 *
 * @module
 */

import { BENCH_CONFIG } from "./config.ts";

const CPU_ITEMS = 20_000;
const TINY_TASKS = 50_000;
const REPEATS = 3;
const SPEEDUP_TARGET = 1.8;
const CHILD_TIMEOUT_MS = 120_000;
const CPU_MODES = ["cpu-main", "cpu-pool", "cpu-workflow"] as const;
const TINY_MODES = ["tiny-poolflow", "tiny-piscina", "tiny-tinypool"] as const;

/** What a child prints. */
interface ChildResult {
  readonly ms: number;
  readonly n: number;
  readonly perTaskUs: number;
  readonly rssMb: number;
}

/** A mode's runs: results, or the error of a failed run. */
interface Runs {
  readonly results: ChildResult[];
  error: string | undefined;
}

const CHILD = new URL("./workers_child.ts", import.meta.url);
const configAt = Deno.args.indexOf("--config");
const config = (configAt >= 0 ? Deno.args[configAt + 1] : undefined) ??
  BENCH_CONFIG;

async function runChild(mode: string, n: number): Promise<ChildResult> {
  const args = ["run", "-A"];
  args.push("--config", config);
  args.push(decodeURIComponent(CHILD.pathname), mode, String(n));
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(CHILD_TIMEOUT_MS),
  }).output();
  const line = new TextDecoder().decode(output.stdout).trim().split("\n").at(
    -1,
  );
  if (!output.success || !line?.startsWith("{")) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(
      output.signal ? `killed (${output.signal})` : stderr || "no output",
    );
  }
  return JSON.parse(line) as ChildResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const runs = new Map<string, Runs>();
const retries: string[] = [];
const jobs: [string, number][] = [];
for (let i = 0; i < REPEATS; i++) {
  for (const mode of TINY_MODES) jobs.push([mode, TINY_TASKS]);
  for (const mode of CPU_MODES) jobs.push([mode, CPU_ITEMS]);
}
const started = performance.now();
for (const [i, [mode, n]] of jobs.entries()) {
  const entry = runs.get(mode) ?? { results: [], error: undefined };
  runs.set(mode, entry);
  const t0 = performance.now();
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      entry.results.push(await runChild(mode, n));
      break;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      // One retry: a peer that hangs now and then still gets its figure.
      if (attempt === 1) retries.push(`${mode}: ${why.split("\n")[0]}`);
      else entry.error = why;
    }
  }
  console.error(
    `[${i + 1}/${jobs.length}] ${mode}: ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s${entry.error ? ` ERROR ${entry.error.split("\n")[0]}` : ""}`,
  );
}

const medianOf = (mode: string, key: keyof ChildResult): number => {
  const results = runs.get(mode)?.results ?? [];
  return results.length ? median(results.map((r) => r[key])) : NaN;
};
const fmt = (value: number, digits = 0): string =>
  Number.isNaN(value) ? "n/a" : value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const failed = (mode: string): string => {
  const error = runs.get(mode)?.error;
  return error ? ` (failed: ${error.split("\n")[0]})` : "";
};

const mainMs = medianOf("cpu-main", "ms");
const cpuRows = CPU_MODES.map((mode) => {
  const ms = medianOf(mode, "ms");
  const label = {
    "cpu-main": "main thread, one at a time",
    "cpu-pool": "`WorkerPool` size 2, all submitted",
    "cpu-workflow": "`run()` with `inWorker` workers 2, concurrency 8",
  }[mode];
  return `| ${label}${failed(mode)} | ${fmt(ms / 1000, 2)} | ${
    fmt(medianOf(mode, "perTaskUs") / 1000, 3)
  } | ${fmt(mainMs / ms, 2)} | ${fmt(medianOf(mode, "rssMb"))} |`;
});

const peers = ["tiny-piscina", "tiny-tinypool"].map((m) =>
  medianOf(m, "perTaskUs")
).filter((v) => !Number.isNaN(v));
const bestPeer = peers.length ? Math.min(...peers) : NaN;
const tinyRows = TINY_MODES.map((mode) => {
  const us = medianOf(mode, "perTaskUs");
  const name = mode.slice("tiny-".length);
  return `| ${name}${failed(mode)} | ${fmt(us, 2)} | ${fmt(1e6 / us)} | ${
    fmt(us / bestPeer, 2)
  } | ${fmt(medianOf(mode, "rssMb"))} |`;
});

const speedup = mainMs / medianOf("cpu-pool", "ms");
const workflowSpeedup = mainMs / medianOf("cpu-workflow", "ms");
const overhead = medianOf("tiny-poolflow", "perTaskUs");
const totalS = ((performance.now() - started) / 1000).toFixed(0);

console.log(`## poolflow worker-thread benchmark

\`deno run -A --config bench/deno.json bench/workers.ts\` — Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} CPUs; ${jobs.length} child runs in ${totalS} s, medians of ${REPEATS}.

### CPU-bound: ${fmt(CPU_ITEMS)} items of ~1 ms SHA-256 (plain JS)

| how | wall s | ms/item | speed-up | peak RSS MB |
| --- | ---: | ---: | ---: | ---: |
${cpuRows.join("\n")}

### Per-task overhead: ${fmt(TINY_TASKS)} no-op tasks on 2 threads

| library | µs/task | tasks/s | vs best peer | peak RSS MB |
| --- | ---: | ---: | ---: | ---: |
${tinyRows.join("\n")}

Targets: speed-up >= ${SPEEDUP_TARGET}: ${
  speedup >= SPEEDUP_TARGET ? "met" : "MISSED"
} (${fmt(speedup, 2)} pool, ${
  fmt(workflowSpeedup, 2)
} workflow); per-task overhead at most the better peer's: ${
  overhead <= bestPeer ? "met" : "MISSED"
} (${fmt(overhead, 2)} µs against ${fmt(bestPeer, 2)} µs).${
  retries.length ? `\n\nRetried once: ${retries.join("; ")}.` : ""
}`);
