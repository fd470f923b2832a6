/**
 * User errors end with exit code 64 and a short message that names the
 * file or flag, never a stack trace: wrong files, wrong workflows, wrong
 * command lines.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  assertUserError,
  numbersWorkflow,
  runCli,
  withTempDir,
  writeWorkflow,
} from "./_helpers.ts";

const IMPORT =
  `import { defineWorkflow, fromIterable } from "@poolflow/poolflow";\n`;

Deno.test("cli reports a missing workflow file", async () => {
  const result = await runCli(["no/such/flow.ts"]);
  assertUserError(result, "no/such/flow.ts: No such file");
});

Deno.test("cli reports a syntax error with its location", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "broken.ts",
      `${IMPORT}export default defineWorkflow({ name: "w" source: 1 });\n`,
    );
    const result = await runCli([file, "--no-check"]);
    assertUserError(result, `${file}: Cannot load it:`);
    assertStringIncludes(result.stderr, "Expected ',', got 'source'");
    assertStringIncludes(result.stderr, `at ${file}:2:`);
  });
});

Deno.test("cli reports a type error from deno check", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "typo.ts",
      `${IMPORT}export default defineWorkflow({
  name: "w",
  source: fromIterable([1, 2]),
  pipeline: (rows) => rows.map("shout", (n) => n.toUpperCase()),
});
`,
    );
    const result = await runCli([file]);
    assertUserError(result, `${file}: Type check failed`);
    assertStringIncludes(
      result.stderr,
      "Property 'toUpperCase' does not exist on type 'number'",
    );
    assertStringIncludes(result.stderr, `at ${file}:5:`);
  });
});

Deno.test("cli reports a file without a default export", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "named.ts",
      `${IMPORT}export const flow = defineWorkflow({ name: "w", source: fromIterable([1]) });\n`,
    );
    const result = await runCli([file, "--no-check"]);
    assertUserError(result, `${file}: No default export`);
    assertStringIncludes(result.stderr, "(it exports flow)");
  });
});

Deno.test("cli reports a default export that is not a workflow", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "plain.ts",
      `export default { name: "w" };\n`,
    );
    const result = await runCli([file, "--no-check"]);
    assertUserError(result, `${file}: The default export is not a workflow`);
  });
});

Deno.test("cli reports a workflow file that throws while loading", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "throws.ts",
      `throw new RangeError("no config");\n`,
    );
    const result = await runCli([file, "--no-check"]);
    assertUserError(
      result,
      `${file}: It threw while loading: RangeError: no config`,
    );
  });
});

Deno.test("cli reports an unknown option in the workflow with the field and a hint", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "opt.ts",
      `${IMPORT}export default defineWorkflow({
  name: "w",
  source: fromIterable([1]),
  pipeline: (rows) => rows.map("x", (n) => n, { concurency: 2 } as never),
});
`,
    );
    const result = await runCli([file, "--no-check"]);
    assertUserError(
      result,
      `${file}: Unknown pipeline stage "x" option "concurency" (did you mean "concurrency"?)`,
    );
  });
});

Deno.test("cli reports bad flags and values before loading the file", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      numbersWorkflow({ out: `${dir}/out.jsonl` }),
    );
    const cases: [string[], string][] = [
      [[file, "--concurrency", "zero"], 'Invalid --concurrency "zero"'],
      [[file, "-c", "0"], 'Invalid --concurrency "0"'],
      [[file, "--colour"], 'Unknown flag "--colour"'],
      [[file, "--conc", "2"], '(did you mean "--concurrency"?)'],
      [[file, "--out", "out.txt"], 'Cannot tell the format of --out "out.txt"'],
      [[file, "--fail-fast", "--continue"], "Conflicting flags"],
      [[file, "--json", "--out", "-"], "Conflicting flags --json and --out -"],
      [[file, "--param", "n"], 'Invalid --param "n"'],
      [[file, "other.ts"], 'Unexpected argument "other.ts"'],
      [[], "Missing the workflow file"],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((result, i) => {
      assertUserError(result, cases[i]![1]);
      assertStringIncludes(result.stderr, 'Run "poolflow --help" for usage.');
      assertEquals(result.stdout, "");
    });
  });
});
