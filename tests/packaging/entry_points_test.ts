/**
 * The package's entry points: the main one (`mod.ts`) and the subpaths
 * (`./pool`, `./io`, `./workflow`, `./workers`, `./durable`) load no
 * `node:` module, so the engine runs where Node's built-ins do not (a
 * browser bundle, another runtime); the engine's subpath loads nothing of
 * workflows, files, workers or checkpoints; every subpath export is the
 * main entry's own; and a durable run on a SQLite file with a stage on
 * worker threads still works through `mod.ts`, loading what it needs when
 * it starts.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";
import * as main from "@poolflow/poolflow";
import {
  defineWorkflow,
  inWorker,
  ResumeError,
  run,
  toJsonl,
} from "@poolflow/poolflow";
import { TASKS, type Tasks } from "../workers/_helpers.ts";

const ROOT = new URL("../../", import.meta.url);

interface Dependency {
  readonly specifier: string;
  readonly isDynamic?: boolean;
}

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly Dependency[];
}

/** The module graph of `file` as `deno info --json` sees it. */
async function graphOf(file: string): Promise<GraphModule[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", "deno.json", file],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: GraphModule[];
  };
  return info.modules;
}

/** The library entry points in deno.json's exports (not the CLI or server). */
async function libraryEntries(): Promise<Record<string, string>> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { exports: Record<string, string> };
  const entries = { ...config.exports };
  delete entries["./cli"];
  delete entries["./server"];
  return entries;
}

Deno.test("deno.json exports the main entry and the library's subpaths", async () => {
  assertEquals(Object.keys(await libraryEntries()).sort(), [
    ".",
    "./distributed",
    "./durable",
    "./executors",
    "./io",
    "./pool",
    "./telemetry",
    "./workers",
    "./workflow",
  ]);
});

Deno.test("no library entry point's module graph holds a node: module, statically or dynamically", async () => {
  for (const [name, file] of Object.entries(await libraryEntries())) {
    const graph = await graphOf(file);
    const node = graph.flatMap((module) => [
      ...(module.specifier.startsWith("node:") ? [module.specifier] : []),
      ...(module.dependencies ?? [])
        .filter((dependency) => dependency.specifier.startsWith("node:"))
        .map((dependency) => `${module.specifier} -> ${dependency.specifier}`),
    ]);
    // On failure: load the module where it is used (see loadSqlite in
    // lib/durable/sqlite_store.ts), not at the top of a file.
    assertEquals(node, [], `entry point "${name}" (${file})`);
  }
});

Deno.test("the engine's subpath loads nothing of workflows, files, workers or checkpoints", async () => {
  const graph = await graphOf("pool.ts");
  const local = graph
    .map((module) => module.specifier)
    .filter((specifier) => specifier.startsWith(ROOT.href))
    .map((specifier) => specifier.slice(ROOT.href.length));
  assert(local.includes("lib/pool/map_run.ts"), local.join(", "));
  assertEquals(
    local.filter((path) =>
      /^lib\/(workflow|io|workers|durable|executors)\//.test(path)
    ),
    [],
  );
});

Deno.test("the main entry's graph holds no bullmq, ioredis or distributed module", async () => {
  const graph = await graphOf("mod.ts");
  const found = graph.map((module) => module.specifier).filter((specifier) =>
    /bullmq|ioredis|\/lib\/distributed\/|\/distributed\.ts$/.test(specifier)
  );
  assertEquals(found, []);
});

Deno.test("every export of a subpath is the main entry's own", async () => {
  const everything = main as Record<string, unknown>;
  for (const [name, file] of Object.entries(await libraryEntries())) {
    // Telemetry and distributed runs are add-ons: they load
    // @opentelemetry/api or bullmq, which the main entry must not pay for,
    // so they are the subpaths mod.ts leaves out.
    if (name === "." || name === "./telemetry" || name === "./distributed") {
      continue;
    }
    const entry = await import(new URL(file, ROOT).href) as Record<
      string,
      unknown
    >;
    assert(Object.keys(entry).length > 0, name);
    for (const [key, value] of Object.entries(entry)) {
      assert(
        everything[key] === value,
        `"${key}" of "${name}" is not exported by mod.ts`,
      );
    }
  }
});

Deno.test("a durable run on a SQLite file with a worker-thread stage works through mod.ts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_entry_" });
  try {
    const store = `${dir}/state/checkpoints.db`;
    const workflow = defineWorkflow({
      name: "squares",
      source: main.range(20),
      pipeline: (rows) =>
        rows.map("square", inWorker<Tasks, "square">(TASKS, "square"), {
          concurrency: 2,
        }),
      sink: toJsonl(`${dir}/out.jsonl`),
    });
    const summary = await run(workflow, { durable: { store } }).done;
    assertEquals(summary.status, "succeeded");
    const written = (await Deno.readTextFile(`${dir}/out.jsonl`))
      .trim().split("\n").map(Number).sort((a, b) => a - b);
    assertEquals(written, Array.from({ length: 20 }, (_, n) => n * n));

    // The checkpoint is in the file: a resume finds the run finished.
    const again = await run(workflow, { durable: { store, resume: true } })
      .done;
    assertEquals(again.status, "failed");
    assertEquals(again.error?.name, ResumeError.name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
