/**
 * Ctrl-C or SIGTERM while the CLI type-checks the workflow file (`deno
 * check` in a child process) stops it there: the checker is killed, nothing
 * runs, and the CLI exits 130 or 143.
 *
 * @module
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  numbersWorkflow,
  spawnCli,
  withTempDir,
  writeWorkflow,
} from "./_helpers.ts";

/** The pids of the children of `pid` whose command line holds `word` (Linux). */
async function childrenRunning(pid: number, word: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const status = await Deno.readTextFile(`/proc/${entry.name}/status`);
      if (!new RegExp(`^PPid:\\s+${pid}$`, "m").test(status)) continue;
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (cmdline.split("\0").includes(word)) found.push(Number(entry.name));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function interruptDuringCheck(signal: Deno.Signal): Promise<void> {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    // A new file each time: deno check has no cached result for it.
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      `${numbersWorkflow({ out })}\n// ${crypto.randomUUID()}\n`,
    );
    const child = spawnCli([file, "--checkpoint", `${dir}/cp.db`]);
    const stdout = new Response(child.stdout).text();
    const stderr = new Response(child.stderr).text();
    const safety = setTimeout(() => child.kill("SIGKILL"), 60_000);
    try {
      let checkers: number[] = [];
      const until = Date.now() + 30_000;
      while (checkers.length === 0 && Date.now() < until) {
        checkers = await childrenRunning(child.pid, "check");
        if (checkers.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      assert(checkers.length > 0, "deno check never started");
      child.kill(signal);
      const status = await child.status;
      const text = await stderr;
      await stdout;
      assertEquals(status.code, signal === "SIGINT" ? 130 : 143, text);
      assertStringIncludes(text, "before the run started: nothing ran");
      assert(!text.includes("Summary of"), text);
      // Nothing ran: the output was never created, the checker is gone.
      await Deno.stat(out).then(
        () => assert(false, "the output was written"),
        (error) => assert(error instanceof Deno.errors.NotFound),
      );
      for (const pid of checkers) {
        assert(!alive(pid), `deno check ${pid} runs on`);
      }
    } finally {
      clearTimeout(safety);
    }
  });
}

Deno.test({
  name: "cli exits 130 and runs nothing on Ctrl-C during the type check",
  ignore: Deno.build.os !== "linux",
  fn: () => interruptDuringCheck("SIGINT"),
});

Deno.test({
  name: "cli exits 143 and runs nothing on SIGTERM during the type check",
  ignore: Deno.build.os !== "linux",
  fn: () => interruptDuringCheck("SIGTERM"),
});
