/**
 * Path params on the HTTP runner: a workflow loaded from a folder reads
 * and writes only inside the roots it declares, which are relative to its
 * file's folder. Every escape (absolute, `..`, percent-encoded, a symbolic
 * link, Windows-style) answers 400 with the field and a stable reason,
 * runs nothing and touches no file; a path inside the root runs.
 *
 * @module
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  errorOf,
  jsonOf,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

/**
 * A folder `flows/` with a workflow "files" (`input` read under `data/`,
 * `out` written under `out/`, both relative to `flows/`), a secret file
 * outside both, and symbolic links out of each root.
 */
async function withFlows(
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "poolflow_server_paths_" }),
  );
  try {
    await Deno.mkdir(`${dir}/flows/data`, { recursive: true });
    await Deno.mkdir(`${dir}/flows/out`);
    await Deno.writeTextFile(`${dir}/flows/data/in.txt`, "a\nb\nc\n");
    await Deno.writeTextFile(`${dir}/secret.txt`, "the secret\n");
    await Deno.symlink(`${dir}/secret.txt`, `${dir}/flows/data/leak.txt`);
    await Deno.symlink(`${dir}/secret.txt`, `${dir}/flows/out/leak.jsonl`);
    await Deno.writeTextFile(
      `${dir}/flows/files.ts`,
      `import { defineWorkflow, fromLines, toJsonl } from ${
        JSON.stringify(MOD)
      };
export default defineWorkflow({
  name: "files",
  params: {
    input: { type: "path", root: "data", access: "read" },
    out: { type: "path", root: "out", access: "write", default: "o.jsonl" },
  },
  source: ({ input }) => fromLines(input),
  pipeline: (rows) => rows.map("upper", (line: string) => line.toUpperCase()),
  sink: ({ out }) => toJsonl<string>(out),
});
`,
    );
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ESCAPES: [string, Record<string, string>, string, string][] = [
  ["absolute", { input: "/etc/passwd" }, "params.input", "path_absolute"],
  [
    "absolute, to the secret",
    { input: "SECRET" },
    "params.input",
    "path_absolute",
  ],
  [
    "relative ..",
    { input: "../../secret.txt" },
    "params.input",
    "path_outside_root",
  ],
  [
    "deep ..",
    { input: "../../../../../../etc/hostname" },
    "params.input",
    "path_outside_root",
  ],
  [
    "percent-encoded ..",
    { input: "%2e%2e%2f%2e%2e%2fsecret.txt" },
    "params.input",
    "path_not_found",
  ],
  [
    "a symbolic link out of the root",
    { input: "leak.txt" },
    "params.input",
    "path_symlink_outside_root",
  ],
  [
    "Windows separators",
    { input: "..\\..\\secret.txt" },
    "params.input",
    "path_windows",
  ],
  ["a drive letter", { input: "C:\\x" }, "params.input", "path_windows"],
  ["a file: URL", { input: "file:///etc/passwd" }, "params.input", "path_url"],
  [
    "a write outside the root",
    { input: "in.txt", out: "../../secret.txt" },
    "params.out",
    "path_outside_root",
  ],
  [
    "a write, absolute",
    { input: "in.txt", out: "SECRET" },
    "params.out",
    "path_absolute",
  ],
  [
    "a write through a link out",
    { input: "in.txt", out: "leak.jsonl" },
    "params.out",
    "path_symlink_outside_root",
  ],
];

for (const [what, given, field, reason] of ESCAPES) {
  Deno.test(`POST /runs refuses a path param escaping its root: ${what}`, async () => {
    await withFlows(async (dir) => {
      await using test = testServer({ workflows: `${dir}/flows` });
      await test.server.ready();
      const params = Object.fromEntries(
        Object.entries(given).map((
          [k, v],
        ) => [k, v === "SECRET" ? `${dir}/secret.txt` : v]),
      );
      const error = await errorOf(
        await test.request("/runs", {
          method: "POST",
          json: { workflow: "files", params },
        }),
        400,
      );
      assertEquals(
        [error.code, error.field, error.reason],
        ["bad_request", field, reason],
        error.message,
      );
      assertStringIncludes(error.message, field);
      assert(!error.message.includes("the secret"), error.message);
      // Nothing ran, nothing was overwritten.
      const { runs } = await jsonOf<{ runs: unknown[] }>(
        await test.request("/runs"),
      );
      assertEquals(runs, []);
      assertEquals(
        await Deno.readTextFile(`${dir}/secret.txt`),
        "the secret\n",
      );
    });
  });
}

Deno.test("POST /runs with a CSV body refuses an escaping path given as ?param.", async () => {
  await withFlows(async (dir) => {
    await using test = testServer({ workflows: `${dir}/flows` });
    await test.server.ready();
    const error = await errorOf(
      await test.request(
        "/runs?workflow=files&param.input=in.txt&param.out=..%2F..%2Fsecret.txt",
        {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body: "line\nx\n",
        },
      ),
      400,
    );
    assertEquals([error.field, error.reason], [
      "params.out",
      "path_outside_root",
    ]);
    assertEquals(await Deno.readTextFile(`${dir}/secret.txt`), "the secret\n");
  });
});

Deno.test("POST /runs runs a path param inside its root, relative to the workflow file's folder", async () => {
  await withFlows(async (dir) => {
    await using test = testServer({ workflows: `${dir}/flows` });
    await test.server.ready();
    const { id } = await startRun(test, {
      workflow: "files",
      params: { input: "./in.txt", out: "runs/1.jsonl" },
    });
    const run = await waitFinished(test, id);
    assertEquals(run.status, "succeeded");
    assertEquals(
      await Deno.readTextFile(`${dir}/flows/out/runs/1.jsonl`),
      '"A"\n"B"\n"C"\n',
    );
    const described = await jsonOf<{ params: Record<string, unknown> }>(
      await test.request("/workflows/files"),
    );
    assertEquals(described.params["input"], {
      type: "path",
      root: "data",
      access: "read",
    });
  });
});
