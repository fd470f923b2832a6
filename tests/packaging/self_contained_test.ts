/**
 * The library imports nothing through an import map, so a project can use
 * a checkout by file path (or map `@poolflow/poolflow` to it) without
 * repeating poolflow's own mappings: every import of the published
 * modules is relative, `node:`, or an `npm:` specifier pinned to exactly
 * the version `deno.json` maps (which stays the one place to bump), and a
 * folder outside the repository with no `deno.json` type-checks and runs
 * a workflow that imports the checkout by path.
 *
 * @module
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";

const ROOT = new URL("../../", import.meta.url);

interface Dependency {
  readonly specifier: string;
}

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly Dependency[];
}

interface Config {
  readonly exports: Record<string, string>;
  readonly imports: Record<string, string>;
}

async function readConfig(): Promise<Config> {
  return JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as Config;
}

/** `name -> version` of every `npm:` package deno.json maps. */
function mappedVersions(config: Config): Map<string, string> {
  const versions = new Map<string, string>();
  for (const target of Object.values(config.imports)) {
    const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)@([^/]+)/.exec(target);
    if (match) versions.set(match[1]!, match[2]!);
  }
  return versions;
}

/** Every module of the graph of `files`, as `deno info --json` sees it. */
async function graphOf(files: readonly string[]): Promise<GraphModule[]> {
  const modules: GraphModule[] = [];
  for (const file of files) {
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
    modules.push(...info.modules);
  }
  return modules;
}

Deno.test("every import of the published modules is relative, node: or an npm: specifier pinned as in deno.json", async () => {
  const config = await readConfig();
  const versions = mappedVersions(config);
  const graph = await graphOf(Object.values(config.exports));
  const wrong = new Set<string>();
  let pinned = 0;
  for (const module of graph) {
    if (!module.specifier.startsWith(ROOT.href)) continue;
    const file = module.specifier.slice(ROOT.href.length);
    for (const { specifier } of module.dependencies ?? []) {
      if (/^\.\.?\//.test(specifier) || specifier.startsWith("node:")) continue;
      const npm = /^npm:((?:@[^/@]+\/)?[^/@]+)@([^/]+)/.exec(specifier);
      if (npm && versions.get(npm[1]!) === npm[2]) {
        pinned++;
        continue;
      }
      wrong.add(`${file}: "${specifier}"`);
    }
  }
  // On failure: import by relative path, or pin the npm: version deno.json maps.
  assertEquals([...wrong], []);
  // hono, @opentelemetry/api and deno-std at least: the scan saw them.
  assert(pinned >= 3, `only ${pinned} pinned npm: imports found`);
});

async function deno(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test("a folder outside the repository imports the checkout by path: it type-checks and runs, as code and through the CLI", async () => {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_by_path_" });
  try {
    const lib = (path: string) => new URL(path, ROOT).href;
    const config = await readConfig();
    // Every entry point, so the CSV, CLI, server and telemetry graphs load;
    // but distributed.ts, whose bullmq reads the environment as it loads
    // (its runs need --allow-env, as the README says): type-checked below.
    const entries = Object.entries(config.exports).filter(([name]) =>
      name !== "./distributed"
    );
    const imports = entries.map(([, path], i) =>
      `import * as entry${i} from "${lib(path)}";`
    ).join("\n");
    await Deno.writeTextFile(`${dir}/rows.csv`, "id,name\n1,ada\n2,grace\n");
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `${imports}
import { fromCsv, mapAll } from "${lib("mod.ts")}";

const names: string[] = await mapAll(fromCsv("rows.csv"), (row) => row.name!.toUpperCase());
console.log(names.join(","), [${
        entries.map((_, i) => `entry${i}`).join(", ")
      }].length);
`,
    );
    await Deno.writeTextFile(
      `${dir}/workflow.ts`,
      `import { defineWorkflow, fromCsv, toJsonl } from "${lib("mod.ts")}";

export default defineWorkflow({
  name: "by-path",
  source: () => fromCsv("rows.csv"),
  pipeline: (rows) => rows.map("upper", (row) => ({ name: row.name!.toUpperCase() })),
  sink: () => toJsonl<{ name: string }>("out.jsonl"),
});
`,
    );
    await Deno.writeTextFile(
      `${dir}/distributed.ts`,
      `export * from "${lib("distributed.ts")}";\n`,
    );
    const check = await deno(
      ["check", "main.ts", "workflow.ts", "distributed.ts"],
      dir,
    );
    assertEquals(check.code, 0, check.output);
    const run = await deno(["run", "--allow-read=.", "main.ts"], dir);
    assertEquals(run.code, 0, run.output);
    assertStringIncludes(
      run.output,
      `ADA,GRACE ${entries.length}`,
    );
    // The CLI's own type check runs in this folder too, without a deno.json.
    const cli = await deno([
      "run",
      "--no-prompt",
      "--allow-read=.",
      "--allow-write=.",
      "--allow-run=deno",
      lib("cli.ts"),
      "workflow.ts",
      "--quiet",
      "--no-checkpoint",
    ], dir);
    assertEquals(cli.code, 0, cli.output);
    assertEquals(
      await Deno.readTextFile(`${dir}/out.jsonl`),
      '{"name":"ADA"}\n{"name":"GRACE"}\n',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
