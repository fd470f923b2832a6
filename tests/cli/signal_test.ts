/**
 * Ctrl-C: the first SIGINT stops the run gracefully (items in flight
 * finish and are written), prints the summary and exits 130; the second
 * aborts the items in flight.
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { jsonLines, spawnCli, withTempDir, writeWorkflow } from "./_helpers.ts";

/** A slow endless-enough workflow: each item takes `ms`, ignoring nothing. */
function slowWorkflow(out: string, ms: number): string {
  return `import { defineWorkflow, range, sleep, toJsonl } from "@poolflow/poolflow";
export default defineWorkflow({
  name: "slow",
  source: range(100_000),
  pipeline: (rows) =>
    rows.map("wait", async (n, { signal }) => {
      await sleep(${ms}, signal);
      return { n };
    }, { concurrency: 4 }),
  sink: toJsonl(${JSON.stringify(out)}),
});
`;
}

/** Runs the CLI, sends SIGINT `times` once the first progress line is out. */
async function interrupt(
  args: string[],
  times: number,
): Promise<{ code: number; stderr: string; afterSignalMs: number }> {
  const child = spawnCli(args);
  const stdout = new Response(child.stdout).text();
  const safety = setTimeout(() => child.kill("SIGKILL"), 60_000);
  let stderr = "";
  let signalledAt = 0;
  try {
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      stderr += value;
      // A progress line ("[0:02] slow: ...") means the run is well under way.
      if (signalledAt === 0 && /\[\d+:\d+\] slow:/.test(stderr)) {
        signalledAt = Date.now();
        for (let i = 0; i < times; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, 100));
          child.kill("SIGINT");
        }
      }
    }
    const status = await child.status;
    await stdout;
    return {
      code: status.code,
      stderr,
      afterSignalMs: Date.now() - signalledAt,
    };
  } finally {
    clearTimeout(safety);
  }
}

Deno.test("cli stops gracefully on the first Ctrl-C and exits 130 with the summary", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const file = await writeWorkflow(dir, "slow.ts", slowWorkflow(out, 300));
    const result = await interrupt([file, "--no-check"], 1);
    assertEquals(result.code, 130, result.stderr);
    assertMatch(result.stderr, /Stopping: no new items/);
    assertMatch(result.stderr, /Summary of "slow"/);
    assertMatch(
      result.stderr,
      /status\s+stopped, interrupted \(exit code 130\)/,
    );
    // Items in flight finished and reached the sink, which was flushed.
    const written = jsonLines(await Deno.readTextFile(out)).length;
    const reported = /done\s+(\d+) written/.exec(result.stderr)?.[1];
    assertEquals(String(written), reported);
    assert(written > 0);
  });
});

Deno.test("cli aborts items in flight on the second Ctrl-C", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    // Items take 20 s: only an abort ends the run soon.
    const file = await writeWorkflow(dir, "slow.ts", slowWorkflow(out, 20_000));
    const result = await interrupt([file, "--no-check"], 2);
    assertEquals(result.code, 130, result.stderr);
    assertMatch(result.stderr, /Aborting: in-flight items are cancelled/);
    assertMatch(
      result.stderr,
      /status\s+aborted, interrupted \(exit code 130\)/,
    );
    assert(result.afterSignalMs < 10_000, `took ${result.afterSignalMs} ms`);
  });
});
