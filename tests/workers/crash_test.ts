/**
 * `WorkerPool` when things go wrong in a worker: the task fails with the
 * worker's error (name, message, stack and cause kept), a worker that
 * cannot go on is replaced, and the pool keeps its size and runs on.
 */

import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { WorkerCrashError, WorkerPool } from "../../mod.ts";
import { TASKS } from "./_helpers.ts";

const TOP_LEVEL_THROW = new URL(
  "./fixtures/top_level_throw.ts",
  import.meta.url,
);

/** Runs `exportName` and returns what it rejected with (fails if it resolved). */
async function failure(
  pool: WorkerPool,
  exportName: string,
  module: URL = TASKS,
): Promise<unknown> {
  try {
    await pool.run(module, exportName, 1);
  } catch (error) {
    return error;
  }
  throw new Error(`${exportName} resolved`);
}

/** After a failure, the pool has its threads and runs tasks. */
async function assertPoolIntact(pool: WorkerPool, threads: number) {
  const squares = await Promise.all(
    Array.from({ length: 10 }, (_, n) => pool.run(TASKS, "square", n)),
  );
  assertEquals(squares, Array.from({ length: 10 }, (_, n) => n * n));
  assertEquals(pool.threads, threads);
}

Deno.test("a task's custom error keeps its class name, message, stack, cause and fields", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const error = await failure(pool, "failInvoice");
  assertInstanceOf(error, Error);
  assertEquals(error.name, "InvoiceError");
  assertEquals(error.message, "Invoice 1 is missing");
  assertMatch(error.stack ?? "", /^InvoiceError: Invoice 1 is missing\n/);
  assertStringIncludes(error.stack ?? "", "failInvoice");
  assertStringIncludes(error.stack ?? "", "fixtures/tasks.ts");
  assertInstanceOf(error.cause, RangeError);
  assertEquals(error.cause.message, "id out of range");
  assertEquals((error as Error & { code?: string }).code, "E_MISSING");
  assertEquals(pool.replaced, 0, "a thrown error does not cost the worker");
});

Deno.test("a task's built-in error arrives as the same class", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const error = await failure(pool, "failType");
  assertInstanceOf(error, TypeError);
  assertEquals(error.message, "not a number");
  assertStringIncludes(error.stack ?? "", "failType");
});

Deno.test("a task that throws a non-Error rejects with that value", async () => {
  await using pool = new WorkerPool({ size: 1 });
  assertEquals(await failure(pool, "throwString"), "plain string thrown");
  await assertPoolIntact(pool, 1);
});

Deno.test("a stack overflow in a worker fails the task with a RangeError; the pool runs on", async () => {
  await using pool = new WorkerPool({ size: 2 });
  const error = await failure(pool, "overflow");
  assertInstanceOf(error, RangeError);
  assertStringIncludes(error.message, "call stack");
  await assertPoolIntact(pool, 2);
});

Deno.test("a module that throws at its top level fails the task with its error", async () => {
  await using pool = new WorkerPool({ size: 2 });
  const error = await failure(pool, "never", TOP_LEVEL_THROW);
  assertInstanceOf(error, TypeError);
  assertEquals(error.message, "This module fails at the top level");
  assertStringIncludes(error.stack ?? "", "top_level_throw.ts");
  await assertPoolIntact(pool, 2);
});

Deno.test("a module that does not exist fails the task with the loader's error", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const missing = new URL("./fixtures/no_such_module.ts", import.meta.url);
  const error = await failure(pool, "square", missing);
  assertInstanceOf(error, Error);
  assertStringIncludes(error.message, "no_such_module.ts");
  await assertPoolIntact(pool, 1);
});

Deno.test("a missing export, or one that is not a function, is a TypeError naming the module", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const missing = await failure(pool, "sqaure");
  assertInstanceOf(missing, TypeError);
  assertStringIncludes(missing.message, 'has no export "sqaure"');
  assertStringIncludes(missing.message, "square");
  const notFunction = await failure(pool, "notAFunction");
  assertInstanceOf(notFunction, TypeError);
  assertStringIncludes(notFunction.message, "is number, not a function");
  await assertPoolIntact(pool, 1);
});

Deno.test("an uncaught error in a worker fails its task with that error and the worker is replaced", async () => {
  await using pool = new WorkerPool({ size: 2 });
  await assertPoolIntact(pool, 2);
  const error = await failure(pool, "crashLater");
  assertInstanceOf(error, Error);
  assertEquals(error.message, "uncaught in the worker");
  assertStringIncludes(error.stack ?? "", "tasks.ts");
  assertEquals(pool.replaced, 1);
  await assertPoolIntact(pool, 2);
});

Deno.test("an unhandled rejection in a worker fails its task and the worker is replaced", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const error = await failure(pool, "unhandled");
  assertInstanceOf(error, SyntaxError);
  assertEquals(error.message, "nobody handled this");
  assertEquals(pool.replaced, 1);
  await assertPoolIntact(pool, 1);
});

Deno.test("Deno.exit() or self.close() in a worker is a WorkerCrashError; the worker is replaced", async () => {
  await using pool = new WorkerPool({ size: 2 });
  const exited = await failure(pool, "exitWorker");
  assertInstanceOf(exited, WorkerCrashError);
  assertStringIncludes(exited.message, "Deno.exit(3)");
  const closed = await failure(pool, "closeWorker");
  assertInstanceOf(closed, WorkerCrashError);
  assertStringIncludes(closed.message, "self.close()");
  assertEquals(pool.replaced, 2);
  await assertPoolIntact(pool, 2);
});

Deno.test("after repeated crashes the pool still has its size and runs every task", async () => {
  await using pool = new WorkerPool({ size: 2 });
  const crashes = ["crashLater", "exitWorker", "unhandled", "closeWorker"];
  const outcomes = await Promise.allSettled([
    ...crashes.map((name) => pool.run(TASKS, name, 1)),
    ...Array.from({ length: 20 }, (_, n) => pool.run(TASKS, "square", n)),
  ]);
  assertEquals(outcomes.slice(0, 4).map((o) => o.status), [
    "rejected",
    "rejected",
    "rejected",
    "rejected",
  ]);
  assertEquals(
    outcomes.slice(4).map((o) => o.status === "fulfilled" ? o.value : o),
    Array.from({ length: 20 }, (_, n) => n * n),
  );
  assertEquals(pool.replaced, 4);
  assertEquals([pool.size, pool.threads], [2, 2]);
});

Deno.test("tasks sent ahead to a worker that crashes are re-run elsewhere, in order", async () => {
  await using pool = new WorkerPool({ size: 1 });
  // Many tiny tasks first, so the pool learns to send several at once.
  await Promise.all(
    Array.from({ length: 500 }, (_, n) => pool.run(TASKS, "noop", n)),
  );
  const crash = pool.run(TASKS, "crashLater", 1);
  const after = Array.from(
    { length: 5 },
    (_, n) => pool.run(TASKS, "order", n),
  );
  assert((await crash.catch((e) => e)) instanceof Error);
  const results = await Promise.all(after) as { n: number; before: number }[];
  assertEquals(results.map((r) => r.n), [0, 1, 2, 3, 4]);
  assertEquals(results.map((r) => r.before), [0, 1, 2, 3, 4]);
  assertEquals(pool.replaced, 1);
});
