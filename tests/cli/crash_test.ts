/**
 * A crash is not a run with failed items: an unhandled rejection (a stage
 * that forgot an `await`) or an uncaught error exits 70, never 1.
 *
 * @module
 */

import { assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { runCli, withTempDir, writeWorkflow } from "./_helpers.ts";

function crashingWorkflow(out: string, crash: string): string {
  return `import { defineWorkflow, range, sleep, toJsonl } from "@poolflow/poolflow";
export default defineWorkflow({
  name: "crash",
  source: range(20),
  pipeline: (rows) =>
    rows.map("step", async (n, { signal }) => {
      if (n === 3) { ${crash} }
      await sleep(20, signal);
      return { n };
    }, { concurrency: 2 }),
  sink: toJsonl(${JSON.stringify(out)}),
});
`;
}

Deno.test("cli exits 70 when a stage leaves a promise rejection unhandled", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      crashingWorkflow(
        `${dir}/out.jsonl`,
        'Promise.reject(new Error("forgot an await"));',
      ),
    );
    const result = await runCli([file, "--no-check"], { cwd: dir });
    assertEquals(result.code, 70, result.stderr);
    assertStringIncludes(result.stderr, "forgot an await");
    assertMatch(result.stderr, /poolflow: crashed: an unhandled rejection/);
  });
});

Deno.test("cli exits 70 when a stage throws outside any task", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      crashingWorkflow(
        `${dir}/out.jsonl`,
        'setTimeout(() => { throw new Error("thrown from a timer"); }, 0);',
      ),
    );
    const result = await runCli([file, "--no-check"], { cwd: dir });
    assertEquals(result.code, 70, result.stderr);
    assertStringIncludes(result.stderr, "thrown from a timer");
    assertMatch(result.stderr, /poolflow: crashed: an uncaught error/);
  });
});
