/**
 * The CLI end to end: runs that succeed, fail items, fail fast; output
 * overrides, limits, parameters, JSON events.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import {
  jsonLines,
  numbersWorkflow,
  runCli,
  withTempDir,
  writeWorkflow,
} from "./_helpers.ts";

Deno.test("cli runs a type-checked workflow and exits 0 with the output written", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const file = await writeWorkflow(dir, "wf.ts", numbersWorkflow({ out }));
    // From the root, where deno check finds deno.json; checkpoints go elsewhere.
    const checkpoint = `${dir}/state/checkpoints.db`;
    const result = await runCli([file, "--checkpoint", checkpoint]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "");
    assertEquals(
      jsonLines(await Deno.readTextFile(out)),
      Array.from({ length: 10 }, (_, n) => ({ n, doubled: n * 2 })),
    );
    assertStringIncludes(result.stderr, `Summary of "numbers"`);
    assertMatch(result.stderr, /done\s+10 written of 10 read/);
    assertMatch(result.stderr, /double\s+map\s+10\s+10\s+0\s+0\s+[\d.]+ ms/);
    assertMatch(result.stderr, /output\s+.*out\.jsonl/);
    assertMatch(result.stderr, /checkpoint\s+.*state\/checkpoints\.db\n/);
    assert((await Deno.stat(checkpoint)).isFile);
    assertMatch(result.stderr, /status\s+succeeded \(exit code 0\)\n$/);
  });
});

Deno.test("cli exits 1 when items fail under continue, with the dead letter written", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const dead = `${dir}/dead.jsonl`;
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      numbersWorkflow({ out, dead }, { fail: [3, 7] }),
    );
    const result = await runCli([file, "--no-check"], { cwd: dir });
    assertEquals(result.code, 1, result.stderr);
    assertEquals(jsonLines(await Deno.readTextFile(out)).length, 8);
    assertEquals(jsonLines(await Deno.readTextFile(dead)), [
      { stage: "double", input: 3, error: "Error: no 3", attempts: 1 },
      { stage: "double", input: 7, error: "Error: no 7", attempts: 1 },
    ]);
    assertStringIncludes(result.stderr, "failed: double #3: Error: no 3");
    assertMatch(result.stderr, /dead letter\s+.*dead\.jsonl/);
    assertMatch(
      result.stderr,
      /status\s+completed-with-failures \(exit code 1\)/,
    );
  });
});

Deno.test("cli exits 2 when --fail-fast stops the run at a failure", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      numbersWorkflow({ out }, { fail: [2] }),
    );
    const result = await runCli([file, "--no-check", "--fail-fast"], {
      cwd: dir,
    });
    assertEquals(result.code, 2, result.stderr);
    assertMatch(result.stderr, /error\s+TaskError: .*no 2/);
    assertMatch(result.stderr, /status\s+failed \(exit code 2\)/);
  });
});

Deno.test("cli --limit takes the first N items, --out overrides the sink by extension", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const csv = `${dir}/override.csv`;
    const file = await writeWorkflow(dir, "wf.ts", numbersWorkflow({ out }));
    const [limited, toCsv, toStdout] = await Promise.all([
      runCli([file, "--no-check", "--limit", "3", "--out", csv], { cwd: dir }),
      runCli([file, "--no-check", "--limit=2", "-o", `${dir}/other.json`], {
        cwd: dir,
      }),
      runCli([file, "--no-check", "--limit", "2", "--out", "-", "--quiet"], {
        cwd: dir,
      }),
    ]);
    assertEquals(limited.code, 0, limited.stderr);
    assertEquals(
      await Deno.readTextFile(csv),
      "n,doubled\r\n0,0\r\n1,2\r\n2,4\r\n",
    );
    assertMatch(limited.stderr, /output\s+.*override\.csv/);
    assertEquals(toCsv.code, 0, toCsv.stderr);
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/other.json`)), [
      { n: 0, doubled: 0 },
      { n: 1, doubled: 2 },
    ]);
    assertEquals(toStdout.code, 0, toStdout.stderr);
    assertEquals(jsonLines(toStdout.stdout), [
      { n: 0, doubled: 0 },
      { n: 1, doubled: 2 },
    ]);
    assertEquals(toStdout.stderr, "");
    // The workflow's own sink was never opened.
    assert(!(await exists(out)));
  });
});

Deno.test("cli --param values are converted to the declared types; bad ones are usage errors", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const file = await writeWorkflow(dir, "wf.ts", numbersWorkflow({ out }));
    const [ok, notNumber, unknown] = await Promise.all([
      runCli([file, "--no-check", "-q", "--param", "n=3", "-p", "tag=true"], {
        cwd: dir,
      }),
      runCli([file, "--no-check", "--param", "n=three"], { cwd: dir }),
      runCli([file, "--no-check", "--param", "size=3"], { cwd: dir }),
    ]);
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(jsonLines(await Deno.readTextFile(out)).length, 3);
    assertEquals(notNumber.code, 64);
    assertStringIncludes(
      notNumber.stderr,
      'wf.ts: Invalid params.n: expected a number, got "three"',
    );
    assertEquals(unknown.code, 64);
    assertStringIncludes(unknown.stderr, 'Unknown param "size"');
  });
});

Deno.test("cli --json prints events as JSON lines ending with run-finished", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      numbersWorkflow({ out: `${dir}/out.jsonl` }, { fail: [1] }),
    );
    const result = await runCli([file, "--no-check", "--json", "--quiet"], {
      cwd: dir,
    });
    assertEquals(result.code, 1, result.stderr);
    assertEquals(result.stderr, "");
    const events = jsonLines(result.stdout) as { type: string }[];
    assertEquals(events[0]?.type, "run-started");
    const last = events.at(-1) as {
      type: string;
      summary: { status: string; written: number; failed: number };
    };
    assertEquals(last.type, "run-finished");
    assertEquals(
      [last.summary.status, last.summary.written, last.summary.failed],
      ["completed-with-failures", 9, 1],
    );
    assert(events.some((e) => e.type === "item-failed"));
  });
});

Deno.test("cli --json refuses a workflow whose sink is stdout", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      `import { defineWorkflow, range, toStdout } from "@poolflow/poolflow";
export default defineWorkflow({ name: "w", source: range(0, 3), sink: toStdout() });
`,
    );
    const result = await runCli([file, "--no-check", "--json"], { cwd: dir });
    assertEquals(result.code, 64);
    assertStringIncludes(result.stderr, "--json writes events to stdout");
    assertEquals(result.stdout, "");
  });
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
