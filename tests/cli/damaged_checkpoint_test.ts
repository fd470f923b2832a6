/**
 * A durable run killed with SIGKILL whose checkpoint file is then damaged
 * (its write-ahead log overwritten or cut, or the file deleted with its
 * log kept): `--resume` says the store is damaged or missing and what to
 * do, exits 64 and leaves the files as they were, instead of reporting
 * "no checkpoint" and advising to start over.
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
} from "./_helpers.ts";
import { interruptCli } from "./_interrupt.ts";

const N = 1500;

const WORKFLOW = idsWorkflow({ delayMs: 10 });

const STORE = ".poolflow/checkpoints.db";

/** Sets up the workflow and its input, runs it and kills it with SIGKILL. */
async function killed(dir: string): Promise<string> {
  const file = await setUpIds(dir, N, WORKFLOW);
  const result = await interruptCli([file, "--no-check"], {
    cwd: dir,
    when: /Running "ids"/,
    delayMs: 300,
    signal: "SIGKILL",
  });
  assertEquals(result.code, 137, result.stderr);
  // Killed: SQLite had no chance to fold its log into the file.
  assert((await Deno.stat(`${dir}/${STORE}-wal`)).size > 0);
  return file;
}

/** The checkpoint files' bytes, by name. */
async function storeFiles(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(`${dir}/.poolflow`)) {
    const bytes = await Deno.readFile(`${dir}/.poolflow/${entry.name}`);
    files[entry.name] = `${bytes.length}:${
      Array.from(
        new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
      ).join(",")
    }`;
  }
  return files;
}

Deno.test("cli --resume after SIGKILL, with the checkpoint whole: every input exactly once", async () => {
  await withTempDir(async (dir) => {
    const file = await killed(dir);
    const resumed = await runCli([file, "--no-check", "--resume"], {
      cwd: dir,
    });
    assertEquals(resumed.code, 0, resumed.stderr);
    const ids = jsonLines(await Deno.readTextFile(`${dir}/out.jsonl`)).map(
      (row) => (row as { id: number }).id,
    );
    assertEquals(ids, Array.from({ length: N }, (_, id) => id));
  });
});

const damages = [
  {
    name: "a write-ahead log overwritten with garbage",
    damage: async (dir: string) => {
      const wal = `${dir}/${STORE}-wal`;
      const { size } = await Deno.stat(wal);
      const garbage = new Uint8Array(size);
      for (let at = 0; at < size; at += 65536) {
        crypto.getRandomValues(garbage.subarray(at, at + 65536));
      }
      await Deno.writeFile(wal, garbage);
    },
    expect:
      /the checkpoint store "\.poolflow\/checkpoints\.db" is damaged: its write-ahead log "\.poolflow\/checkpoints\.db-wal" is not a SQLite write-ahead log/,
    code: "damaged",
  },
  {
    name: "a write-ahead log cut in half",
    damage: async (dir: string) => {
      const wal = `${dir}/${STORE}-wal`;
      const bytes = await Deno.readFile(wal);
      await Deno.writeFile(wal, bytes.subarray(0, bytes.length >> 1));
    },
    expect:
      /the checkpoint store "\.poolflow\/checkpoints\.db" is damaged: its write-ahead log "\.poolflow\/checkpoints\.db-wal" is cut/,
    code: "damaged",
  },
  {
    name: "the checkpoint file deleted, its write-ahead log kept",
    damage: async (dir: string) => {
      await Deno.remove(`${dir}/${STORE}`);
    },
    expect:
      /the checkpoint store is missing: "\.poolflow\/checkpoints\.db" is gone but its write-ahead log "\.poolflow\/checkpoints\.db-wal" holds \d+ bytes/,
    code: "missing",
  },
] as const;

for (const { name, damage, expect, code } of damages) {
  Deno.test(`cli --resume over ${name} says so, exits 64 and leaves the files as they were`, async () => {
    await withTempDir(async (dir) => {
      const file = await killed(dir);
      await damage(dir);
      const before = await storeFiles(dir);
      const output = await Deno.readTextFile(`${dir}/out.jsonl`);
      const refused = await runCli([file, "--no-check", "--resume"], {
        cwd: dir,
      });
      assertUserError(
        refused,
        'Cannot resume workflow "ids" writing to out.jsonl',
      );
      assertMatch(refused.stderr, expect);
      assert(
        !refused.stderr.includes("No checkpoint"),
        `reported as no checkpoint:\n${refused.stderr}`,
      );
      if (code === "damaged") {
        assertMatch(
          refused.stderr,
          /Restore the checkpoint file and its -wal file from a backup and --resume again; or pass --force to resume from its last intact checkpoint/,
        );
      } else {
        assertMatch(
          refused.stderr,
          /Put the checkpoint file back \(the -wal file alone cannot be read\) and --resume again/,
        );
      }
      // Nothing was opened: the evidence and the outputs are as they were.
      assertEquals(await storeFiles(dir), before);
      assertEquals(await Deno.readTextFile(`${dir}/out.jsonl`), output);
      // Refusing again says the same, not "no checkpoint".
      const again = await runCli([file, "--no-check", "--resume"], {
        cwd: dir,
      });
      assertMatch(again.stderr, expect);
    });
  });
}
