/**
 * Durable runs from the command line: where checkpoints go, `--resume`
 * after Ctrl-C with every input exactly once in the outputs, and the
 * resumes that are refused with exit code 64.
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
  assertUserError,
  idsWorkflow,
  jsonLines,
  ROOT,
  runCli,
  setUpIds,
  withTempDir,
} from "./_helpers.ts";
import { interruptCli } from "./_interrupt.ts";

/** How many ids the input holds; every 97th (from 13) fails. */
const N = 1500;

/** A workflow over the ids in `input.jsonl`, writing `out.jsonl` and `dead.jsonl`. */
const WORKFLOW = idsWorkflow({ delayMs: 5, failing: true });

/** A folder with the workflow and its input; returns the workflow's path. */
async function setUp(dir: string): Promise<string> {
  return await setUpIds(dir, N, WORKFLOW);
}

/**
 * Runs the workflow in `dir` and stops it with Ctrl-C soon after it
 * starts; a second Ctrl-C (`times: 2`) aborts it.
 */
async function interrupted(
  dir: string,
  file: string,
  times = 1,
): Promise<void> {
  const result = await interruptCli([file, "--no-check"], {
    cwd: dir,
    when: /Running "ids"/,
    delayMs: 200,
    times,
  });
  assertEquals(result.code, 130, result.stderr);
  assertMatch(result.stderr, /continue this run with --resume/);
}

/** Asserts that every input is in the outputs exactly once. */
async function assertExactlyOnce(dir: string): Promise<void> {
  const ids = (file: string) =>
    Deno.readTextFile(`${dir}/${file}`).then((text) =>
      jsonLines(text).map((row) => {
        const { id, input } = row as { id?: number; input?: { id: number } };
        return id ?? input!.id;
      })
    );
  const written = await ids("out.jsonl");
  const dead = await ids("dead.jsonl");
  const all = Array.from({ length: N }, (_, id) => id);
  assertEquals(written, all.filter((id) => id % 97 !== 13));
  assertEquals(dead, all.filter((id) => id % 97 === 13));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("cli keeps checkpoints in .poolflow/checkpoints.db, or --checkpoint PATH; none with --no-checkpoint or stdout", async () => {
  await withTempDir(async (root) => {
    const dirs = ["default", "path", "none", "stdout"].map((name) =>
      `${root}/${name}`
    );
    const files = await Promise.all(dirs.map(async (dir) => {
      await Deno.mkdir(dir);
      return await setUp(dir);
    }));
    const [byDefault, atPath, none, stdout] = await Promise.all([
      runCli([files[0]!, "--no-check"], { cwd: dirs[0]! }),
      runCli([files[1]!, "--no-check", "--checkpoint", "state/cp.db"], {
        cwd: dirs[1]!,
      }),
      runCli([files[2]!, "--no-check", "--no-checkpoint"], { cwd: dirs[2]! }),
      runCli([files[3]!, "--no-check", "--out", "-", "-q"], { cwd: dirs[3]! }),
    ]);
    assertEquals(byDefault.code, 1, byDefault.stderr);
    assert(await exists(`${dirs[0]}/.poolflow/checkpoints.db`));
    assertMatch(byDefault.stderr, /checkpoint\s+\.poolflow\/checkpoints\.db\n/);
    await assertExactlyOnce(dirs[0]!);
    assertEquals(atPath.code, 1, atPath.stderr);
    assert(await exists(`${dirs[1]}/state/cp.db`));
    assert(!(await exists(`${dirs[1]}/.poolflow`)));
    assertEquals(none.code, 1, none.stderr);
    assert(!(await exists(`${dirs[2]}/.poolflow`)));
    assert(!none.stderr.includes("checkpoint"));
    // Stdout cannot resume: the run is not durable, silently.
    assertEquals(stdout.code, 1, stdout.stderr);
    assertEquals(jsonLines(stdout.stdout).length, N - 16);
    assert(!(await exists(`${dirs[3]}/.poolflow`)));
  });
});

Deno.test("cli --resume continues a run stopped by Ctrl-C: every input exactly once", async () => {
  await withTempDir(async (dir) => {
    const file = await setUp(dir);
    await interrupted(dir, file);
    const done = jsonLines(await Deno.readTextFile(`${dir}/out.jsonl`)).length;
    assert(done < N - 16, `the first run did it all (${done})`);
    const resumed = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertEquals(resumed.code, 1, resumed.stderr);
    assertMatch(
      resumed.stderr,
      /resumed run [\w-]+: [\d,]+ items? already done (was|were) skipped/,
    );
    assertMatch(resumed.stderr, /checkpoint\s+\.poolflow\/checkpoints\.db\n/);
    await assertExactlyOnce(dir);
    // It finished: there is nothing left to resume.
    const again = await runCli([file, "--no-check", "--resume"], { cwd: dir });
    assertUserError(again, "already finished: run it without --resume");
  });
});

Deno.test("cli --resume continues a run aborted by a second Ctrl-C: every input exactly once", async () => {
  await withTempDir(async (dir) => {
    const file = await setUp(dir);
    await interrupted(dir, file, 2);
    const resumed = await runCli([file, "--no-check", "--resume", "-q"], {
      cwd: dir,
    });
    assertEquals(resumed.code, 1, resumed.stderr);
    await assertExactlyOnce(dir);
  });
});

Deno.test("cli --resume with nothing to resume, or with outputs that cannot resume, exits 64", async () => {
  await withTempDir(async (dir) => {
    const file = await setUp(dir);
    const [nothing, stdout, noCheckpoint] = await Promise.all([
      runCli([file, "--no-check", "--resume"], { cwd: dir }),
      runCli([file, "--no-check", "--resume", "--out", "-"], { cwd: dir }),
      runCli([file, "--no-check", "--resume", "--no-checkpoint"], {
        cwd: dir,
      }),
    ]);
    assertUserError(nothing, "No checkpoint to resume");
    assertUserError(stdout, 'the sink "-" (stdout) cannot resume');
    assertEquals(stdout.stdout, "");
    assertUserError(
      noCheckpoint,
      "Conflicting flags --resume and --no-checkpoint",
    );
    assert(!(await exists(`${dir}/out.jsonl`)));
  });
});

Deno.test("cli --resume refuses an edited workflow file, unless --force", async () => {
  await withTempDir(async (dir) => {
    const file = await setUp(dir);
    await interrupted(dir, file);
    await Deno.writeTextFile(file, `${WORKFLOW}// edited\n`);
    const refused = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertUserError(refused, "The workflow changed since run");
    assertStringIncludes(refused.stderr, "pass --force to resume anyway");
    const forced = await runCli([file, "--no-check", "--resume", "--force"], {
      cwd: dir,
    });
    assertEquals(forced.code, 1, forced.stderr);
    assertMatch(forced.stderr, /resumed run/);
    await assertExactlyOnce(dir);
  });
});

Deno.test("cli --resume refuses a changed input", async () => {
  await withTempDir(async (dir) => {
    const file = await setUp(dir);
    await interrupted(dir, file);
    await Deno.writeTextFile(`${dir}/input.jsonl`, `{"id":${N}}\n`, {
      append: true,
    });
    const refused = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertUserError(refused, "The input input.jsonl changed since run");
  });
});

Deno.test("cli asks for --no-checkpoint or permission when it may not write the checkpoint", async () => {
  await withTempDir(async (dir) => {
    const file = await setUp(dir);
    const read = `--allow-read=${ROOT},${dir}`;
    const [denied, without] = await Promise.all([
      runCli([file, "--no-check"], {
        cwd: dir,
        permissions: [read, `--allow-write=${dir}/out.jsonl,${dir}/dead.jsonl`],
      }),
      runCli([file, "--no-check", "--no-checkpoint", "-q"], {
        cwd: dir,
        permissions: [read, `--allow-write=${dir}/out.jsonl,${dir}/dead.jsonl`],
      }),
    ]);
    assertUserError(
      denied,
      'Cannot keep checkpoints in ".poolflow/checkpoints.db": allow it with --allow-write=.poolflow, or run with --no-checkpoint',
    );
    assertEquals(without.code, 1, without.stderr);
    assert(!(await exists(`${dir}/.poolflow`)));
  });
});
