/**
 * The registered workflows: `GET /workflows` and `/workflows/:name`,
 * `/health`, loading a folder of workflow files (the example's), and what
 * happens when a folder cannot be loaded.
 */

import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { defineWorkflow, fromIterable } from "../../mod.ts";
import { loadWorkflowFolder } from "../../server/workflows.ts";
import {
  errorOf,
  jsonOf,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

const EXAMPLES = new URL("../../examples/server/workflows/", import.meta.url);

Deno.test("GET /workflows lists names, descriptions and params", async () => {
  await using test = testServer();
  const body = await jsonOf<{ workflows: unknown[] }>(
    await test.request("/workflows"),
  );
  assertEquals(body.workflows, [
    {
      name: "squares",
      description: "Squares of 0..n-1",
      params: { n: { type: "number", default: 5, description: "How many" } },
    },
    { name: "echo", params: {} },
    { name: "blocking", params: {} },
  ]);
  const one = await jsonOf(await test.request("/workflows/echo"));
  assertEquals(one, { name: "echo", params: {} });
  assertEquals(
    (await errorOf(await test.request("/workflows/nope"), 404)).code,
    "not_found",
  );
});

Deno.test("GET /health answers ok", async () => {
  await using test = testServer();
  assertEquals(await jsonOf(await test.request("/health")), { status: "ok" });
});

Deno.test("workflows are registered under the names given", async () => {
  const w = defineWorkflow({
    name: "internal-name",
    source: fromIterable([1]),
  });
  await using test = testServer({ workflows: new Map([["public", w]]) });
  assertEquals(await test.server.ready(), ["public"]);
  const { id } = await startRun(test, { workflow: "public" });
  assertEquals((await waitFinished(test, id)).status, "succeeded");
});

Deno.test("createServer refuses values that are not workflows", () => {
  assertThrows(
    () => testServer({ workflows: { bad: { name: "bad" } as never } }),
    TypeError,
    'Invalid workflow "bad"',
  );
});

Deno.test("a folder of workflow files is loaded by name", async () => {
  await using test = testServer({ workflows: EXAMPLES });
  assertEquals(await test.server.ready(), ["checks", "files", "slugs"]);
  const body = await jsonOf<{ workflows: { name: string; params: object }[] }>(
    await test.request("/workflows"),
  );
  assertEquals(body.workflows.map((w) => w.name), ["checks", "files", "slugs"]);
  assertEquals(Object.keys(body.workflows[0]!.params), [
    "count",
    "delayMs",
    "failEvery",
  ]);
  const { id, links } = await startRun(test, {
    workflow: "checks",
    params: { count: 6, delayMs: 1, failEvery: 3 },
    concurrency: 3,
  });
  const run = await waitFinished(test, id);
  assertEquals(run.status, "completed-with-failures");
  assertEquals([run.read, run.written, run.failed], [6, 4, 2]);
  const lines = (await (await test.request(links.results)).text()).trim().split(
    "\n",
  );
  assertEquals(lines.length, 6);
  const slugs = await test.request("/runs?workflow=slugs", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    // The body of the example's README (a comma inside quotes).
    body: 'title\n"Hello, World!"\nÉtude No. 5\n',
  });
  const created = await jsonOf<{ id: string; links: { results: string } }>(
    slugs,
    201,
  );
  await waitFinished(test, created.id);
  const csv = await (await test.request(created.links.results, {
    headers: { accept: "text/csv" },
  })).text();
  assertEquals(
    csv,
    'ok,stage,error,input,title,slug\r\ntrue,,,,"Hello, World!",hello-world\r\n' +
      "true,,,,Étude No. 5,etude-no-5\r\n",
  );
});

Deno.test("loading a folder fails clearly on a missing folder, no workflow, or a duplicate name", async () => {
  await assertRejects(
    () => loadWorkflowFolder("/no/such/folder"),
    Deno.errors.NotFound,
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/README.md`, "not a workflow");
    await Deno.writeTextFile(`${dir}/_helper.ts`, "export const x = 1;");
    await assertRejects(
      () => loadWorkflowFolder(dir),
      Error,
      "No workflow files",
    );
    const mod = new URL("../../mod.ts", import.meta.url).href;
    const file = (name: string) =>
      `import { defineWorkflow, fromIterable } from "${mod}";\n` +
      `export default defineWorkflow({ name: "${name}", source: fromIterable([1]) });\n`;
    await Deno.writeTextFile(`${dir}/a.ts`, file("same"));
    await Deno.writeTextFile(`${dir}/b.ts`, file("same"));
    await Deno.writeTextFile(`${dir}/a_test.ts`, "this is not even TypeScript");
    await assertRejects(
      () => loadWorkflowFolder(dir),
      Error,
      'Two workflows are named "same"',
    );
    // A module is imported once: a new file, not a rewritten one.
    await Deno.remove(`${dir}/b.ts`);
    await Deno.writeTextFile(`${dir}/c.ts`, "export default 42;\n");
    await assertRejects(() => loadWorkflowFolder(dir), Error, "not a workflow");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a server whose folder fails to load answers 503 and logs why", async () => {
  await using test = testServer({ workflows: "/no/such/folder" });
  await assertRejects(() => test.server.ready());
  const error = await errorOf(await test.request("/workflows"), 503);
  assertEquals(error.code, "unavailable");
  assertEquals(error.message.includes("/no/such"), false);
  assertStringIncludes(
    String(test.logged[0]?.message),
    "Cannot load the workflows",
  );
  assertEquals((await test.request("/health")).status, 200);
});
