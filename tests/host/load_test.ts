/**
 * Loading workflow files in-process: resolved against the working folder,
 * imported by URL, the default export checked.
 *
 * @module
 */

import { assertEquals, assertRejects } from "@std/assert";
import { WorkflowFileError } from "../../host/errors.ts";
import { loadWorkflow } from "../../host/load.ts";
import { withTempDir, writeWorkflow } from "../cli/_helpers.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

Deno.test("loadWorkflow() imports a file relative to the working folder", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/flows`);
    await writeWorkflow(
      dir,
      "flows/copy #1.ts",
      `import { defineWorkflow, fromIterable } from ${JSON.stringify(MOD)};
export default defineWorkflow({ name: "copy", source: fromIterable([1]) });
`,
    );
    const loaded = await loadWorkflow("flows/copy #1.ts", {
      cwd: dir,
      check: false,
    });
    assertEquals(loaded.workflow.name, "copy");
    assertEquals(loaded.file, "flows/copy #1.ts");
    assertEquals(loaded.url.pathname.endsWith("/flows/copy%20%231.ts"), true);
  });
});

Deno.test("loadWorkflow() refuses a folder and a missing file", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/flows`);
    await assertRejects(
      () => loadWorkflow("flows", { cwd: dir, check: false }),
      WorkflowFileError,
      "flows: Not a file",
    );
    await assertRejects(
      () => loadWorkflow("nope.ts", { cwd: dir, check: false }),
      WorkflowFileError,
      `nope.ts: No such file (looked for ${dir}/nope.ts)`,
    );
  });
});
