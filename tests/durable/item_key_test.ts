/**
 * Item keys in durable runs: a workflow that names a key has its finished
 * inputs recorded by key, so a forced resume over a changed input (rows
 * added before and after, reordered) skips exactly the inputs already done.
 *
 * @module
 */

import {
  assertEquals,
  assertGreater,
  assertLess,
  assertStringIncludes,
} from "@std/assert";
import {
  defineWorkflow,
  fromJsonl,
  MemoryCheckpointStore,
  run,
  sleep,
  toJsonl,
} from "../../mod.ts";
import { jsonLines, withTempDir } from "./_helpers.ts";

interface Row {
  id: string;
}

function keyedWorkflow(
  input: string,
  out: string,
  onItem: (id: string) => void = () => {},
) {
  return defineWorkflow({
    name: "keyed",
    source: fromJsonl<Row>(input),
    key: (row) => row.id,
    pipeline: (rows) =>
      rows.map("slow", async (row) => {
        await sleep(1);
        onItem(row.id);
        return { id: row.id };
      }, { concurrency: 4 }),
    sink: toJsonl<Row>(out),
  });
}

async function writeRows(path: string, ids: readonly string[]): Promise<void> {
  await Deno.writeTextFile(
    path,
    ids.map((id) => JSON.stringify({ id })).join("\n") + "\n",
  );
}

Deno.test("a keyed durable run resumed with force over a changed input skips the inputs done, by key", async () => {
  await withTempDir(async (dir) => {
    const input = `${dir}/in.jsonl`;
    const out = `${dir}/out.jsonl`;
    const store = new MemoryCheckpointStore();
    const first = Array.from({ length: 200 }, (_, i) => `r${i}`);
    await writeRows(input, first);
    const controller = new AbortController();
    let processed = 0;
    const crashAt = () => {
      if (++processed === 120) controller.abort(new Error("crash"));
    };
    const crashed = await run(keyedWorkflow(input, out, crashAt), {
      signal: controller.signal,
      durable: { store, every: 10, interval: 5 },
    }).done;
    assertEquals(crashed.status, "aborted");

    // New rows before and after, and the old ones reversed.
    const changed = ["new-a", ...first.toReversed(), "new-b"];
    await writeRows(input, changed);
    const refused = await run(keyedWorkflow(input, out), {
      durable: { store, resume: true },
    }).done;
    assertEquals(refused.status, "failed");
    assertEquals(refused.error?.name, "ResumeError");
    assertStringIncludes(refused.error?.message ?? "", "changed");

    const resumed = await run(keyedWorkflow(input, out), {
      durable: { store, resume: true, force: true },
    }).done;
    assertEquals(resumed.status, "succeeded");
    // Some inputs were done before the crash, and skipped by their keys.
    assertGreater(resumed.resumed?.skipped ?? 0, 0);
    assertLess(resumed.resumed?.skipped ?? 0, first.length);
    const ids = (await jsonLines<Row>(out)).map((row) => row.id);
    assertEquals(ids.length, changed.length, "every input exactly once");
    assertEquals(new Set(ids).size, changed.length);
    assertEquals(
      resumed.read + (resumed.resumed?.skipped ?? 0),
      changed.length,
    );
  });
});

Deno.test("a key function that throws fails that item at the source, not the run", async () => {
  await withTempDir(async (dir) => {
    const input = `${dir}/in.jsonl`;
    await writeRows(input, ["a", "b", "c"]);
    const dead: unknown[] = [];
    const summary = await run(
      defineWorkflow({
        name: "bad-key",
        source: fromJsonl<Row>(input),
        key: (row) => {
          if (row.id === "b") throw new Error("no key for b");
          return row.id;
        },
        sink: toJsonl(`${dir}/out.jsonl`),
        deadLetter: {
          kind: "test",
          location: "memory",
          open: () =>
            Promise.resolve({
              write: (letter: unknown) => void dead.push(letter),
              close: () => Promise.resolve(),
              checkpoint: () => Promise.resolve({}),
            }),
        },
      }),
      { durable: { store: new MemoryCheckpointStore() } },
    ).done;
    assertEquals(summary.status, "completed-with-failures");
    assertEquals((await jsonLines<Row>(`${dir}/out.jsonl`)).map((r) => r.id), [
      "a",
      "c",
    ]);
    assertEquals(dead.length, 1);
    assertStringIncludes(JSON.stringify(dead[0]), "no key for b");
  });
});

Deno.test("a workflow key that is not a function is a WorkflowError naming the field", () => {
  let message = "";
  try {
    run(defineWorkflow({
      name: "w",
      source: fromJsonl("x.jsonl"),
      key: "id" as unknown as (row: unknown) => string,
    }));
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(
    message,
    "Invalid key: expected a function (row) => string | number",
  );
});
