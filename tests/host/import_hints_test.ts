/**
 * A workflow whose bare import no `deno.json` maps: the CLI's type check
 * says what to do (run `poolflow init`, or the mapping to add) instead of
 * Deno's `deno add jsr:...`, and the mapping it suggests works.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { explainUnmappedImport } from "../../host/import_hints.ts";
import { JSR_SPECIFIER } from "../../host/package.ts";

const ROOT = new URL("../../", import.meta.url);

function checkOutput(specifier: string, at: string): string {
  return [
    `TS2307 [ERROR]: Import "${specifier}" not a dependency`,
    `  hint: If you want to use a JSR or npm package, try running \`deno add jsr:${specifier}\``,
    `    at ${at}`,
    "",
    "Found 1 error.",
  ].join("\n");
}

Deno.test("explainUnmappedImport() suggests poolflow init and the mapping to this checkout or to JSR", () => {
  const output = checkOutput(
    "@poolflow/poolflow",
    "file:///home/ada/etl/workflow.ts:1:40",
  );
  assertEquals(
    explainUnmappedImport(
      output,
      "/home/ada/etl",
      new URL("file:///home/ada/poolflow/"),
    ),
    `Import "@poolflow/poolflow" is not mapped: no deno.json in /home/ada/etl or above it maps it
    at workflow.ts:1:40
  Start a project that maps it and runs at once: poolflow init my-project
  Or map it in that deno.json (create one if there is none):
  {"imports": {"@poolflow/poolflow": "../poolflow/mod.ts"}}`,
  );
  assertStringIncludes(
    explainUnmappedImport(output, "/home/ada/etl", undefined)!,
    `{"imports": {"@poolflow/poolflow": "${JSR_SPECIFIER}"}}`,
  );
  const subpath = checkOutput(
    "@poolflow/poolflow/telemetry",
    "file:///home/ada/etl/workflow.ts:2:1",
  );
  assertStringIncludes(
    explainUnmappedImport(
      subpath,
      "/home/ada/etl",
      new URL("file:///home/ada/poolflow/"),
    )!,
    `"@poolflow/poolflow/telemetry": "../poolflow/lib/telemetry/mod.ts"`,
  );
});

Deno.test("explainUnmappedImport() tells how to map another package, and leaves poolflow's own imports and other errors alone", () => {
  const message = explainUnmappedImport(
    checkOutput("zod", "file:///home/ada/etl/workflow.ts:3:19"),
    "/home/ada/etl",
    new URL("file:///home/ada/poolflow/"),
  )!;
  assertStringIncludes(message, 'Import "zod" is not mapped');
  assertStringIncludes(message, '{"imports": {"zod": "npm:zod@<version>"}}');
  assertEquals(message.includes("deno add"), false);
  // Inside the library: our bug, reported as Deno wrote it.
  assertEquals(
    explainUnmappedImport(
      checkOutput(
        "@std/csv",
        "file:///home/ada/poolflow/lib/io/csv_sink.ts:7:27",
      ),
      "/home/ada/etl",
      new URL("file:///home/ada/poolflow/"),
    ),
    undefined,
  );
  assertEquals(
    explainUnmappedImport(
      "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.\n    at file:///home/ada/etl/workflow.ts:2:7",
      "/home/ada/etl",
      undefined,
    ),
    undefined,
  );
});

Deno.test("explainUnmappedImport() for an import that fails at load time points at the installed command's own configuration", () => {
  const message = explainUnmappedImport(
    checkOutput("@poolflow/poolflow", "file:///home/ada/etl/workflow.ts:1:40"),
    "/home/ada/etl",
    undefined,
    "load",
  )!;
  assertStringIncludes(
    message,
    'Import "@poolflow/poolflow" is not mapped by the configuration poolflow runs with\n    at workflow.ts:1:40',
  );
  assertStringIncludes(message, "deno install -g");
  assertStringIncludes(message, '"deno task start"');
});

async function cli(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-read=.",
      "--allow-write=.",
      "--allow-run=deno",
      new URL("cli.ts", ROOT).pathname,
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("the CLI's type check of a workflow without a deno.json says what to do, and the mapping it suggests works", async () => {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_unmapped_" });
  try {
    await Deno.writeTextFile(
      `${dir}/workflow.ts`,
      `import { defineWorkflow, fromIterable, toJsonl } from "@poolflow/poolflow";

export default defineWorkflow({
  name: "unmapped",
  source: () => fromIterable([1, 2, 3]),
  pipeline: (numbers) => numbers.map("double", (n) => n * 2),
  sink: () => toJsonl<number>("out.jsonl"),
});
`,
    );
    const failed = await cli(dir, ["workflow.ts", "--no-checkpoint"]);
    assertEquals(failed.code, 64, failed.stderr);
    assertStringIncludes(
      failed.stderr,
      `Import "@poolflow/poolflow" is not mapped: no deno.json in ${dir} or above it maps it`,
    );
    assertStringIncludes(failed.stderr, "at workflow.ts:1:");
    assertStringIncludes(failed.stderr, "poolflow init my-project");
    assertEquals(failed.stderr.includes("deno add"), false, failed.stderr);
    const mapping = /\{"imports": .*\}\}/.exec(failed.stderr)?.[0];
    if (mapping === undefined) throw new Error(failed.stderr);
    await Deno.writeTextFile(`${dir}/deno.json`, mapping);
    const ran = await cli(dir, ["workflow.ts", "--no-checkpoint", "--quiet"]);
    assertEquals(ran.code, 0, ran.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/out.jsonl`), "2\n4\n6\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
