/**
 * `inWorker()`: a workflow stage on worker threads. Runs inside `run()`
 * with concurrency, fails items with the worker's error, stops on
 * fail-fast, disposes its pool at the run's end and starts a new one for
 * the next run; misuse and types.
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  collect,
  type DeadLetter,
  defineWorkflow,
  fromIterable,
  inWorker,
  Pipeline,
  range,
  run,
  type TaskContext,
  type WorkerStage,
} from "../../mod.ts";
import { TASKS, type Tasks, until, WorkerGates } from "./_helpers.ts";

Deno.test("inWorker() runs a stage on worker threads inside run(), with concurrency", async () => {
  const square = inWorker<Tasks, "square">(TASKS, "square", { workers: 2 });
  assertEquals(square.pool, undefined, "no pool before the first item");
  const out = collect<number>();
  const workflow = defineWorkflow({
    name: "squares",
    source: range(200),
    pipeline: (n) =>
      n.map("square", square, { concurrency: 4 }).filter(
        "even",
        (x) => x % 2 === 0,
      ),
    sink: out,
  });
  const summary = await run(workflow).done;
  assertEquals(summary.status, "succeeded");
  assertEquals(
    out.items.sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => (2 * i) ** 2),
  );
  assertEquals(square.pool, undefined, "the run disposed the stage's pool");
});

Deno.test("inWorker(): the same workflow runs again after its stage was disposed", async () => {
  const square = inWorker<Tasks, "square">(TASKS, "square", { workers: 1 });
  const workflow = defineWorkflow({
    name: "again",
    source: fromIterable([1, 2, 3]),
    pipeline: (n) => n.map("square", square, { ordered: true }),
  });
  for (let i = 0; i < 3; i++) {
    const out = collect<number>();
    const summary = await run(workflow, { sink: out }).done;
    assertEquals(summary.status, "succeeded");
    assertEquals(out.items, [1, 4, 9]);
    assertEquals(square.pool, undefined);
  }
});

Deno.test("inWorker(): overlapping runs sharing one stage both finish (one run's end does not cut the other)", async () => {
  const square = inWorker<Tasks, "square">(TASKS, "square", { workers: 2 });
  const workflow = defineWorkflow({
    name: "overlap",
    source: range(300),
    pipeline: (n) => n.map("square", square, { concurrency: 4 }),
  });
  const short = collect<number>();
  const long = collect<number>();
  const [a, b] = await Promise.all([
    run(workflow, { sink: long }).done,
    run(workflow, { sink: short, limit: 10 }).done,
  ]);
  assertEquals([a.status, b.status], ["succeeded", "succeeded"]);
  assertEquals([long.items.length, short.items.length], [300, 10]);
  assertEquals(square.pool, undefined);
});

Deno.test("inWorker(): a failing item reaches the dead letter with the worker's error", async () => {
  const dead = collect<DeadLetter>();
  const workflow = defineWorkflow({
    name: "invoices",
    source: fromIterable(["a1", "b2"]),
    errors: { onError: "continue" },
    pipeline: (ids) =>
      ids.map(
        "check",
        inWorker<Tasks, "failInvoice">(TASKS, "failInvoice", { workers: 1 }),
      ),
    deadLetter: dead,
  });
  const summary = await run(workflow).done;
  assertEquals(summary.failed, 2);
  const errors = dead.items.map((d) => d.error).sort();
  assertStringIncludes(errors[0] ?? "", "Invoice a1 is missing");
  assertStringIncludes(errors[1] ?? "", "Invoice b2 is missing");
});

Deno.test("inWorker(): fail-fast aborts the items running in workers", async () => {
  const waitStage = inWorker<Tasks, "wait">(TASKS, "wait", {
    workers: 2,
    abortGrace: "30s",
  });
  const workflow = defineWorkflow({
    name: "fail-fast",
    source: fromIterable([60_000, 60_000, -1]),
    errors: { onError: "fail-fast" },
    pipeline: (ms) =>
      ms.map("wait", (n, ctx) => {
        if (n < 0) throw new Error("bad item");
        return waitStage({ ms: n }, ctx);
      }, { concurrency: 3 }),
  });
  const summary = await run(workflow).done;
  assertEquals(summary.status, "failed");
  assertStringIncludes(summary.error?.message ?? "", "bad item");
  // The waits saw their aborts and ended well before the 30 s grace.
  await waitStage[Symbol.asyncDispose]();
});

Deno.test("inWorker(): fail-fast writes what the workers finish, whatever the order their answers arrive in", async () => {
  for (const order of ["failure first", "successes first"] as const) {
    const gates = new WorkerGates(4);
    const stage = inWorker<Tasks, "gated">(TASKS, "gated", {
      workers: 4,
      abortGrace: "30s",
    });
    const out = collect<number>();
    const workflow = defineWorkflow({
      name: "keep-finished",
      source: fromIterable([0, 1, 2, 3].map((i) => gates.input(i))),
      errors: { onError: "fail-fast" },
      pipeline: (tasks) => tasks.map("gated", stage, { concurrency: 4 }),
      sink: out,
    });
    const handle = run(workflow);
    await gates.startedAll([0, 1, 2, 3]);
    if (order === "failure first") {
      gates.fail(0);
      await until(
        () => handle.stats().stages[0]?.failed === 1,
        "the failure has stopped the run",
      );
      for (const i of [1, 2, 3]) gates.open(i);
    } else {
      // Their answers and the failure race to the main thread.
      for (const i of [1, 2, 3]) gates.open(i);
      gates.fail(0);
    }
    const summary = await handle.done;
    assertEquals(summary.status, "failed", order);
    assertStringIncludes(summary.error?.message ?? "", "gate 0 failed");
    assertEquals(out.items.sort((a, b) => a - b), [10, 20, 30], order);
    assertEquals(summary.written, 3, order);
  }
});

Deno.test("inWorker() with a closure is a TypeError that says what to do", () => {
  const error = assertThrows(
    () => inWorker(((n: number) => n * 2) as unknown as URL, "double"),
    TypeError,
  );
  assertStringIncludes(error.message, "inWorker() takes a module URL");
  assertStringIncludes(error.message, "closure cannot cross to a worker");
  assertThrows(() => inWorker(TASKS, ""), TypeError, "export name");
  assertThrows(
    () => inWorker("./hash.ts", "hash"),
    TypeError,
    "import.meta.url",
  );
  assertThrows(() => inWorker(TASKS, "square", { workers: 0 }), RangeError);
});

Deno.test("inWorker() where there is no Worker is a clear NotSupportedError", () => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "Worker")!;
  Object.defineProperty(globalThis, "Worker", {
    value: undefined,
    configurable: true,
    writable: true,
  });
  try {
    const error = assertThrows(() => inWorker(TASKS, "square"), DOMException);
    assertEquals(error.name, "NotSupportedError");
    assertStringIncludes(error.message, "inWorker() needs worker threads");
  } finally {
    Object.defineProperty(globalThis, "Worker", descriptor);
  }
});

Deno.test("inWorker() is typed from the module: a wrong item type does not compile", () => {
  const square = inWorker<Tasks, "square">(TASKS, "square");
  const numbers: Pipeline<number> = new Pipeline<number>().map("sq", square);
  assertEquals(numbers.stages.length, 1);
  // @ts-expect-error: the stage takes numbers, not strings.
  new Pipeline<string>().map("sq", square);
  // @ts-expect-error: the module has no export "sqare".
  inWorker<Tasks, "sqare">(TASKS, "sqare");
  // @ts-expect-error: `notAFunction` is not a function.
  inWorker<Tasks, "notAFunction">(TASKS, "notAFunction");
  const bytes: WorkerStage<number, Uint8Array> = inWorker<Tasks, "makeBuffer">(
    TASKS,
    "makeBuffer",
  );
  const byFunction: WorkerStage<number, number> = inWorker<
    (n: number) => number
  >(TASKS, "square");
  const untyped: WorkerStage<unknown, unknown> = inWorker(TASKS, "square");
  const call: (n: number, ctx: TaskContext) => Promise<number> = square;
  assert([bytes, byFunction, untyped].every((f) => f.pool === undefined));
  assertEquals(typeof call, "function");
});
