/**
 * Running a durable workflow again while its last run is unfinished: the
 * CLI says so in one line naming --resume and --restart and waits, so
 * that Ctrl-C keeps the unfinished run (outputs and checkpoint untouched)
 * for --resume; --restart starts over at once. And a resume is announced
 * ("Resuming ...") only once it was accepted.
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  assertUserError,
  idsWorkflow,
  jsonLines,
  runCli,
  setUpIds,
  withTempDir,
  writeWorkflow,
} from "./_helpers.ts";
import { interruptCli } from "./_interrupt.ts";

const N = 1500;

const WORKFLOW = idsWorkflow({ delayMs: 5 });

const NOTICE =
  /Run ([\w-]+) of "ids" is unfinished \([\d,]+ written, checkpoint in \.poolflow\/checkpoints\.db\): this run starts over in 3 s and overwrites its outputs\. Ctrl-C now keeps it to continue with --resume; --restart starts over at once\n/;

/** Sets up the workflow and leaves a run of it unfinished (Ctrl-C). */
async function unfinished(dir: string): Promise<string> {
  const file = await setUpIds(dir, N, WORKFLOW);
  const stopped = await interruptCli([file, "--no-check"], {
    cwd: dir,
    when: /Running "ids"/,
    delayMs: 200,
  });
  assertEquals(stopped.code, 130, stopped.stderr);
  return file;
}

async function idsIn(dir: string): Promise<number[]> {
  return jsonLines(await Deno.readTextFile(`${dir}/out.jsonl`)).map((row) =>
    (row as { id: number }).id
  );
}

const ALL = Array.from({ length: N }, (_, id) => id);

Deno.test("cli run again over an unfinished run: the notice, then Ctrl-C keeps that run for --resume, its outputs untouched", async () => {
  await withTempDir(async (dir) => {
    const file = await unfinished(dir);
    const before = await Deno.readFile(`${dir}/out.jsonl`);
    const again = await interruptCli([file, "--no-check"], {
      cwd: dir,
      when: NOTICE,
    });
    assert(again.signalled, again.stderr);
    assertEquals(again.code, 130, again.stderr);
    const oldRun = NOTICE.exec(again.stderr)![1]!;
    assertEquals(await Deno.readFile(`${dir}/out.jsonl`), before);

    const resumed = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertEquals(resumed.code, 0, resumed.stderr);
    assertMatch(resumed.stderr, new RegExp(`resumed run ${oldRun}: `));
    assertEquals(await idsIn(dir), ALL);
  });
});

Deno.test("cli run again over an unfinished run without Ctrl-C starts over after the notice; --restart at once, without it", async () => {
  await withTempDir(async (dir) => {
    const file = await unfinished(dir);
    const over = await runCli([file, "--no-check"], { cwd: dir });
    assertEquals(over.code, 0, over.stderr);
    assertMatch(over.stderr, NOTICE);
    assert(!over.stderr.includes("resumed run"), over.stderr);
    assertEquals(await idsIn(dir), ALL);
    // Finished: nothing to say the next time.
    const twice = await runCli([file, "--no-check"], { cwd: dir });
    assertEquals(twice.code, 0, twice.stderr);
    assert(!twice.stderr.includes("is unfinished"), twice.stderr);
  });
  await withTempDir(async (dir) => {
    const file = await unfinished(dir);
    const restarted = await runCli([file, "--no-check", "--restart"], {
      cwd: dir,
    });
    assertEquals(restarted.code, 0, restarted.stderr);
    assert(!restarted.stderr.includes("is unfinished"), restarted.stderr);
    assertEquals(await idsIn(dir), ALL);
    const conflict = await runCli(
      [file, "--no-check", "--restart", "--resume"],
      {
        cwd: dir,
      },
    );
    assertUserError(conflict, "Conflicting flags --restart and --resume");
  });
});

Deno.test('cli says "Resuming" only once a resume is accepted', async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/input.jsonl`, `{"id":0}\n`);
    const file = await writeWorkflow(dir, "ids.ts", WORKFLOW);
    const refused = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertUserError(refused, "No checkpoint to resume");
    assert(!refused.stderr.includes("Resuming"), refused.stderr);
  });
  await withTempDir(async (dir) => {
    const file = await unfinished(dir);
    const resumed = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertEquals(resumed.code, 0, resumed.stderr);
    assertMatch(
      resumed.stderr,
      /^Resuming "ids" \(.*ids\.ts\), run [\w-]+, checkpoints in \.poolflow\/checkpoints\.db: progress every 2 s, Ctrl-C to stop\n/,
    );
  });
});
