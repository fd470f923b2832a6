/**
 * The HTTP example end to end: starts the catalogue server on a free port,
 * runs the workflow against it, prints the summary and stops the server.
 *
 * Usage: `deno run -A examples/http_fetch/main.ts [out.csv]`, the output
 * a path inside `examples/http_fetch/out/` (default `products.csv`). Exits 0 when
 * the run finished (the unknown SKU fails on purpose and is counted), 1
 * otherwise.
 *
 * @module
 */

import { run, type RunSummary } from "@poolflow/poolflow";
import { startCatalogueServer } from "./server.ts";
import workflow from "./workflow.ts";

/**
 * Runs the workflow against a fresh catalogue server.
 *
 * @param params The workflow's parameters, but the server's address:
 * paths inside the `out/` root.
 * @param folder The folder the roots are relative to: by default this
 * example's, as when the CLI runs `workflow.ts`.
 * @returns The run's summary.
 */
export async function runWithServer(
  params: { out?: string; deadLetters?: string } = {},
  folder: string | URL = new URL(".", import.meta.url),
): Promise<RunSummary> {
  const server = startCatalogueServer();
  try {
    return await run(workflow, {
      params: { ...params, baseUrl: server.baseUrl },
      folder,
    })
      .done;
  } finally {
    await server.shutdown();
  }
}

if (import.meta.main) {
  const [out] = Deno.args;
  const summary = await runWithServer(out === undefined ? {} : { out });
  console.log(
    `${summary.status}: ${summary.read} SKUs, ${summary.written} written to ${summary.outputs.sink}, ` +
      `${summary.failed} failed (see ${summary.outputs.deadLetter}), ${summary.retried} retried, ${summary.wallMs} ms`,
  );
  Deno.exit(
    summary.status === "succeeded" ||
      summary.status === "completed-with-failures"
      ? 0
      : 1,
  );
}
