/**
 * Distributed runs on Redis (issue 11): per-item overhead against bare
 * BullMQ, CPU speed-up with 1 and 2 worker processes, throughput under a
 * global rate limit with 1, 2 and 4 workers, and coordinator and Redis
 * memory over a long input. Starts its own redis-server on a free port.
 *
 * ```sh
 * deno run -A --config bench/deno.json bench/distributed.ts overhead [jobs]
 * deno run -A --config bench/deno.json bench/distributed.ts cpu [items]
 * deno run -A --config bench/deno.json bench/distributed.ts io [items] [rate]
 * deno run -A --config bench/deno.json bench/distributed.ts memory [items...]
 * ```
 */

import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import {
  defineWorkflow,
  fromIterable,
  planWorkflow,
  run,
} from "@poolflow/poolflow";
import {
  planFingerprint,
  redisExecutor,
  serveWorkflow,
} from "@poolflow/poolflow/distributed";
import { startRedis } from "../tests/distributed/_redis.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const opened: Redis[] = [];
const client = (port: number) => {
  const c = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null });
  opened.push(c);
  return c;
};

async function bare(
  port: number,
  n: number,
  concurrency: number,
): Promise<number> {
  const name = `bare${Date.now()}`;
  const queue = new Queue(name, { connection: client(port) });
  let done = 0;
  const finished = Promise.withResolvers<void>();
  const t0 = performance.now();
  const worker = new Worker(name, (job) => Promise.resolve(job.data.x), {
    connection: client(port),
    concurrency,
  });
  worker.on("completed", () => {
    if (++done === n) finished.resolve();
  });
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        name: "t",
        data: { x: i + j },
        opts: { removeOnComplete: true },
      })),
    );
  }
  await finished.promise;
  const ms = performance.now() - t0;
  await worker.close();
  await queue.close();
  return ms;
}

async function ours(
  url: string,
  n: number,
  concurrency: number,
): Promise<number> {
  const workflow = defineWorkflow({
    name: `noop${Date.now()}`,
    source: fromIterable(Array.from({ length: n }, (_, i) => i)),
    pipeline: (rows) => rows.map("noop", (x: number) => x, { concurrency }),
  });
  const worker = await serveWorkflow(workflow, { redis: url });
  const executor = redisExecutor({
    redis: url,
    workflow: workflow.name,
    fingerprint: await planFingerprint(planWorkflow(workflow)),
  });
  const t0 = performance.now();
  const summary = await run(workflow, { executor }).done;
  const ms = performance.now() - t0;
  if (summary.read !== n) throw new Error(`read ${summary.read}`);
  await executor.close();
  await worker.close();
  return ms;
}

/** A workflow file for worker processes: a CPU or sleeping stage. */
async function workflowFile(
  kind: "cpu" | "io",
  n: number,
  concurrency: number,
  rate?: number,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_bench_dist_" });
  const body = kind === "cpu"
    ? `(x: number) => {
        // ~2 ms of hashing-like work (FNV over a buffer), synchronous.
        let h = 2166136261 ^ x;
        const end = performance.now() + 2;
        while (performance.now() < end) {
          for (let i = 0; i < 1000; i++) h = Math.imul(h ^ i, 16777619);
        }
        return h;
      }`
    : `async (x: number) => { await new Promise((r) => setTimeout(r, 20)); return x; }`;
  const code =
    `import { defineWorkflow, fromIterable } from "@poolflow/poolflow";
export default defineWorkflow({
  name: "bench_${kind}",
  source: fromIterable(Array.from({ length: ${n} }, (_, i) => i)),
  pipeline: (rows) => rows.map("work", ${body}, { concurrency: ${concurrency}${
      rate ? `, rateLimit: "${rate}/s"` : ""
    } }),
});
`;
  const path = `${dir}/workflow.ts`;
  await Deno.writeTextFile(path, code);
  return path;
}

async function withWorkers(
  file: string,
  url: string,
  count: number,
  extra: string[],
  body: () => Promise<number>,
): Promise<number> {
  const procs = [];
  for (let i = 0; i < count; i++) {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        `${ROOT}deno.json`,
        `${ROOT}cli.ts`,
        "worker",
        file,
        "--redis",
        url,
        "--no-check",
        ...extra,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.getReader();
    let text = "";
    while (!text.includes("serving")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`worker failed: ${text}`);
      text += new TextDecoder().decode(value);
    }
    // Keep reading: a closed pipe would kill the worker at its next line.
    (async () => {
      while (!(await reader.read()).done) { /* drained */ }
    })();
    procs.push(child);
  }
  try {
    return await body();
  } finally {
    for (const p of procs) {
      p.kill("SIGTERM");
      await p.status;
    }
  }
}

async function coordinate(file: string, url: string): Promise<number> {
  const workflow = (await import(`file://${file}`)).default;
  const plan = planWorkflow(workflow, { file });
  const executor = redisExecutor({
    redis: url,
    workflow: plan.name,
    fingerprint: await planFingerprint(plan, await Deno.readTextFile(file)),
  });
  const t0 = performance.now();
  const summary = await run(workflow, { executor }).done;
  const ms = performance.now() - t0;
  await executor.close();
  if (summary.status !== "succeeded") throw new Error(summary.status);
  return ms;
}

async function infoMemory(port: number): Promise<number> {
  const c = client(port);
  const info = await c.info("memory");
  c.disconnect();
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

const [mode = "overhead", ...rest] = Deno.args;
const redis = await startRedis();
try {
  if (mode === "overhead") {
    const n = Number(rest[0] ?? 5000);
    for (let round = 0; round < 2; round++) {
      const b = await bare(redis.port, n, 50);
      const o = await ours(redis.url, n, 50);
      console.log(
        `overhead n=${n} concurrency=50: bare BullMQ ${
          (b / n * 1000).toFixed(0)
        } µs/job (${(n / b * 1000).toFixed(0)} jobs/s), poolflow ${
          (o / n * 1000).toFixed(0)
        } µs/item (${(n / o * 1000).toFixed(0)} items/s), ratio ${
          (o / b).toFixed(2)
        }`,
      );
    }
  } else if (mode === "cpu") {
    const n = Number(rest[0] ?? 10_000);
    const file = await workflowFile("cpu", n, 8);
    const one = await withWorkers(
      file,
      redis.url,
      1,
      ["-c", "1"],
      () => coordinate(file, redis.url),
    );
    const two = await withWorkers(
      file,
      redis.url,
      2,
      ["-c", "1"],
      () => coordinate(file, redis.url),
    );
    console.log(
      `cpu n=${n} 2 ms each: 1 worker ${(one / 1000).toFixed(1)} s, 2 workers ${
        (two / 1000).toFixed(1)
      } s, speed-up ${(one / two).toFixed(2)}`,
    );
  } else if (mode === "io") {
    const n = Number(rest[0] ?? 2000);
    const rate = Number(rest[1] ?? 200);
    const file = await workflowFile("io", n, 64, rate);
    for (const workers of [1, 2, 4]) {
      const ms = await withWorkers(
        file,
        redis.url,
        workers,
        [],
        () => coordinate(file, redis.url),
      );
      const got = n / ms * 1000;
      console.log(
        `io n=${n} 20 ms each, rateLimit ${rate}/s, ${workers} worker(s): ${
          got.toFixed(1)
        } items/s (${(got / rate * 100).toFixed(1)}% of the limit)`,
      );
    }
  } else if (mode === "memory") {
    for (const n of (rest.length ? rest : ["100000"]).map(Number)) {
      const workflow = defineWorkflow({
        name: `mem${n}`,
        source: fromIterable((function* () {
          for (let i = 0; i < n; i++) yield i;
        })()),
        pipeline: (rows) =>
          rows.map("noop", (x: number) => x, { concurrency: 50 }),
      });
      const worker = await serveWorkflow(workflow, { redis: redis.url });
      const executor = redisExecutor({
        redis: redis.url,
        workflow: workflow.name,
        fingerprint: await planFingerprint(planWorkflow(workflow)),
      });
      const handle = run(workflow, { executor });
      let rssMax = 0, redisMax = 0;
      const samples: string[] = [];
      const timer = setInterval(async () => {
        const rss = Deno.memoryUsage().rss;
        const mem = await infoMemory(redis.port);
        rssMax = Math.max(rssMax, rss);
        redisMax = Math.max(redisMax, mem);
        const read = handle.stats().read;
        if (samples.length < 1000) {
          samples.push(
            `${read}:${(rss / 2 ** 20).toFixed(0)}/${
              (mem / 2 ** 20).toFixed(1)
            }`,
          );
        }
      }, 2000);
      const t0 = performance.now();
      const summary = await handle.done;
      clearInterval(timer);
      await executor.close();
      await worker.close();
      console.log(
        `memory n=${n}: ${
          ((performance.now() - t0) / 1000).toFixed(0)
        } s, read ${summary.read}; max process RSS (coordinator + worker) ${
          (rssMax / 2 ** 20).toFixed(0)
        } MiB, max Redis used_memory ${
          (redisMax / 2 ** 20).toFixed(1)
        } MiB; samples read:rssMiB/redisMiB ${
          samples.filter((_, i) => i % Math.ceil(samples.length / 8) === 0)
            .join(" ")
        }`,
      );
    }
  }
} finally {
  for (const c of opened) c.disconnect();
  await redis.kill();
}
