/**
 * Worker and coordinator processes of the distributed tests: the CLI in a
 * subprocess, its stderr collected, with a promise for a line to appear.
 */

import { ROOT } from "../cli/_helpers.ts";

/** A CLI process of a test. */
export interface Proc extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** Its stderr so far. */
  stderr(): string;
  /** Resolves once stderr holds `text`; rejects after `ms`. */
  waitFor(text: string, ms?: number): Promise<void>;
  /** Resolves with its exit status. */
  readonly status: Promise<Deno.CommandStatus>;
  kill(signal?: Deno.Signal): void;
}

/** Starts `deno run -A cli.ts ...args` in `cwd`. */
export function startCli(args: readonly string[], cwd: string): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}cli.ts`,
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
    }
  })();
  const status = child.status.then(async (s) => {
    await reading;
    return s;
  });
  const kill = (signal: Deno.Signal = "SIGKILL") => {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
  };
  return {
    child,
    stderr: () => text,
    async waitFor(wanted: string, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!text.includes(wanted)) {
        if (Date.now() > deadline) {
          throw new Error(`Timed out waiting for "${wanted}" in:\n${text}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    status,
    kill,
    async [Symbol.asyncDispose]() {
      kill();
      await status;
    },
  };
}

/** Starts a worker serving `file` on `redis`, and waits until it serves. */
export async function startWorker(
  file: string,
  redis: string,
  cwd: string,
  extra: readonly string[] = [],
): Promise<Proc> {
  const proc = startCli(
    ["worker", file, "--redis", redis, "--no-check", ...extra],
    cwd,
  );
  await proc.waitFor("serving");
  return proc;
}

/** The workflow of the process tests: ids from input.jsonl, each logged with its worker's pid. */
export function idsWorkflow(delayMs: number, concurrency = 8): string {
  return `import { defineWorkflow, fromJsonl, sleep, toJsonl } from "@poolflow/poolflow";
export default defineWorkflow({
  name: "dist_ids",
  source: fromJsonl<{ id: number }>("input.jsonl"),
  pipeline: (rows) =>
    rows.map("work", async ({ id }, { signal }) => {
      await Deno.writeTextFile("runs.log", \`\${id} \${Deno.pid}\\n\`, { append: true });
      await sleep(${delayMs}, signal);
      return { id, pid: Deno.pid };
    }, { concurrency: ${concurrency} }),
  sink: toJsonl("out.jsonl"),
});
`;
}

/** Writes the ids workflow and `n` ids into `dir`. */
export async function setUp(
  dir: string,
  n: number,
  delayMs: number,
  concurrency = 8,
): Promise<string> {
  await Deno.writeTextFile(
    `${dir}/input.jsonl`,
    Array.from({ length: n }, (_, id) => `{"id":${id}}\n`).join(""),
  );
  await Deno.writeTextFile(`${dir}/ids.ts`, idsWorkflow(delayMs, concurrency));
  return "ids.ts";
}

/** The ids in out.jsonl, in order written. */
export async function writtenIds(dir: string): Promise<number[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(`${dir}/out.jsonl`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l).id);
}

/** The pids that ran each id (from runs.log). */
export async function runsOf(dir: string): Promise<Map<number, number[]>> {
  const runs = new Map<number, number[]>();
  let text = "";
  try {
    text = await Deno.readTextFile(`${dir}/runs.log`);
  } catch { /* none yet */ }
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [id, pid] = line.split(" ").map(Number) as [number, number];
    runs.set(id, [...runs.get(id) ?? [], pid]);
  }
  return runs;
}

/** 0..n-1 */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
