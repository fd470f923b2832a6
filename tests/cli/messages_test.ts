/**
 * Messages a newcomer understands (issue 12): a misspelt workflow option
 * is the validator's one line even when the type check fails, a type
 * error is its first diagnostic without the overload wall, and a data
 * file given as the workflow says what a workflow file is.
 *
 * @module
 */

import { assert, assertFalse, assertStringIncludes } from "@std/assert";
import {
  assertUserError,
  runCli,
  withTempDir,
  writeWorkflow,
} from "./_helpers.ts";

const IMPORT =
  `import { defineWorkflow, fromIterable } from "@poolflow/poolflow";\n`;

Deno.test("cli shows the validator's line for a misspelt option, not the type checker's overloads", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "typo.ts",
      `${IMPORT}export default defineWorkflow({
  name: "w",
  source: fromIterable([1, 2]),
  concurency: 4,
  pipeline: (rows) => rows.map("double", (n) => n * 2),
});
`,
    );
    const result = await runCli([file]);
    assertUserError(
      result,
      `${file}: Unknown workflow option "concurency" (did you mean "concurrency"?)`,
    );
    assertFalse(result.stderr.includes("overload"), result.stderr);
    assertFalse(result.stderr.includes("TS2769"), result.stderr);
    assert(result.stderr.trim().split("\n").length === 1, result.stderr);
  });
});

Deno.test("cli shows an overload error as its first line, the most specific reason and the location", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "mismatch.ts",
      `${IMPORT}export default defineWorkflow({
  name: "w",
  source: fromIterable([1, 2]),
  pipeline: (rows) => rows.map("length", (s: string) => s.length),
});
`,
    );
    const result = await runCli([file]);
    assertUserError(
      result,
      `${file}: Type check failed (skip it with --no-check)`,
    );
    assertStringIncludes(result.stderr, "No overload matches this call.");
    assertStringIncludes(
      result.stderr,
      "Type 'number' is not assignable to type 'string'.",
    );
    assertStringIncludes(result.stderr, `at ${file}:5:`);
    assertStringIncludes(result.stderr, 'run "deno check" on the file');
    assertFalse(result.stderr.includes("Overload 1 of 2"), result.stderr);
    const lines = result.stderr.trim().split("\n").length;
    assert(lines <= 7, `${lines} lines:\n${result.stderr}`);
  });
});

Deno.test("cli shows the type error when the validator has nothing to add, even with a required param", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "param.ts",
      `${IMPORT}const n: number = "three";
export default defineWorkflow({
  name: "w",
  params: { size: { type: "number" } },
  source: ({ size }) => fromIterable([size, n]),
});
`,
    );
    const result = await runCli([file]);
    assertUserError(result, `${file}: Type check failed`);
    assertStringIncludes(
      result.stderr,
      "Type 'string' is not assignable to type 'number'.",
    );
    assertFalse(result.stderr.includes("Missing param"), result.stderr);
  });
});

Deno.test("cli says what a workflow file is when given a JSON or CSV file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/rows.json`, '[{ "id": 1 }]\n');
    await Deno.writeTextFile(`${dir}/rows.csv`, "id\n1\n");
    for (const name of ["rows.json", "rows.csv"]) {
      for (const check of [[], ["--no-check"]]) {
        const result = await runCli([`${dir}/${name}`, ...check]);
        assertUserError(
          result,
          `${dir}/${name}: Not a workflow file: a workflow is a TypeScript or JavaScript module (such as etl.ts) whose default export is defineWorkflow({...})`,
        );
        assertStringIncludes(result.stderr, "fromJson, fromJsonl or fromCsv");
        assertFalse(result.stderr.includes("Attempted to load"), result.stderr);
      }
    }
  });
});
