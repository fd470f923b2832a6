/**
 * Durable runs keep no order: their stages run unordered and the sink
 * takes outputs as they come, so a slow item stalls nothing, and a durable
 * run writes the same outputs and dead letters as the same run without
 * checkpoints, under fail-fast too. A fail-fast durable run commits what
 * finished, so resuming it redoes none of that and writes the rest once.
 */

import {
  assert,
  assertEquals,
  assertGreater,
  assertStringIncludes,
} from "@std/assert";
import {
  type AnyWorkflow,
  type DeadLetter,
  defineWorkflow,
  MemoryCheckpointStore,
  range,
  run,
  type RunHandle,
  type Sink,
  sleep,
  toJsonl,
} from "../../mod.ts";
import { doneIn, jsonLines, withTempDir } from "./_helpers.ts";

/** Outputs and dead letters of one run, as sorted keys. */
interface Written {
  readonly outputs: string[];
  readonly deadLetters: string[];
}

async function written(dir: string): Promise<Written> {
  const outputs = await jsonLines<{ n: number; k: number }>(`${dir}/out.jsonl`)
    .catch(() => []);
  const letters = await jsonLines<DeadLetter>(`${dir}/dead.jsonl`)
    .catch(() => []);
  return {
    outputs: outputs.map((o) => `${o.n}:${o.k}`).sort(),
    deadLetters: letters.map((d) => `${d.stage}:${JSON.stringify(d.input)}`)
      .sort(),
  };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`Timed out waiting until ${what}`);
}

/**
 * 0..499 through `work` (each waits 0-6 ms by its number, 8 at once, some
 * fail), a filter, a batch of 7, a flatMap into one or two outputs each,
 * and a tap: items finish far from input order.
 */
function shuffled(sink: Sink<unknown>, dead: Sink<DeadLetter>): AnyWorkflow {
  return defineWorkflow({
    name: "shuffled",
    source: range(500),
    pipeline: (rows) =>
      rows
        .map("work", async (n, { signal }) => {
          await sleep((n * 37) % 7, signal);
          if (n % 41 === 9) throw new Error(`${n} fails`);
          return n;
        }, { concurrency: 8 })
        .filter("skip", (n) => n % 10 !== 3)
        .batch(7)
        .flatMap("expand", (batch) =>
          batch.flatMap((n) =>
            n % 4 === 0 ? [{ n, k: 0 }, { n, k: 1 }] : [{ n, k: 0 }]
          ))
        .tap("look", () => {}),
    sink,
    deadLetter: dead,
  });
}

Deno.test("a durable run and the same run without checkpoints write the same outputs and dead letters", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/plain`);
    await Deno.mkdir(`${dir}/durable`);
    const plain = await run(shuffled(
      toJsonl(`${dir}/plain/out.jsonl`),
      toJsonl(`${dir}/plain/dead.jsonl`),
    )).done;
    const store = new MemoryCheckpointStore();
    const durable = await run(
      shuffled(
        toJsonl(`${dir}/durable/out.jsonl`),
        toJsonl(`${dir}/durable/dead.jsonl`),
      ),
      { durable: { store, every: 20, interval: "1h" } },
    ).done;
    assertEquals(durable.status, plain.status);
    assertEquals(durable.written, plain.written);
    assertEquals(durable.failed, plain.failed);
    const expected = await written(`${dir}/plain`);
    assertGreater(expected.outputs.length, 400);
    assertGreater(expected.deadLetters.length, 10);
    assertEquals(await written(`${dir}/durable`), expected);
  });
});

Deno.test("a slow item does not stall a durable run: the items after it are written while it runs", async () => {
  await withTempDir(async (dir) => {
    const slow = Promise.withResolvers<void>();
    const handle = run(
      defineWorkflow({
        name: "one-slow",
        source: range(100),
        pipeline: (rows) =>
          rows.map("work", async (n) => {
            if (n === 0) await slow.promise;
            return { n, k: 0 };
          }, { concurrency: 4 }),
        sink: toJsonl(`${dir}/out.jsonl`),
      }),
      {
        durable: {
          store: new MemoryCheckpointStore(),
          every: 10,
          interval: "1h",
        },
      },
    );
    await until(
      () => handle.stats().written === 99,
      "all but item 0 are written",
    );
    slow.resolve();
    const summary = await handle.done;
    assertEquals(summary.written, 100);
    assertEquals((await written(dir)).outputs.length, 100);
  });
});

/**
 * 0..7 through `work`, 8 at once, fail-fast: each item waits for its own
 * gate and ignores its signal; item 0 fails.
 */
function gated(
  dir: string,
  gates: PromiseWithResolvers<void>[] | undefined,
): AnyWorkflow {
  return defineWorkflow({
    name: "gated",
    source: range(8),
    pipeline: (rows) =>
      rows.map("work", async (n) => {
        await gates?.[n]?.promise;
        if (n === 0) throw new Error("0 fails");
        return { n, k: 0 };
      }, { concurrency: 8, errors: { onError: "fail-fast" } }),
    sink: toJsonl(`${dir}/out.jsonl`),
    deadLetter: toJsonl(`${dir}/dead.jsonl`),
  });
}

/**
 * Runs `gated`: 1-3 finish before 0 fails, 4-7 (already running) after.
 */
async function failFast(
  dir: string,
  durable: MemoryCheckpointStore | undefined,
): Promise<void> {
  const gates = Array.from({ length: 8 }, () => Promise.withResolvers<void>());
  const handle: RunHandle = run(
    gated(dir, gates),
    durable ? { durable: { store: durable, every: 1, interval: "1h" } } : {},
  );
  await until(() => handle.stats().stages[0]!.running === 8, "all 8 run");
  for (const n of [1, 2, 3]) gates[n]!.resolve();
  await until(() => handle.stats().written === 3, "1-3 are written");
  gates[0]!.resolve();
  await until(() => handle.stats().deadLetters === 1, "0 has failed");
  for (const n of [4, 5, 6, 7]) gates[n]!.resolve();
  const summary = await handle.done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "0 fails");
}

Deno.test("under fail-fast, a durable run writes the same outputs and dead letters as one without checkpoints", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/plain`);
    await Deno.mkdir(`${dir}/durable`);
    await failFast(`${dir}/plain`, undefined);
    const store = new MemoryCheckpointStore();
    await failFast(`${dir}/durable`, store);
    const expected = await written(`${dir}/plain`);
    // What finished before the failure is there; the failure is a letter.
    for (const key of ["1:0", "2:0", "3:0"]) {
      assert(expected.outputs.includes(key), `${key} is written`);
    }
    assertEquals(expected.deadLetters, ["work:0"]);
    assertEquals(await written(`${dir}/durable`), expected);

    // Resuming the durable run redoes nothing it committed and writes
    // the rest once: every success once, the one failure once.
    const record = (await store.latest(
      JSON.stringify([
        "gated",
        `jsonl:${dir}/durable/out.jsonl`,
        `jsonl:${dir}/durable/dead.jsonl`,
      ]),
    ))!;
    assertEquals(record.status, "running");
    const skipped = doneIn(record);
    assertEquals(skipped, 1 + expected.outputs.length);
    const resumed = await run(gated(`${dir}/durable`, undefined), {
      durable: { store, resume: true },
    }).done;
    assertEquals(resumed.resumed?.skipped, skipped);
    assertEquals(resumed.read, 8 - skipped);
    assertEquals(await written(`${dir}/durable`), {
      outputs: ["1:0", "2:0", "3:0", "4:0", "5:0", "6:0", "7:0"],
      deadLetters: ["work:0"],
    });
  });
});
