/**
 * `DurableOptions.onStart`: a fresh run is told of the unfinished run it
 * starts over, a resume of the run it continues, before either records
 * anything or opens an output; a run stopped there ends without touching
 * the outputs or the checkpoints, so the unfinished run still resumes.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";
import {
  defineWorkflow,
  type DurableStartInfo,
  MemoryCheckpointStore,
  range,
  run,
  type RunHandle,
  type Sink,
  toJsonl,
} from "../../mod.ts";
import { interrupting, jsonLines, withTempDir } from "./_helpers.ts";

const N = 300;

function workflow(sink: Sink<{ n: number }>) {
  return defineWorkflow({
    name: "numbers",
    source: range(N),
    pipeline: (rows) => rows.map("work", (n: number) => ({ n })),
    sink,
  });
}

Deno.test("a fresh durable run stopped in onStart leaves the unfinished run it would replace resumable, its output untouched", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const store = new MemoryCheckpointStore();
    const controller = new AbortController();
    const first = await run(
      workflow(interrupting(toJsonl(out), (count) => {
        if (count === 100) controller.abort(new Error("power cut"));
      })),
      { signal: controller.signal, durable: { store, every: 10 } },
    ).done;
    assertEquals(first.status, "aborted");
    const before = await Deno.readFile(out);

    const seen: DurableStartInfo[] = [];
    const handle: RunHandle = run(workflow(toJsonl(out)), {
      durable: {
        store,
        every: 10,
        onStart: (start) => {
          seen.push(start);
          handle.stop();
        },
      },
    });
    const stopped = await handle.done;
    assertEquals(stopped.status, "stopped");
    assertEquals([stopped.read, stopped.written], [0, 0]);
    assertEquals(seen.length, 1);
    assertEquals(seen[0]!.resumes, undefined);
    assertEquals(seen[0]!.startsOver?.runId, first.runId);
    assert(seen[0]!.startsOver!.written > 0);
    assertEquals(await Deno.readFile(out), before);

    const resumes: DurableStartInfo[] = [];
    const resumed = await run(workflow(toJsonl(out)), {
      durable: { store, resume: true, onStart: (s) => void resumes.push(s) },
    }).done;
    assertEquals(resumed.status, "succeeded");
    assertEquals(resumed.resumed?.runId, first.runId);
    assertEquals(resumes[0]?.resumes?.runId, first.runId);
    assertEquals(resumes[0]?.startsOver, undefined);
    assertEquals(
      (await jsonLines<{ n: number }>(out)).map((row) => row.n),
      Array.from({ length: N }, (_, n) => n),
    );
  });
});

Deno.test("onStart is not called for a refused resume", async () => {
  await withTempDir(async (dir) => {
    let called = false;
    const summary = await run(workflow(toJsonl(`${dir}/out.jsonl`)), {
      durable: {
        store: new MemoryCheckpointStore(),
        resume: true,
        onStart: () => {
          called = true;
        },
      },
    }).done;
    assertEquals(summary.error?.code, "resume_nothing");
    assertEquals(called, false);
  });
});
