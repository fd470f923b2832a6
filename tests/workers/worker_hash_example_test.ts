/**
 * The `examples/worker_hash` workflow: a CPU-bound stage on two worker
 * threads, run through `run()` and through the CLI in a subprocess. Both
 * write a digest per document, in input order, matching SHA-256 computed
 * here on the main thread.
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { run } from "../../mod.ts";
import workerHash, {
  DOCUMENTS_JSONL,
} from "../../examples/worker_hash/workflow.ts";
import {
  type Document,
  type HashedDocument,
  ROUNDS,
} from "../../examples/worker_hash/hash.ts";
import { sha256Rounds, toHex } from "../../examples/worker_hash/sha256.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function readJsonl<T>(path: string | URL): Promise<T[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line) as T
  );
}

/** Checks the output against the documents, hashed here. */
async function assertDigests(out: string): Promise<void> {
  const docs = await readJsonl<Document>(DOCUMENTS_JSONL);
  const digests = await readJsonl<HashedDocument>(out);
  assertEquals(docs.length, 200);
  assertEquals(digests.map((d) => d.id), docs.map((d) => d.id));
  for (const [i, doc] of docs.entries()) {
    if (i % 20 !== 0) continue;
    const bytes = new TextEncoder().encode(doc.text);
    assertEquals(digests[i], {
      id: doc.id,
      bytes: bytes.length,
      digest: toHex(sha256Rounds(bytes, ROUNDS)),
    });
  }
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "poolflow_worker_hash_" }),
  );
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("examples/worker_hash runs through run(), twice, hashing on worker threads", async () => {
  await withTempDir(async (dir) => {
    for (const name of ["first", "second"]) {
      const out = `${dir}/out/${name}.jsonl`;
      const summary = await run(workerHash, {
        params: { out: `${name}.jsonl` },
        folder: dir,
      }).done;
      assertEquals(summary.status, "succeeded");
      assertEquals([summary.read, summary.written], [200, 200]);
      await assertDigests(out);
    }
  });
});

Deno.test("examples/worker_hash runs through the CLI", async () => {
  // The output is a path param inside the example's out/: a folder of its
  // own there, removed afterwards.
  const subfolder = `test-${crypto.randomUUID()}`;
  const folder = `${ROOT}examples/worker_hash/out/${subfolder}`;
  try {
    const out = `${folder}/digests.jsonl`;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "cli.ts",
        "examples/worker_hash/workflow.ts",
        "--no-check",
        "--param",
        `out=${subfolder}/digests.jsonl`,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, stderr);
    assertStringIncludes(stdout + stderr, "200 written of 200 read");
    assert(!/error/i.test(stderr), stderr);
    await assertDigests(out);
  } finally {
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
});
