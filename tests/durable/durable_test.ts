/**
 * Durable runs in-process: interrupted (abort, stop, a failing write) at
 * an exact write and resumed, every output and dead letter reaches its
 * file exactly once (in order when the workflow asks for order); refused resumes (changed input or
 * workflow, nothing to resume, a finished run, a sink that cannot resume)
 * fail clearly and touch nothing; `toCsv` and `toJson` resume cleanly;
 * both stores work, and a SQLite store outlives its process.
 *
 * Interruptions are triggered by the n-th write to the sink, never by
 * elapsed time; checkpoints are taken by count (`every`), with an interval
 * too long to matter.
 */

import {
  assert,
  assertEquals,
  assertGreater,
  assertLess,
  assertStringIncludes,
} from "@std/assert";
import { parse } from "@std/csv";
import {
  type AnyWorkflow,
  collect,
  type DeadLetter,
  defineWorkflow,
  type DurableOptions,
  fromJsonl,
  MemoryCheckpointStore,
  range,
  run,
  type RunSummary,
  type Sink,
  sleep,
  SqliteCheckpointStore,
  toCsv,
  toJson,
  toJsonl,
  toStdout,
} from "../../mod.ts";
import {
  doneIn,
  exists,
  filesIn,
  interrupting,
  jsonLines,
  lines,
  SpyStore,
  withTempDir,
} from "./_helpers.ts";
import { readCheckpoint, runChild } from "./fixtures/harness.ts";
import {
  deadLetterKey,
  expectedOf,
  outputKey,
  pathsOf,
  workloadOf,
  writeInput,
} from "./fixtures/workload.ts";

// ---------------------------------------------------------------- helpers

/** One output of the numbers workflow. */
interface Out {
  readonly n: number;
  readonly k: number;
}

const N = 2_000;

/** Whether `n` fails in the `work` stage. */
const failing = (n: number) => n % 97 === 5;

/** The outputs of 0..count-1, in order, as `"n:k"`. */
function expectedOutputs(count = N): string[] {
  const keys: string[] = [];
  for (let n = 0; n < count; n++) {
    if (failing(n) || n % 10 === 3) continue;
    keys.push(`${n}:0`);
    if (n % 4 === 0) keys.push(`${n}:1`);
  }
  return keys;
}

/** The inputs of 0..count-1 that fail. */
function expectedFailures(count = N): number[] {
  return Array.from({ length: count }, (_, n) => n).filter(failing);
}

/**
 * 0..count-1 (or the JSON lines of `input`) through `work` (a short async
 * wait, 8 at once, some failures), `skip` (a filter), `batch(10)`,
 * `expand` (a flatMap of each batch into one or two outputs per number)
 * and `look` (a tap), into `sink`, with failures in `dead`.
 */
function numbers(
  sink: Sink<Out>,
  dead: Sink<DeadLetter> | undefined,
  options: { count?: number; input?: string; ordered?: boolean } = {},
): AnyWorkflow {
  return defineWorkflow({
    name: "numbers",
    ...(options.ordered ? { ordered: true } : {}),
    source: options.input === undefined
      ? range(options.count ?? N)
      : fromJsonl<number>(options.input),
    pipeline: (rows) =>
      rows
        .map("work", async (n, { signal }) => {
          await sleep(n % 3 === 0 ? 1 : 0, signal);
          if (failing(n)) throw new Error(`${n} fails`);
          return n;
        }, { concurrency: 8 })
        .filter("skip", (n) => n % 10 !== 3)
        .batch(10)
        .flatMap(
          "expand",
          (batch) =>
            batch.flatMap((n): Out[] =>
              n % 4 === 0 ? [{ n, k: 0 }, { n, k: 1 }] : [{ n, k: 0 }]
            ),
        )
        .tap("look", () => {}),
    sink,
    ...(dead ? { deadLetter: dead } : {}),
  });
}

/** Durable options that checkpoint every `every` writes, never by time. */
function durable(
  store: DurableOptions["store"],
  more: Partial<DurableOptions> = {},
): DurableOptions {
  return { store, every: 25, interval: "1h", ...more };
}

/** Output keys of a JSON-lines file of `Out`. */
async function outputKeys(path: string): Promise<string[]> {
  return (await jsonLines<Out>(path)).map((o) => `${o.n}:${o.k}`);
}

/** Failed inputs of a dead-letter file, in file order. */
async function failedInputs(path: string): Promise<number[]> {
  return (await jsonLines<DeadLetter>(path)).map((d) => d.input as number);
}

/** A run's summary, after aborting it on the sink's `at`-th write. */
async function abortedAt(
  at: number,
  make: (sink: Sink<Out>) => AnyWorkflow,
  out: Sink<Out>,
  options: DurableOptions,
): Promise<RunSummary> {
  const controller = new AbortController();
  const sink = interrupting(out, (count) => {
    if (count === at) controller.abort(new Error("power cut"));
  });
  return await run(make(sink), { signal: controller.signal, durable: options })
    .done;
}

// ------------------------------------------------------- abort and resume

for (const ordered of [false, true]) {
  Deno.test(
    `aborted twice and resumed, a durable run writes every output and dead letter exactly once${
      ordered ? ", in order when the workflow is ordered" : ""
    }`,
    async () => {
      await withTempDir(async (dir) => {
        const out = `${dir}/out.jsonl`;
        const dead = `${dir}/dead.jsonl`;
        const store = new SpyStore();
        const make = (sink: Sink<Out>) =>
          numbers(sink, toJsonl(dead), { ordered });
        // Unordered, the files hold the same items in the order they finished.
        const arranged = (keys: string[]) => ordered ? keys : keys.sort();
        const arrangedNumbers = (ns: number[]) =>
          ordered ? ns : ns.sort((a, b) => a - b);

        const first = await abortedAt(700, make, toJsonl(out), durable(store));
        assertEquals(first.status, "aborted");
        assertEquals(first.resumed, undefined);
        const afterFirst = store.last!;
        assertEquals(afterFirst.status, "running");
        assertGreater(afterFirst.watermark, 0);

        const second = await abortedAt(
          500,
          make,
          toJsonl(out),
          durable(store, { resume: true }),
        );
        assertEquals(second.status, "aborted");
        assertEquals(second.resumed?.runId, first.runId);
        assertEquals(second.resumed?.skipped, doneIn(afterFirst));
        const afterSecond = store.last!;
        assertGreater(doneIn(afterSecond), doneIn(afterFirst));

        const third = await run(make(toJsonl(out)), {
          durable: durable(store, { resume: true }),
        }).done;
        assertEquals(third.status, "completed-with-failures");
        assertEquals(third.resumed?.runId, first.runId);
        assertEquals(third.resumed?.skipped, doneIn(afterSecond));
        assertEquals(third.read, N - doneIn(afterSecond));

        assertEquals(
          arranged(await outputKeys(out)),
          arranged(expectedOutputs()),
        );
        assertEquals(
          arrangedNumbers(await failedInputs(dead)),
          expectedFailures(),
        );
        const letters = await jsonLines<DeadLetter>(dead);
        assertEquals(letters.find((letter) => letter.input === 5), {
          stage: "work",
          input: 5,
          error: "Error: 5 fails",
          attempts: 1,
        });
        assertEquals(store.last!.status, "finished");
        assertEquals(store.last!.watermark, N);
        assertEquals(store.last!.doneAbove, []);
        assertEquals(store.last!.counts.written, expectedOutputs().length);
      });
    },
  );
}

Deno.test("a write that throws fails the run; resuming it writes every item once", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const dead = `${dir}/dead.jsonl`;
    const store = new MemoryCheckpointStore();
    const crashing = interrupting(toJsonl<Out>(out), (count) => {
      if (count === 333) throw new Error("disk on fire");
    });
    const first = await run(numbers(crashing, toJsonl(dead)), {
      durable: durable(store),
    }).done;
    assertEquals(first.status, "failed");
    assertEquals(first.error?.message, "disk on fire");

    const second = await run(numbers(toJsonl(out), toJsonl(dead)), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(second.status, "completed-with-failures");
    assertEquals(second.resumed?.runId, first.runId);
    assertEquals(await outputKeys(out), expectedOutputs());
    assertEquals(await failedInputs(dead), expectedFailures());
  });
});

Deno.test("stop() ends a durable run as stopped and resumable; resuming finishes it exactly once", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const dead = `${dir}/dead.jsonl`;
    const store = new SpyStore();
    let stop = () => {};
    const sink = interrupting(toJsonl<Out>(out), (count) => {
      if (count === 400) stop();
    });
    const handle = run(numbers(sink, toJsonl(dead)), {
      durable: durable(store),
    });
    stop = () => handle.stop();
    const first = await handle.done;
    assertEquals(first.status, "stopped");
    assertEquals(first.error, undefined);
    // Items in flight finished: the checkpoint covers everything read.
    assertEquals(store.last!.status, "running");
    assertEquals(store.last!.watermark, first.read);
    assertLess(first.read, N);
    assertEquals(
      await outputKeys(out),
      expectedOutputs().filter((key) => Number(key.split(":")[0]) < first.read),
    );

    const second = await run(numbers(toJsonl(out), toJsonl(dead)), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(second.status, "completed-with-failures");
    assertEquals(second.resumed, { runId: first.runId, skipped: first.read });
    assertEquals(await outputKeys(out), expectedOutputs());
    assertEquals(await failedInputs(dead), expectedFailures());
  });
});

// --------------------------------------------------------- refused resumes

Deno.test("resuming over a changed input is a ResumeError that touches nothing; force resumes anyway", async () => {
  await withTempDir(async (dir) => {
    const input = `${dir}/in.jsonl`;
    const out = `${dir}/out.jsonl`;
    const dead = `${dir}/dead.jsonl`;
    const numbersText = (count: number) =>
      Array.from({ length: count }, (_, n) => `${n}\n`).join("");
    await Deno.writeTextFile(input, numbersText(1000));
    const store = `${dir}/state/cp.db`;
    const make = (sink: Sink<Out>) => numbers(sink, toJsonl(dead), { input });

    const first = await abortedAt(300, make, toJsonl(out), durable(store));
    assertEquals(first.status, "aborted");
    const outBefore = await Deno.readFile(out);
    const deadBefore = await Deno.readFile(dead);

    // 200 more numbers: the file's size, time and head hash change.
    await Deno.writeTextFile(input, numbersText(1200));
    const refused = await run(make(toJsonl(out)), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(refused.status, "failed");
    assertEquals(refused.error?.name, "ResumeError");
    assertStringIncludes(refused.error!.message, `The input ${input} changed`);
    assertEquals(refused.error?.code, "resume_input_changed");
    assertEquals(refused.read, 0);
    assertEquals(await Deno.readFile(out), outBefore);
    assertEquals(await Deno.readFile(dead), deadBefore);

    const forced = await run(make(toJsonl(out)), {
      durable: durable(store, { resume: true, force: true }),
    }).done;
    assertEquals(forced.status, "completed-with-failures");
    assertEquals(forced.resumed?.runId, first.runId);
    // The new numbers were appended, so the skipped ones are the same.
    assertEquals(await outputKeys(out), expectedOutputs(1200));
    assertEquals(await failedInputs(dead), expectedFailures(1200));
  });
});

Deno.test("resuming a changed workflow is a ResumeError unless forced", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const store = new MemoryCheckpointStore();
    const make = (sink: Sink<Out>) => numbers(sink, undefined);
    await abortedAt(
      100,
      make,
      toJsonl(out),
      durable(store, { workflowFingerprint: "v1" }),
    );
    const refused = await run(make(toJsonl(out)), {
      durable: durable(store, { resume: true, workflowFingerprint: "v2" }),
    }).done;
    assertEquals(refused.status, "failed");
    assertEquals(refused.error?.name, "ResumeError");
    assertStringIncludes(refused.error!.message, "The workflow changed");
    assertEquals(refused.error?.code, "resume_workflow_changed");
    const forced = await run(make(toJsonl(out)), {
      durable: durable(store, {
        resume: true,
        force: true,
        workflowFingerprint: "v2",
      }),
    }).done;
    assertEquals(forced.status, "completed-with-failures");
    assertEquals(await outputKeys(out), expectedOutputs());
  });
});

Deno.test("resume with nothing to resume is a ResumeError, and no output is created", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const dead = `${dir}/dead.jsonl`;
    const summary = await run(numbers(toJsonl(out), toJsonl(dead)), {
      durable: durable(`${dir}/cp.db`, { resume: true }),
    }).done;
    assertEquals(summary.status, "failed");
    assertEquals(summary.error?.code, "resume_nothing");
    assertStringIncludes(
      summary.error!.message,
      `No checkpoint to resume for workflow "numbers" writing to ${out}`,
    );
    assertEquals([summary.read, summary.written], [0, 0]);
    assertEquals(await exists(out), false);
    assertEquals(await exists(dead), false);
  });
});

Deno.test("resuming a finished run is a ResumeError and leaves its outputs as they are", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const store = `${dir}/cp.db`;
    const done = await run(numbers(toJsonl(out), undefined), {
      durable: durable(store),
    }).done;
    assertEquals(done.status, "completed-with-failures");
    const before = await Deno.readFile(out);
    const again = await run(numbers(toJsonl(out), undefined), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(again.status, "failed");
    assertEquals(again.error?.name, "ResumeError");
    assertStringIncludes(again.error!.message, `of workflow "numbers"`);
    assertStringIncludes(again.error!.message, "already finished");
    assertEquals(again.error?.code, "resume_finished");
    assertEquals(await Deno.readFile(out), before);
    // Without resume it starts again, from nothing.
    const fresh = await run(numbers(toJsonl(out), undefined), {
      durable: durable(store),
    }).done;
    assertEquals(fresh.status, "completed-with-failures");
    assertEquals(fresh.resumed, undefined);
    assertEquals(await Deno.readFile(out), before);
  });
});

Deno.test("a sink that cannot resume (collect, toStdout) fails a durable run before anything is read", async () => {
  await withTempDir(async (dir) => {
    const memory = collect<DeadLetter>();
    const cases: [string, Sink<Out>, Sink<DeadLetter> | undefined, string][] = [
      ["collect", collect<Out>(), undefined, 'The sink "memory"'],
      ["stdout", toStdout<Out>(), undefined, 'The sink "-"'],
      [
        "collect dead letters",
        toJsonl<Out>(`${dir}/out.jsonl`),
        memory,
        `The dead-letter sink "${memory.location}"`,
      ],
    ];
    for (const [name, sink, dead, starts] of cases) {
      const summary = await run(numbers(sink, dead), {
        durable: durable(new MemoryCheckpointStore()),
      }).done;
      assertEquals(summary.status, "failed", name);
      assertEquals(summary.error?.name, "ResumeError", name);
      assertStringIncludes(summary.error!.message, starts, name);
      assertStringIncludes(
        summary.error!.message,
        "cannot take part in a durable run: it keeps no checkpoints (toJsonl, toCsv and toJson do)",
        name,
      );
      assertEquals(summary.error?.code, "resume_sink_not_durable", name);
      assertEquals([summary.read, summary.written], [0, 0], name);
    }
  });
});

// ------------------------------------------------------- the other sinks

Deno.test("toCsv resumed keeps one header and the first attempt's columns", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out.csv`;
    const store = new MemoryCheckpointStore();
    // Rows from 500 on have their keys in another order and one more key:
    // a sink that forgot its columns would write a second, different header.
    const make = (sink: Sink<Record<string, unknown>>) =>
      defineWorkflow({
        name: "csv",
        source: range(1000),
        pipeline: (rows) =>
          rows.map("row", async (n) => {
            await sleep(0);
            return n < 500
              ? { id: n, name: `n, ${n}` }
              : { extra: "x", name: `n, ${n}`, id: n };
          }, { concurrency: 4 }),
        sink,
      });
    const controller = new AbortController();
    const first = await run(
      make(interrupting(toCsv(path), (count) => {
        if (count === 700) controller.abort();
      })),
      { signal: controller.signal, durable: durable(store) },
    ).done;
    assertEquals(first.status, "aborted");
    const second = await run(make(toCsv(path)), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(second.status, "succeeded");
    assertGreater(second.resumed!.skipped, 500);

    const text = await Deno.readTextFile(path);
    const records = parse(text);
    assertEquals(records[0], ["id", "name"]);
    assertEquals(records.filter((r) => r[0] === "id").length, 1);
    assertEquals(
      records.slice(1),
      Array.from({ length: 1000 }, (_, n) => [String(n), `n, ${n}`]),
    );
  });
});

Deno.test("toJson resumed ends as one valid array holding every item once, with no temporary file left", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out.json`;
    const store = new MemoryCheckpointStore();
    const make = (sink: Sink<Out>) => numbers(sink, undefined);
    const first = await abortedAt(900, make, toJson<Out>(path), durable(store));
    assertEquals(first.status, "aborted");
    // The document is not there yet: its temporary file is kept to resume.
    const during = await filesIn(dir);
    assertEquals(during.length, 1);
    assert(/^\.out\.json\.[\w-]+\.tmp$/.test(during[0]!), during[0]);

    const second = await run(make(toJson<Out>(path)), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(second.status, "completed-with-failures");
    assertEquals(await filesIn(dir), ["out.json"]);
    const document = JSON.parse(await Deno.readTextFile(path)) as Out[];
    assertEquals(document.map((o) => `${o.n}:${o.k}`), expectedOutputs());
  });
});

// ---------------------------------------------------------------- stores

Deno.test("MemoryCheckpointStore holds a run's checkpoints and resumes it", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    const store = new MemoryCheckpointStore();
    const make = (sink: Sink<Out>) => numbers(sink, undefined);
    const first = await abortedAt(700, make, toJsonl(out), durable(store));
    const scope = JSON.stringify(["numbers", `jsonl:${out}`, null]);
    const record = await store.latest(scope);
    assertEquals(record?.runId, first.runId);
    assertEquals(record?.status, "running");
    assertEquals(record?.workflow, "numbers");
    // Written after the checkpoint perhaps (an abort commits on its way
    // out only between whole positions): cut back on resume.
    assert(Number(record?.sinks.sink?.bytes) <= (await Deno.stat(out)).size);

    const second = await run(make(toJsonl(out)), {
      durable: durable(store, { resume: true }),
    }).done;
    assertEquals(second.resumed?.runId, first.runId);
    assertEquals((await outputKeys(out)).sort(), expectedOutputs().sort());
    assertEquals((await store.latest(scope))?.status, "finished");
  });
});

Deno.test("a SQLite checkpoint store outlives its process: a run aborted in a child resumes here", async () => {
  await withTempDir(async (dir) => {
    const paths = pathsOf(dir);
    const items = 6_000;
    await writeInput(paths.input, items);
    const child = await runChild(dir, [
      "--every",
      "2",
      "--abort-after",
      "500",
    ], undefined);
    assertEquals(child.summary?.status, "aborted");

    // Read with plain SQL, then reopened through the store.
    const record = readCheckpoint(paths.store);
    assert(record !== undefined);
    assertEquals(record.runId, child.summary!.runId);
    assertEquals(record.status, "running");
    assertGreater(record.watermark, 0);
    const store = new SqliteCheckpointStore(paths.store);
    try {
      assertEquals(await store.latest(record.scope), record);
    } finally {
      store.close();
    }

    const summary = await run(workloadOf(dir, { maxLatencyMs: 0 }), {
      durable: { store: paths.store, resume: true },
    }).done;
    assertEquals(summary.status, "completed-with-failures");
    assertEquals(summary.resumed, {
      runId: record.runId,
      skipped: doneIn(record),
    });
    const expected = expectedOf(items);
    assertEquals(
      (await lines(paths.out)).map(outputKey).sort(),
      [...expected.outputs].sort(),
    );
    assertEquals(
      (await lines(paths.dead)).map(deadLetterKey).sort(),
      [...expected.deadLetters].sort(),
    );
    assertEquals(readCheckpoint(paths.store)?.status, "finished");
  });
});

// ------------------------------------------------- library bugs, repro'd

Deno.test({
  name:
    "a batch that starts inside a source item's flatMap outputs keeps no checkpoint there, so resuming repeats no output",
  async fn() {
    await withTempDir(async (dir) => {
      const out = `${dir}/out.jsonl`;
      const store = new MemoryCheckpointStore();
      // n -> n:0, n:1; batches of 3 split position 1 across two batches:
      // [0:0 0:1 1:0] (position 0) [1:1 2:0 2:1] (position 1) ...
      const make = (sink: Sink<Out>) =>
        defineWorkflow({
          name: "split",
          source: range(10),
          pipeline: (rows) =>
            rows
              .flatMap("two", (n): Out[] => [{ n, k: 0 }, { n, k: 1 }])
              .batch(3)
              .flatMap("unbatch", (batch) => batch),
          sink,
        });
      // A checkpoint falls before 1:1 (position 1) though 1:0 is written.
      const crashing = interrupting(toJsonl<Out>(out), (count) => {
        if (count === 5) throw new Error("crash");
      });
      const first = await run(make(crashing), {
        durable: { store, every: 1, interval: "1h" },
      }).done;
      assertEquals(first.status, "failed");
      await run(make(toJsonl(out)), {
        durable: { store, resume: true, every: 1, interval: "1h" },
      }).done;
      const keys = await outputKeys(out);
      assertEquals(
        keys,
        Array.from({ length: 20 }, (_, i) => `${i >> 1}:${i & 1}`),
      );
    });
  },
});

Deno.test({
  name:
    "a checkpoint's failure count includes failures that happen while it is being committed",
  async fn() {
    await withTempDir(async (dir) => {
      const dead = `${dir}/dead.jsonl`;
      const store = new SpyStore();
      // A slow store: the stages keep failing items while it saves.
      const slow = {
        latest: (scope: string) => store.latest(scope),
        save: async (record: Parameters<SpyStore["save"]>[0]) => {
          for (let i = 0; i < 5; i++) await sleep(0);
          await store.save(record);
        },
        doneKeys: (runId: string) => store.doneKeys(runId),
        close: () => store.close(),
      };
      const summary = await run(
        defineWorkflow({
          name: "failing",
          source: range(1000),
          // "next" pulls from "work" while the sink waits for the store.
          pipeline: (rows) =>
            rows
              .map("work", (n) => {
                if (n >= 10) throw new Error(`${n} fails`);
                return n;
              }, { concurrency: 4 })
              .map("next", (n) => n, { concurrency: 4 }),
          sink: toJsonl(`${dir}/out.jsonl`),
          deadLetter: toJsonl(dead),
        }),
        { durable: { store: slow, every: 5, interval: "1h" } },
      ).done;
      assertEquals(summary.failed, 990);
      assertEquals((await lines(dead)).length, 990);
      assertEquals(store.last!.counts, { written: 10, failed: 990 });
    });
  },
});

Deno.test({
  name:
    "a resumed run whose earlier attempts had the failures reports completed-with-failures",
  async fn() {
    await withTempDir(async (dir) => {
      const out = `${dir}/out.jsonl`;
      const dead = `${dir}/dead.jsonl`;
      const store = new MemoryCheckpointStore();
      const make = (sink: Sink<{ n: number }>) =>
        defineWorkflow({
          name: "one-failure",
          source: range(200),
          pipeline: (rows) =>
            rows.map("work", (n) => {
              if (n === 5) throw new Error("five");
              return { n };
            }),
          sink,
          deadLetter: toJsonl(dead),
        });
      const controller = new AbortController();
      await run(
        make(interrupting(toJsonl(out), (count) => {
          if (count === 100) controller.abort();
        })),
        { signal: controller.signal, durable: durable(store, { every: 10 }) },
      ).done;
      const resumed = await run(make(toJsonl(out)), {
        durable: durable(store, { every: 10, resume: true }),
      }).done;
      assertEquals((await lines(dead)).length, 1);
      // The run as a whole had a failure: the CLI must not exit 0.
      assertEquals(resumed.status, "completed-with-failures");
    });
  },
});

Deno.test({
  name:
    "durable.every counts items written, not source items reaching the sink",
  async fn() {
    await withTempDir(async (dir) => {
      const store = new SpyStore();
      await run(
        defineWorkflow({
          name: "batched",
          source: range(1000),
          pipeline: (rows) =>
            rows.batch(100).flatMap("unbatch", (batch) => batch),
          sink: toJsonl(`${dir}/out.jsonl`),
        }),
        { durable: durable(store, { every: 100 }) },
      ).done;
      // A record at the start, one per 100 items written, one at the end.
      assertGreater(store.saved.length, 9);
    });
  },
});
