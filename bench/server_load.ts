/**
 * Load test of the HTTP runner (not part of `deno task test`): the server
 * runs in a child process on 127.0.0.1 (port 0) with a short retention,
 * so its memory is measured on its own (`/proc/<pid>/status`). For a
 * bounded time, 200 clients follow event streams (each moving to the
 * newest run when its run ends) while runs of a small workflow are created
 * at a steady rate and inspected. It prints failed requests, unhandled
 * rejections, requests per second, p50/p99 latencies of `POST /runs` and
 * `GET /runs/:id`, and the server's RSS before, at peak and after the
 * finished runs have expired, for each of two rounds: RSS back at the same
 * level after each round means memory does not grow with uptime. Stops by
 * itself (about two minutes); loopback only.
 *
 *     deno run -A --config bench/deno.json bench/server_load.ts [--seconds 30] [--clients 200] [--rate 20] [--rounds 2]
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";

const flags = parseArgs(Deno.args, {
  string: ["seconds", "clients", "rate", "keep-for", "rounds"],
});
const SECONDS = Math.min(Number(flags.seconds ?? 30), 120);
const CLIENTS = Math.min(Number(flags.clients ?? 200), 1000);
const RATE = Math.min(Number(flags.rate ?? 20), 200);
const KEEP_FOR_S = Number(flags["keep-for"] ?? 3);
const ROUNDS = Math.min(Number(flags.rounds ?? 2), 5);
const TOKEN = crypto.randomUUID();
const WORKFLOWS = new URL("../examples/server/workflows", import.meta.url)
  .pathname;
const SERVER = new URL("../server.ts", import.meta.url).pathname;
const RUN = {
  workflow: "checks",
  params: { count: 40, delayMs: 50, failEvery: 20 },
};

let unhandled = 0;
globalThis.addEventListener("unhandledrejection", (event) => {
  unhandled++;
  event.preventDefault();
});

function rssMb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = status.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------ the server

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    SERVER,
    "--workflows",
    WORKFLOWS,
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
    "--keep-for",
    `${KEEP_FOR_S}s`,
    "--keep-runs",
    "10000",
    "--max-runs",
    "200",
    "--progress-interval",
    "250ms",
  ],
  env: { POOLFLOW_TOKEN: TOKEN, NO_COLOR: "1" },
  stdout: "null",
  stderr: "piped",
}).spawn();
const serverLog: string[] = [];
const listening = Promise.withResolvers<string>();
(async () => {
  const lines = child.stderr.pipeThrough(new TextDecoderStream());
  let buffer = "";
  for await (const chunk of lines) {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      const match = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) listening.resolve(match[1]!);
      else if (line.trim() !== "" && !line.startsWith("warning:")) {
        serverLog.push(line);
      }
    }
  }
})();
const startup = setTimeout(
  () => listening.reject(new Error("The server did not start in 20 s")),
  20_000,
);
const base = await listening.promise;
clearTimeout(startup);
const auth = { authorization: `Bearer ${TOKEN}` };

// ------------------------------------------------------------ counters

const counts = { requests: 0, failed: 0, streams: 0, events: 0 };
const failures = new Map<string, number>();
const latency = { post: [] as number[], get: [] as number[] };
const recent: string[] = [];

function fail(what: string): void {
  counts.failed++;
  failures.set(what, (failures.get(what) ?? 0) + 1);
}

async function createRun(): Promise<void> {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(RUN),
    });
    const body = await response.json();
    latency.post.push(performance.now() - started);
    counts.requests++;
    if (response.status !== 201) return fail(`POST /runs ${response.status}`);
    recent.push(body.id);
    if (recent.length > 50) recent.shift();
  } catch (error) {
    fail(`POST /runs ${(error as Error).name}`);
  }
}

async function inspectRun(id: string): Promise<void> {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/runs/${id}`, { headers: auth });
    await response.arrayBuffer();
    latency.get.push(performance.now() - started);
    counts.requests++;
    if (response.status !== 200) fail(`GET /runs/:id ${response.status}`);
  } catch (error) {
    fail(`GET /runs/:id ${(error as Error).name}`);
  }
}

/** Follows the newest run's events to their end, again and again. */
async function streamClient(stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    const id = recent.at(-1);
    if (id === undefined) {
      await sleep(50);
      continue;
    }
    try {
      const response = await fetch(`${base}/runs/${id}/events`, {
        headers: auth,
        signal: stop,
      });
      counts.requests++;
      if (response.status === 204) {
        await sleep(20);
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        fail(`GET /runs/:id/events ${response.status}`);
        await sleep(50);
        continue;
      }
      counts.streams++;
      const reader = response.body!.pipeThrough(new TextDecoderStream())
        .getReader();
      let finished = false;
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const line of value.split("\n")) {
          if (line.startsWith("event: ")) {
            counts.events++;
            if (line === "event: run-finished") finished = true;
          }
        }
      }
      if (!finished) fail("event stream ended early");
    } catch (error) {
      if (!stop.aborted) fail(`event stream ${(error as Error).name}`);
    }
  }
}

// ------------------------------------------------------------ the load

const memory: { label: string; rss: number; runs: number }[] = [];
async function measure(label: string): Promise<void> {
  const response = await fetch(`${base}/runs`, { headers: auth });
  const { runs } = await response.json();
  memory.push({ label, rss: rssMb(child.pid), runs: runs.length });
}

// Warm up: a few runs, then let them expire.
for (let i = 0; i < 5; i++) await createRun();
await sleep((KEEP_FOR_S + 2) * 1000);
await measure("before the load");
Object.assign(counts, { requests: 0, failed: 0, streams: 0, events: 0 });
failures.clear();
latency.post.length = latency.get.length = 0;
recent.length = 0; // the warm-up runs have expired

/** One round: the clients and the run creations for SECONDS, then a wait. */
async function loadRound(round: number): Promise<number> {
  const stop = new AbortController();
  const clients = Array.from(
    { length: CLIENTS },
    () => streamClient(stop.signal),
  );
  let peak = NaN;
  const sampler = setInterval(
    () => peak = Math.max(Number.isNaN(peak) ? 0 : peak, rssMb(child.pid)),
    250,
  );
  const pending = new Set<Promise<void>>();
  const track = (promise: Promise<void>) => {
    pending.add(promise);
    promise.finally(() => pending.delete(promise));
  };
  const started = performance.now();
  const interval = 1000 / RATE;
  for (let n = 0; performance.now() - started < SECONDS * 1000; n++) {
    track(createRun());
    const id = recent[Math.floor(Math.random() * recent.length)];
    if (id !== undefined) track(inspectRun(id));
    const next = started + (n + 1) * interval;
    await sleep(Math.max(0, next - performance.now()));
  }
  await Promise.all(pending);
  // Let the streams reach the end of the last runs, then stop the clients.
  await sleep(2000);
  const seconds = (performance.now() - started) / 1000;
  stop.abort();
  await Promise.all(clients);
  clearInterval(sampler);
  await measure(`round ${round}: end of the load`);
  memory.push({ label: `round ${round}: peak`, rss: peak, runs: NaN });
  recent.length = 0;
  let waited = 0;
  for (const after of [KEEP_FOR_S + 2, KEEP_FOR_S + 17]) {
    await sleep((after - waited) * 1000);
    waited = after;
    await measure(`round ${round}: ${after} s after`);
  }
  return seconds;
}

let loadSeconds = 0;
for (let round = 1; round <= ROUNDS; round++) {
  loadSeconds += await loadRound(round);
}

child.kill("SIGTERM");
const exit = await Promise.race([
  child.status,
  sleep(10_000).then(() => {
    child.kill("SIGKILL");
    return child.status;
  }),
]);

// ------------------------------------------------------------ the report

const f = (x: number, digits = 1) =>
  Number.isFinite(x) ? x.toFixed(digits) : "—";
const rows: [string, string][] = [
  ["duration of the load", `${f(loadSeconds)} s in ${ROUNDS} rounds`],
  ["event-stream clients", String(CLIENTS)],
  [
    "runs created (POST /runs)",
    `${latency.post.length} (${f(latency.post.length / loadSeconds)}/s)`,
  ],
  ["GET /runs/:id", String(latency.get.length)],
  ["event streams followed", String(counts.streams)],
  [
    "events received",
    `${counts.events} (${f(counts.events / loadSeconds, 0)}/s)`,
  ],
  [
    "HTTP requests (all)",
    `${counts.requests} (${f(counts.requests / loadSeconds)}/s)`,
  ],
  [
    "failed requests",
    `${counts.failed}${
      failures.size ? ` ${JSON.stringify(Object.fromEntries(failures))}` : ""
    }`,
  ],
  ["unhandled rejections (client)", String(unhandled)],
  ["server errors logged", String(serverLog.length)],
  [
    "POST /runs p50 / p99",
    `${f(percentile(latency.post, 50))} / ${
      f(percentile(latency.post, 99))
    } ms`,
  ],
  [
    "GET /runs/:id p50 / p99",
    `${f(percentile(latency.get, 50))} / ${f(percentile(latency.get, 99))} ms`,
  ],
  ...memory.map((m): [string, string] => [
    `server RSS, ${m.label}`,
    `${f(m.rss)} MiB${Number.isNaN(m.runs) ? "" : ` (${m.runs} runs kept)`}`,
  ]),
  ["server exit after SIGTERM", String(exit.code)],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(
  `\n| ${"measure".padEnd(width)} | value |\n| ${"-".repeat(width)} | ----- |`,
);
for (const [key, value] of rows) {
  console.log(`| ${key.padEnd(width)} | ${value} |`);
}
for (const line of serverLog.slice(0, 10)) console.log(`server: ${line}`);
const ok = counts.failed === 0 && unhandled === 0 && serverLog.length === 0;
Deno.exit(ok ? 0 : 1);
