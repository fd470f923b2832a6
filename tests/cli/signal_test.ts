/**
 * Ctrl-C and SIGTERM: the first signal stops the run gracefully (items in
 * flight finish and are written, or are aborted when the grace period is
 * over), prints the summary and exits 130 (SIGINT) or 143 (SIGTERM); the
 * second aborts the items in flight; a task that ignores its abort signal
 * does not keep the CLI from exiting.
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { jsonLines, runCli, withTempDir, writeWorkflow } from "./_helpers.ts";
import { interruptCli } from "./_interrupt.ts";

/**
 * A slow workflow over `n` numbers, each taking `ms`; number 5 takes a
 * minute, either honouring its signal or ignoring it.
 */
function slowWorkflow(
  out: string,
  options: { n: number; ms: number; stuck?: "abortable" | "ignoring" },
): string {
  const stuck = options.stuck === "abortable"
    ? "if (n === 5) await sleep(60_000, signal);"
    : options.stuck === "ignoring"
    ? "if (n === 5) await new Promise((r) => setTimeout(r, 60_000));"
    : "";
  return `import { defineWorkflow, range, sleep, toJsonl } from "@poolflow/poolflow";
export default defineWorkflow({
  name: "slow",
  source: range(${options.n}),
  pipeline: (rows) =>
    rows.map("wait", async (n, { signal }) => {
      ${stuck}
      await sleep(${options.ms}, signal);
      return { n };
    }, { concurrency: 4 }),
  sink: toJsonl(${JSON.stringify(out)}),
});
`;
}

/** The run is under way once its progress line is out. */
const PROGRESS = /\[\d+:\d+\] slow:/;
/** Or, sooner, once it says it is running. */
const RUNNING = /Running "slow"/;

Deno.test("cli stops gracefully on the first Ctrl-C and exits 130 with the summary", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const file = await writeWorkflow(
      dir,
      "slow.ts",
      slowWorkflow(out, { n: 100_000, ms: 300 }),
    );
    const result = await interruptCli([file, "--no-check"], {
      cwd: dir,
      when: PROGRESS,
    });
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
    const file = await writeWorkflow(
      dir,
      "slow.ts",
      slowWorkflow(out, { n: 100_000, ms: 20_000 }),
    );
    const result = await interruptCli([file, "--no-check"], {
      cwd: dir,
      when: PROGRESS,
      times: 2,
    });
    assertEquals(result.code, 130, result.stderr);
    assertMatch(result.stderr, /Aborting: in-flight items are cancelled/);
    assertMatch(
      result.stderr,
      /status\s+aborted, interrupted \(exit code 130\)/,
    );
    assert(result.afterSignalMs < 10_000, `took ${result.afterSignalMs} ms`);
  });
});

Deno.test("cli stops on SIGTERM like Ctrl-C, exits 143 with the summary, and can resume", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const file = await writeWorkflow(
      dir,
      "slow.ts",
      slowWorkflow(out, { n: 400, ms: 20 }),
    );
    const result = await interruptCli([file, "--no-check"], {
      cwd: dir,
      signal: "SIGTERM",
      when: RUNNING,
      delayMs: 300,
    });
    assertEquals(result.code, 143, result.stderr);
    assertMatch(result.stderr, /Stopping \(SIGTERM\): no new items/);
    assertMatch(
      result.stderr,
      /checkpoint\s+\.poolflow\/checkpoints\.db \(continue this run with --resume\)/,
    );
    assertMatch(
      result.stderr,
      /status\s+stopped, interrupted by SIGTERM \(exit code 143\)/,
    );
    const resumed = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertEquals(resumed.code, 0, resumed.stderr);
    assertMatch(resumed.stderr, /resumed run [\w-]+: [\d,]+ items? already/);
    const ns = jsonLines(await Deno.readTextFile(out)).map((row) =>
      (row as { n: number }).n
    );
    assertEquals(ns, Array.from({ length: 400 }, (_, n) => n));
  });
});

Deno.test("cli aborts an item still in flight when the --grace period after Ctrl-C is over", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "slow.ts",
      slowWorkflow(`${dir}/out.jsonl`, {
        n: 1000,
        ms: 10,
        stuck: "abortable",
      }),
    );
    const result = await interruptCli(
      [file, "--no-check", "--grace", "200ms"],
      {
        cwd: dir,
        when: RUNNING,
        delayMs: 300,
      },
    );
    assertEquals(result.code, 130, result.stderr);
    assertMatch(result.stderr, /those in flight have 200 ms to finish/);
    assertMatch(
      result.stderr,
      /Aborting: items in flight did not finish within 200 ms/,
    );
    assertMatch(
      result.stderr,
      /status\s+aborted, interrupted \(exit code 130\)/,
    );
    assert(result.afterSignalMs < 20_000, `took ${result.afterSignalMs} ms`);
  });
});

Deno.test("cli exits after SIGTERM even when an item ignores its abort signal", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "slow.ts",
      slowWorkflow(`${dir}/out.jsonl`, { n: 1000, ms: 10, stuck: "ignoring" }),
    );
    const result = await interruptCli(
      [file, "--no-check", "--grace", "200ms"],
      {
        cwd: dir,
        signal: "SIGTERM",
        when: RUNNING,
        delayMs: 300,
      },
    );
    assertEquals(result.code, 143, result.stderr);
    assertMatch(result.stderr, /Aborting: items in flight did not finish/);
    assertMatch(result.stderr, /Exiting: items in flight ignore the abort/);
    assert(result.afterSignalMs < 20_000, `took ${result.afterSignalMs} ms`);
  });
});

Deno.test("cli prints the summary when it exits without items that ignore the abort", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "slow.ts",
      slowWorkflow(`${dir}/out.jsonl`, { n: 1000, ms: 10, stuck: "ignoring" }),
    );
    const result = await interruptCli(
      [file, "--no-check", "--grace", "500ms"],
      { cwd: dir, signal: "SIGTERM", when: RUNNING, delayMs: 300 },
    );
    assertEquals(result.code, 143, result.stderr);
    const exiting = result.stderr.indexOf("Exiting: items in flight ignore");
    assert(exiting >= 0, result.stderr);
    const after = result.stderr.slice(exiting);
    assertMatch(after, /Summary of "slow"/);
    assertMatch(after, /done\s+\d+ written of \d+ read/);
    assertMatch(after, /wait\s+map\s+\d+/);
    assertMatch(after, /checkpoint\s+.*\(continue this run with --resume\)/);
    assertMatch(
      after,
      /status\s+aborted, interrupted by SIGTERM \(exit code 143\)\n$/,
    );
  });
});
