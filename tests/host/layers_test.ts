/**
 * The layers of docs/architecture.md, checked on the module graph that
 * `deno info --json` reports from every entry point: the CLI and the
 * server never import each other, the host layer imports neither, and
 * the library imports none of the three. Type-only imports count too: a
 * type shared by two adapters belongs to a layer below both.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";

const ROOT = new URL("../../", import.meta.url);

/** The entry points whose graphs are walked (deno.json's exports). */
const ENTRY_POINTS = [
  "mod.ts",
  "pool.ts",
  "io.ts",
  "workflow.ts",
  "workers.ts",
  "durable.ts",
  "cli.ts",
  "server.ts",
  "lib/telemetry/mod.ts",
  "lib/executors/mod.ts",
];

type Layer = "cli" | "server" | "host" | "lib" | "entry" | "other";

/** What each layer may not import. */
const FORBIDDEN: Readonly<Record<Layer, readonly Layer[]>> = {
  cli: ["server"],
  server: ["cli"],
  host: ["cli", "server"],
  lib: ["cli", "server", "host"],
  entry: ["cli", "server", "host"],
  other: [],
};

interface InfoDependency {
  readonly specifier: string;
  readonly code?: { readonly specifier?: string };
  readonly type?: { readonly specifier?: string };
}

interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly InfoDependency[];
}

/** The layer of a module, by its path in the repository. */
function layerOf(specifier: string): Layer {
  if (!specifier.startsWith(ROOT.href)) return "other";
  const path = specifier.slice(ROOT.href.length);
  if (path === "cli.ts" || path.startsWith("cli/")) return "cli";
  if (path === "server.ts" || path.startsWith("server/")) return "server";
  if (path.startsWith("host/")) return "host";
  if (path.startsWith("lib/")) return "lib";
  if (!path.includes("/")) return "entry";
  return "other";
}

/** Every import edge of a module graph, as repository paths. */
async function edgesOf(
  entry: string,
): Promise<{ modules: string[]; edges: [string, string][] }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: InfoModule[];
  };
  const edges: [string, string][] = [];
  for (const module of graph.modules) {
    for (const dependency of module.dependencies ?? []) {
      for (const target of [dependency.code, dependency.type]) {
        if (target?.specifier) edges.push([module.specifier, target.specifier]);
      }
    }
  }
  return { modules: graph.modules.map((m) => m.specifier), edges };
}

function relative(specifier: string): string {
  return specifier.slice(ROOT.href.length);
}

/** The `.ts` files of a folder, recursively, as URLs. */
async function filesUnder(folder: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (url: URL): Promise<void> => {
    for await (const entry of Deno.readDir(url)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, url));
      else if (entry.name.endsWith(".ts")) {
        files.push(new URL(entry.name, url).href);
      }
    }
  };
  await walk(new URL(folder, ROOT));
  return files;
}

/** Import edges that break a layer rule, as "from -> to" lines. */
function crossImports(edges: readonly [string, string][]): string[] {
  const bad = new Set<string>();
  for (const [from, to] of edges) {
    if (FORBIDDEN[layerOf(from)].includes(layerOf(to))) {
      bad.add(`${relative(from)} -> ${relative(to)}`);
    }
  }
  return [...bad].sort();
}

Deno.test("layers: cli/ and server/ do not import each other, host/ neither, lib/ none of them", async () => {
  const seen = new Set<string>();
  const edges: [string, string][] = [];
  for (const entry of ENTRY_POINTS) {
    const graph = await edgesOf(entry);
    for (const module of graph.modules) seen.add(module);
    edges.push(...graph.edges);
  }
  assertEquals(crossImports(edges), []);
  // Every adapter and host file is in some graph, so none escapes the check.
  const unchecked = [];
  for (const folder of ["cli/", "server/", "host/"]) {
    for (const file of await filesUnder(folder)) {
      if (!seen.has(file)) unchecked.push(relative(file));
    }
  }
  assertEquals(unchecked, []);
});

Deno.test("layers: the check names an import from server/ into cli/", () => {
  const from = new URL("server/runs.ts", ROOT).href;
  const to = new URL("cli/durable.ts", ROOT).href;
  const lib = new URL("lib/io/types.ts", ROOT).href;
  const host = new URL("host/resume.ts", ROOT).href;
  assertEquals(crossImports([[from, to], [from, lib], [from, host]]), [
    "server/runs.ts -> cli/durable.ts",
  ]);
  assertEquals(crossImports([[lib, host], [host, from]]), [
    "host/resume.ts -> server/runs.ts",
    "lib/io/types.ts -> host/resume.ts",
  ]);
});
