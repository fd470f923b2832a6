/**
 * A resume over a SQLite checkpoint file whose write-ahead log is damaged
 * is refused with `resume_store_damaged` (or `resume_store_missing` when
 * the file is gone but its log is there) before SQLite opens it, so the
 * damage stays for the user to repair; a whole log left by a process
 * that never closed its store resumes; `force` resumes from what is left.
 *
 * @module
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  defineWorkflow,
  range,
  run,
  type RunSummary,
  type Sink,
  sleep,
  SqliteCheckpointStore,
  toJsonl,
} from "../../mod.ts";
import { inspectStoreFiles } from "../../lib/durable/store_files.ts";
import { interrupting, jsonLines, withTempDir } from "./_helpers.ts";

const N = 600;

function workflow(sink: Sink<{ n: number }>) {
  return defineWorkflow({
    name: "numbers",
    source: range(N),
    pipeline: (rows) =>
      rows.map("work", async (n: number, { signal }) => {
        await sleep(0, signal);
        return { n };
      }, { concurrency: 4 }),
    sink,
  });
}

/**
 * Runs the workflow durably into a store it keeps open, aborts it at the
 * 400th write, and copies the store's files as a killed process leaves
 * them (the log not folded into the file) to `${dir}/copy.db`.
 */
async function killedCopy(dir: string, out: string): Promise<string> {
  const store = new SqliteCheckpointStore(`${dir}/cp.db`);
  try {
    const controller = new AbortController();
    const sink = interrupting(toJsonl<{ n: number }>(out), (count) => {
      if (count === 400) controller.abort(new Error("power cut"));
    });
    const summary = await run(workflow(sink), {
      signal: controller.signal,
      durable: { store, every: 10, interval: "1h" },
    }).done;
    assertEquals(summary.status, "aborted");
    await Deno.copyFile(`${dir}/cp.db`, `${dir}/copy.db`);
    await Deno.copyFile(`${dir}/cp.db-wal`, `${dir}/copy.db-wal`);
  } finally {
    store.close();
  }
  return `${dir}/copy.db`;
}

function resume(
  out: string,
  store: string,
  force = false,
): Promise<RunSummary> {
  return run(workflow(toJsonl(out)), {
    durable: { store, resume: true, force, every: 10, interval: "1h" },
  }).done;
}

async function numbersIn(out: string): Promise<number[]> {
  return (await jsonLines<{ n: number }>(out)).map((row) => row.n);
}

const ALL = Array.from({ length: N }, (_, n) => n);

Deno.test("a store left unclosed, its log whole, is not damaged and resumes", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const copy = await killedCopy(dir, out);
    assertEquals(await inspectStoreFiles(copy), undefined);
    const resumed = await resume(out, copy);
    assertEquals(resumed.status, "succeeded", resumed.error?.message);
    assert(resumed.resumed !== undefined);
    assertEquals(await numbersIn(out), ALL);
  });
});

Deno.test("a log overwritten in its middle is a ResumeError resume_store_damaged; force resumes from what is left", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const copy = await killedCopy(dir, out);
    const wal = await Deno.readFile(`${copy}-wal`);
    const pageSize = new DataView(wal.buffer).getUint32(8);
    const frame = 24 + pageSize;
    assert((wal.length - 32) / frame > 4, "too few frames to damage one");
    // The second frame's page: its header (and salts) stay.
    wal.fill(0x55, 32 + frame + 24, 32 + 2 * frame);
    await Deno.writeFile(`${copy}-wal`, wal);

    const refused = await resume(out, copy);
    assertEquals(refused.status, "failed");
    assertEquals(refused.error?.code, "resume_store_damaged");
    assertStringIncludes(
      refused.error!.message,
      `the checkpoint store "${copy}" is damaged: its write-ahead log "${copy}-wal" is damaged at byte ${
        32 + frame
      }`,
    );
    assertEquals(refused.read, 0);
    assertEquals(await Deno.readFile(`${copy}-wal`), wal);

    const forced = await resume(out, copy, true);
    assert(
      forced.error?.code !== "resume_store_damaged",
      forced.error?.message,
    );
  });
});

Deno.test("a store whose file is gone but whose log is there is resume_store_missing", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const copy = await killedCopy(dir, out);
    await Deno.remove(copy);
    const refused = await resume(out, copy);
    assertEquals(refused.error?.code, "resume_store_missing");
    assertStringIncludes(
      refused.error!.message,
      "the checkpoint store is missing",
    );
  });
});
