/**
 * Stage functions that misbehave: throw something that is not an Error,
 * throw synchronously, never settle (cut by a timeout), reject after the
 * run was aborted, return undefined. What the user sees (dead letters,
 * the summary) and what is kept (the other items reach the sink).
 * See docs/bad_input.md.
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  collect,
  type DeadLetter,
  defineWorkflow,
  fromIterable,
  run,
  type RunSummary,
  type Sink,
  type StageFn,
  toCsv,
  toJson,
  toJsonl,
} from "../../mod.ts";
import { jsonLines, withTempDir } from "./_helpers.ts";

/** Runs 1..count through one `task` stage into collect() sinks. */
async function runTask(
  fn: StageFn<number, unknown>,
  options: { count?: number; timeout?: number; concurrency?: number } = {},
): Promise<{ summary: RunSummary; out: unknown[]; dead: DeadLetter[] }> {
  const out = collect<unknown>();
  const dead = collect<DeadLetter>();
  const summary = await run(defineWorkflow({
    name: "tasks",
    source: fromIterable(
      Array.from({ length: options.count ?? 4 }, (_, i) => i + 1),
    ),
    ...(options.timeout === undefined
      ? {}
      : { errors: { timeout: options.timeout } }),
    pipeline: (rows) =>
      rows.map("task", fn, {
        concurrency: options.concurrency ?? 2,
        ordered: true,
      }),
    sink: out,
    deadLetter: dead,
  })).done;
  return { summary, out: out.items, dead: [...dead.items] };
}

Deno.test("a task that throws a string, a number, undefined or null: each is a failed item described plainly", async () => {
  const thrown: unknown[] = ["boom", 42, undefined, null];
  const { summary, out, dead } = await runTask((n) => {
    if (n <= thrown.length) throw thrown[n - 1];
    return n * 10;
  }, { count: 6 });
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(out, [50, 60]);
  assertEquals(dead.map((d) => [d.input, d.error]), [
    [1, '"boom"'],
    [2, "42 was thrown"],
    [3, "undefined was thrown"],
    [4, "null was thrown"],
  ]);
});

Deno.test("a task that throws synchronously fails its item only", async () => {
  const { summary, out, dead } = await runTask((n) => {
    if (n === 2) throw new RangeError("two is out of range");
    return n;
  });
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(out, [1, 3, 4]);
  assertEquals(dead, [{
    stage: "task",
    input: 2,
    error: "RangeError: two is out of range",
    attempts: 1,
  }]);
});

Deno.test("a task that never settles is cut by the timeout: a failed item, and the run goes on", async () => {
  const { summary, out, dead } = await runTask(
    (n) => n === 2 ? new Promise<number>(() => {}) : n,
    { timeout: 20 },
  );
  assertEquals(summary.status, "completed-with-failures");
  assertEquals(out, [1, 3, 4]);
  assertEquals(dead.map((d) => [d.input, d.error]), [
    [2, "TimeoutError: Task 1 timed out after 20ms (attempt 1)"],
  ]);
});

Deno.test("a task that rejects after the run was aborted: the run reports the abort, not the late rejection", async () => {
  let abort = () => {};
  let late = 0;
  const rejections: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    rejections.push(event.reason);
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const out = collect<number>();
    const dead = collect<DeadLetter>();
    const handle = run(defineWorkflow({
      name: "late",
      source: fromIterable([1, 2, 3, 4]),
      pipeline: (rows) =>
        rows.map("task", (n, { signal }) => {
          if (n !== 2) return n;
          abort();
          // Rejects later, with its own error, once aborted.
          return new Promise<number>((_, reject) => {
            const fail = () =>
              queueMicrotask(() => {
                late++;
                reject(new Error("rejected after the abort"));
              });
            if (signal.aborted) fail();
            else signal.addEventListener("abort", fail, { once: true });
          });
        }, { concurrency: 1 }),
      sink: out,
      deadLetter: dead,
    }));
    abort = () => handle.abort();
    const summary = await handle.done;
    assertEquals(summary.status, "aborted");
    assertEquals(summary.error, {
      name: "AbortError",
      message: "The run was aborted",
    });
    assertEquals(late, 1);
    assertEquals(out.items, [1]);
    assertEquals(dead.items, []);
    assertEquals(rejections, []);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

Deno.test("a task that returns undefined: collect() keeps it; toJsonl dead-letters that item and goes on", async () => {
  const kept = await runTask((n) => n === 2 ? undefined : n);
  assertEquals(kept.summary.status, "succeeded");
  assertEquals(kept.out, [1, undefined, 3, 4]);

  await withTempDir(async (dir) => {
    const path = `${dir}/out.jsonl`;
    const dead = collect<DeadLetter>();
    const summary = await run(defineWorkflow({
      name: "undefined",
      source: fromIterable([1, 2, 3, 4]),
      pipeline: (rows) =>
        rows.map("task", (n) => n === 2 ? undefined : n, { ordered: true }),
      sink: toJsonl(path),
      deadLetter: dead,
    })).done;
    // The sink cannot hold it: that item fails, the others are written.
    assertEquals(summary.status, "completed-with-failures");
    assertEquals(dead.items, [{
      stage: "sink",
      input: undefined,
      error:
        `TypeError: Cannot write undefined to the JSON-lines sink "${path}": it has no JSON form`,
      attempts: 1,
    }]);
    assertEquals(await jsonLines(path), [1, 3, 4]);

    // Under fail-fast it stops the run, after what came before it.
    const failFast = await run(defineWorkflow({
      name: "undefined-fail-fast",
      source: fromIterable([1, 2, 3, 4]),
      errors: { onError: "fail-fast" },
      pipeline: (rows) => rows.map("task", (n) => n === 2 ? undefined : n),
      sink: toJsonl(path),
    })).done;
    assertEquals(failFast.status, "failed");
    assertEquals(failFast.error?.name, "TypeError");
  });
});

Deno.test("an item with no JSON form fails alone, and its dead letter is written in a safe form by every file sink", async () => {
  await withTempDir(async (dir) => {
    const sinks: Record<string, (path: string) => Sink<unknown>> = {
      jsonl: (path) => toJsonl(path),
      json: (path) => toJson(path),
      // toCsv's item type is a record or an array; a dead letter is one.
      csv: (path) => toCsv(path) as unknown as Sink<unknown>,
    };
    for (const [ext, make] of Object.entries(sinks)) {
      const out = `${dir}/out.${ext}`;
      const deadPath = `${dir}/dead.${ext}`;
      const summary = await run(defineWorkflow({
        name: `no-json-${ext}`,
        source: fromIterable([1, 2, 3, 4]),
        pipeline: (rows) =>
          rows.map("task", (n) => {
            // Objects inside, so that a CSV cell has no JSON form either.
            if (n === 2) return { n, big: { value: 10n ** 20n } };
            if (n === 3) {
              const cycle: Record<string, unknown> = { n };
              cycle.big = cycle;
              return cycle;
            }
            return { n, big: null };
          }, { ordered: true }),
        sink: make(out),
        deadLetter: make(deadPath),
      })).done;
      // The two items fail at the sink, alone; the run goes on.
      assertEquals(summary.status, "completed-with-failures", ext);
      assertEquals([summary.read, summary.written, summary.failed], [4, 2, 2]);
      const text = await Deno.readTextFile(deadPath);
      const letters = ext === "jsonl"
        ? await jsonLines(deadPath)
        : ext === "json"
        ? JSON.parse(text)
        : text.trim().split("\r\n").slice(1);
      assertEquals(letters.length, 2, `${ext}: ${text}`);
      if (ext === "csv") {
        assert(text.startsWith("stage,input,error,attempts\r\n"), text);
        assertStringIncludes(
          text,
          '""big"":{""value"":""100000000000000000000n""}',
        );
        assertStringIncludes(text, '""big"":""[Circular]""');
        continue;
      }
      const [big, cycle] = letters as DeadLetter[];
      assertEquals(big!.stage, "sink");
      assertEquals(big!.input, {
        n: 2,
        big: { value: "100000000000000000000n" },
      });
      assertStringIncludes(
        big!.error,
        "it has no JSON form (Do not know how to serialize a BigInt)",
      );
      assertEquals(cycle!.input, { n: 3, big: "[Circular]" });
    }
  });
});

Deno.test("a stage failure whose input has no JSON form: collect() keeps the input as it is, toJsonl writes it in a safe form", async () => {
  await withTempDir(async (dir) => {
    const kept = collect<DeadLetter>();
    const deadPath = `${dir}/dead.jsonl`;
    const toString = () => {
      throw new Error("no JSON today");
    };
    for (const deadLetter of [kept, toJsonl<DeadLetter>(deadPath)]) {
      const summary = await run(defineWorkflow({
        name: "bad-input",
        source: fromIterable<unknown>([1n, { id: 2, toJSON: toString }, 3]),
        pipeline: (rows) =>
          rows.map("task", (item) => {
            if (item !== 3) throw new Error("refused");
            return item;
          }, { ordered: true }),
        sink: collect<unknown>(),
        deadLetter,
      })).done;
      assertEquals(summary.status, "completed-with-failures");
    }
    assertEquals(kept.items.map((letter) => letter.input), [1n, {
      id: 2,
      toJSON: toString,
    }]);
    assertEquals(
      (await jsonLines<DeadLetter>(deadPath)).map((letter) => letter.input),
      ["1n", "[toJSON threw: Error: no JSON today]"],
    );
  });
});
