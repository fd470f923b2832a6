/**
 * The order of checks on `POST /runs`: whatever is wrong with a request is
 * answered (400, 404, 409) before the run limit (429), so that a client is
 * told to retry only a request that would then run.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { errorOf, startRun, testServer } from "./_helpers.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

/**
 * A folder `flows/` with "files" (a path param read under `data/`, written
 * to `out/`) and "hold" (items that wait until the run is aborted).
 */
async function withFlows(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "poolflow_check_order_" }),
  );
  try {
    await Deno.mkdir(`${dir}/flows/data`, { recursive: true });
    await Deno.mkdir(`${dir}/flows/out`);
    await Deno.writeTextFile(`${dir}/flows/data/in.txt`, "a\nb\n");
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
    await Deno.writeTextFile(
      `${dir}/flows/hold.ts`,
      `import { defineWorkflow, fromIterable } from ${JSON.stringify(MOD)};
export default defineWorkflow({
  name: "hold",
  source: fromIterable([1, 2]),
  pipeline: (rows) =>
    rows.map("wait", (_n: number, { signal }) =>
      new Promise<number>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason), { once: true })
      )),
});
`,
    );
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("at the run limit, a wrong request still answers 400 or 409 with its reason; only a valid one answers 429", async () => {
  await withFlows(async (dir) => {
    await using test = testServer({
      workflows: `${dir}/flows`,
      checkpoints: `${dir}/checkpoints.db`,
      limits: { maxConcurrentRuns: 1 },
    });
    await test.server.ready();
    const holding = await startRun(test, { workflow: "hold" });
    const post = (json: unknown) =>
      test.request("/runs", { method: "POST", json });

    const cases: [unknown, number, string, string | undefined][] = [
      [{ workflow: "nope" }, 404, "workflow", undefined],
      [
        { workflow: "files", params: { input: "/etc/passwd" } },
        400,
        "params.input",
        "path_absolute",
      ],
      [
        { workflow: "files", params: { input: "../../x" } },
        400,
        "params.input",
        "path_outside_root",
      ],
      [
        { workflow: "files", params: { input: "in.txt", extra: 1 } },
        400,
        "params.extra",
        undefined,
      ],
      [{ workflow: "files" }, 400, "params.input", undefined],
      [
        { workflow: "hold", concurrency: { nope: 2 } },
        400,
        "concurrency",
        undefined,
      ],
      // Nothing was checkpointed for these outputs: nothing to resume.
      [
        { workflow: "files", params: { input: "in.txt" }, resume: true },
        409,
        "resume",
        undefined,
      ],
      // The one run going writes to these outputs.
      [{ workflow: "hold", resume: true }, 409, "resume", undefined],
    ];
    for (const [json, status, field, reason] of cases) {
      const error = await errorOf(await post(json), status);
      assertEquals(
        [error.field, error.reason],
        [field, reason],
        JSON.stringify(json),
      );
    }

    const refused = await post({
      workflow: "files",
      params: { input: "in.txt" },
    });
    assertEquals(refused.headers.get("retry-after"), "1");
    assertEquals((await errorOf(refused, 429)).code, "too_many_requests");
    await test.request(holding.links.cancel, { method: "POST" });
  });
});

Deno.test("at the run limit, resume on a server without checkpoints answers 400, not 429", async () => {
  await using test = testServer({ limits: { maxConcurrentRuns: 1 } });
  const holding = await startRun(test, { workflow: "blocking" });
  const error = await errorOf(
    await test.request("/runs", {
      method: "POST",
      json: { workflow: "blocking", resume: true },
    }),
    400,
  );
  assertEquals([error.code, error.field], ["bad_request", "resume"]);
  await test.request(holding.links.cancel, { method: "POST" });
});
