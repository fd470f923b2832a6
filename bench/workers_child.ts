/**
 * One measurement of the worker benchmark in its own process, printed as
 * one JSON line: `{ ms, n, perTaskUs, rssMb }`.
 *
 * Usage: `deno run -A --config bench/deno.json bench/workers_child.ts <mode> <n>` with mode one of
 * `cpu-main`, `cpu-pool`, `cpu-workflow` (the ~1 ms hash on the main thread,
 * on a 2-thread `WorkerPool`, through `run()` with `inWorker`), or
 * `tiny-poolflow`, `tiny-piscina`, `tiny-tinypool` (no-op tasks on 2
 * threads, after a warm-up; all submitted at once).
 *
 * @module
 */

import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
// The pieces themselves, not mod.ts: the benchmark needs nothing else.
import { range } from "../lib/io/range_source.ts";
import { inWorker } from "../lib/workers/in_worker.ts";
import { WorkerPool } from "../lib/workers/worker_pool.ts";
import { defineWorkflow } from "../lib/workflow/define.ts";
import { run } from "../lib/workflow/run.ts";
import { readMemoryMb } from "./proc.ts";
import { hash } from "./workers_tasks.ts";

const TASKS = new URL("./workers_tasks.ts", import.meta.url);
const THREADS = 2;
const WARM_UP = 2_000;
const SETTLE_MS = 1_000;

/** Something that runs `name` from the tasks module on an input. */
interface Runner {
  run(name: "hash" | "noop", input: number): Promise<unknown>;
  close(): Promise<void>;
}

function poolflow(): Runner {
  const pool = new WorkerPool({ size: THREADS });
  return {
    run: (name, input) => pool.run(TASKS, name, input),
    close: () => pool.close(),
  };
}

function piscina(): Runner {
  const pool = new Piscina({
    filename: TASKS.href,
    minThreads: THREADS,
    maxThreads: THREADS,
  });
  return {
    run: (name, input) => pool.run(input, { name }),
    close: () => pool.destroy(),
  };
}

function tinypool(): Runner {
  const pool = new Tinypool({
    filename: TASKS.href,
    minThreads: THREADS,
    maxThreads: THREADS,
  });
  return {
    run: (name, input) => pool.run(input, { name }),
    close: () => pool.destroy(),
  };
}

const RUNNERS: Record<string, () => Runner> = {
  poolflow,
  piscina,
  tinypool,
};

/** Runs `n` tasks submitted at once; returns the milliseconds they took. */
async function timeAll(
  runner: Runner,
  name: "hash" | "noop",
  n: number,
): Promise<number> {
  const started = performance.now();
  const pending: Promise<unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) pending[i] = runner.run(name, i);
  await Promise.all(pending);
  return performance.now() - started;
}

async function measure(mode: string, n: number): Promise<number> {
  if (mode === "cpu-main") {
    for (let i = 0; i < 50; i++) hash(i);
    const started = performance.now();
    for (let i = 0; i < n; i++) hash(i);
    return performance.now() - started;
  }
  if (mode === "cpu-workflow") {
    const stage = inWorker<typeof import("./workers_tasks.ts"), "hash">(
      TASKS,
      "hash",
      { workers: THREADS },
    );
    const workflow = defineWorkflow({
      name: "hash",
      source: range(n),
      pipeline: (items) =>
        items.map("hash", stage, { concurrency: THREADS * 4 }),
    });
    const started = performance.now();
    const summary = await run(workflow).done;
    if (summary.status !== "succeeded") throw new Error(summary.status);
    return performance.now() - started;
  }
  const [kind, library = "poolflow"] = mode === "cpu-pool"
    ? ["cpu", "poolflow"]
    : mode.split("-");
  const make = RUNNERS[library];
  if (make === undefined || (kind !== "cpu" && kind !== "tiny")) {
    throw new Error(`Unknown mode ${mode}`);
  }
  const runner = make();
  const task = kind === "cpu" ? "hash" : "noop";
  try {
    // One task, then a pause for every thread to start: tinypool under
    // Deno hangs now and then when tasks reach a thread still starting.
    await runner.run(task, 0);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await timeAll(runner, task, kind === "cpu" ? 50 : WARM_UP);
    return await timeAll(runner, task, n);
  } finally {
    await runner.close();
  }
}

const [mode = "", count = ""] = Deno.args;
const n = Number(count);
if (!mode || !Number.isSafeInteger(n) || n < 1) {
  console.error("usage: workers_child.ts <mode> <n>");
  Deno.exit(2);
}
const ms = await measure(mode, n);
console.log(JSON.stringify({
  ms,
  n,
  perTaskUs: (ms * 1000) / n,
  rssMb: readMemoryMb("VmHWM"),
}));
// A library may keep threads alive after destroy(); do not wait for them.
Deno.exit(0);
