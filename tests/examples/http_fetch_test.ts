/**
 * Tests of the HTTP example (`examples/http_fetch/`): the workflow against
 * the bundled hono catalogue server on a free local port, the catalogue
 * app in-process, and `main.ts`'s `runWithServer`.
 *
 * @module
 */

import { assertEquals, assertMatch } from "@std/assert";
import { type DeadLetter, run } from "@poolflow/poolflow";
import workflow, { SKUS_JSON } from "../../examples/http_fetch/workflow.ts";
import {
  createCatalogueApp,
  startCatalogueServer,
} from "../../examples/http_fetch/server.ts";
import { runWithServer } from "../../examples/http_fetch/main.ts";

/** The CSV the workflow writes: std's stringify ends lines with CRLF. */
const EXPECTED_CSV = [
  "sku,name,price_eur,stock,available",
  "A-100,Espresso cup,8.50,120,yes",
  "A-101,Cappuccino cup,10.50,0,no",
  'B-200,"Moka pot, 3 cups",34.90,14,yes',
  'B-204,"Moka pot, 6 cups",42.90,7,yes',
  "C-310,Burr grinder,89.00,3,yes",
  "D-400,Milk jug,15.90,41,yes",
  'E-512,"Descaler, 500 ml",9.90,260,yes',
].join("\r\n") + "\r\n";

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "poolflow_http_" }),
  );
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readDeadLetters(path: string): Promise<DeadLetter[]> {
  const text = await Deno.readTextFile(path);
  return text.trimEnd().split("\n").map((line) =>
    JSON.parse(line) as DeadLetter
  );
}

Deno.test("http_fetch: products are fetched, a 503 is retried, a 404 is dead-lettered", async () => {
  const server = startCatalogueServer();
  try {
    await withTempDir(async (dir) => {
      const out = `${dir}/out/products.csv`;
      const deadLetters = `${dir}/out/dead_letters.jsonl`;
      const summary = await run(workflow, {
        params: { baseUrl: server.baseUrl },
        folder: dir,
      }).done;

      assertEquals(summary.status, "completed-with-failures");
      assertEquals(
        [summary.read, summary.written, summary.failed, summary.retried],
        [8, 7, 1, 1],
      );
      // In input order (the workflow is ordered), the unknown SKU left out.
      assertEquals(await Deno.readTextFile(out), EXPECTED_CSV);

      const dead = await readDeadLetters(deadLetters);
      assertEquals(dead.length, 1);
      assertEquals(dead[0]?.stage, "fetch");
      assertEquals(dead[0]?.attempts, 1);
      assertEquals(dead[0]?.input, {
        sku: "Z-999",
        url: `${server.baseUrl}/products/Z-999`,
      });
      assertMatch(
        dead[0]?.error ?? "",
        /^HttpError: GET http:\/\/127\.0\.0\.1:\d+\/products\/Z-999 failed: 404/,
      );

      // The flaky SKU twice (503, then 200), the unknown one once: a 404
      // is not retried.
      const skus = JSON.parse(await Deno.readTextFile(SKUS_JSON)) as {
        sku: string;
      }[];
      assertEquals(
        Object.fromEntries(server.hits),
        Object.fromEntries(
          skus.map(({ sku }) => [`/products/${sku}`, sku === "B-204" ? 2 : 1]),
        ),
      );
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("http_fetch: the catalogue answers 503 once for a flaky SKU, 404 for an unknown one", async () => {
  const app = createCatalogueApp();
  const first = await app.request("/products/B-204");
  assertEquals(first.status, 503);
  await first.body?.cancel();
  const second = await app.request("/products/B-204");
  assertEquals(second.status, 200);
  assertEquals((await second.json()).name, "Moka pot, 6 cups");
  const missing = await app.request("/products/Z-999");
  assertEquals(missing.status, 404);
  assertEquals(await missing.json(), { error: 'No product with SKU "Z-999"' });
});

Deno.test("http_fetch: runWithServer() starts, uses and stops its own server", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out/run/products.csv`;
    const summary = await runWithServer({
      out: "run/products.csv",
      deadLetters: "run/dead_letters.jsonl",
    }, dir);
    assertEquals(summary.status, "completed-with-failures");
    assertEquals(await Deno.readTextFile(out), EXPECTED_CSV);
  });
});
