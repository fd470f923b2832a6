/**
 * `WorkerPool`: running functions by module and name, FIFO queueing,
 * aborts (queued, cooperative, ignored), transfers, closing, and misuse.
 * Every pool is closed (sanitizers are on); crash handling has its own
 * file, `crash_test.ts`.
 */

import {
  assert,
  assertEquals,
  assertFalse,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { WorkerPool, WorkerPoolClosedError } from "../../mod.ts";
import { TASKS, type Tasks, timed, until, WorkerGates } from "./_helpers.ts";

Deno.test("WorkerPool.run() runs an exported function in a worker", async () => {
  await using pool = new WorkerPool({ size: 2 });
  assertEquals(pool.size, 2);
  assertEquals(await pool.run(TASKS, "square", 7), 49);
  assertEquals(await pool.run(TASKS.href, "default", 21), 42);
  const typed: number = await pool.run<Tasks, "square">(TASKS, "square", 3);
  assertEquals(typed, 9);
});

Deno.test("WorkerPool.run() runs a data: module", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const module = "data:text/javascript,export const add = ([a, b]) => a + b";
  assertEquals(await pool.run(module, "add", [2, 3]), 5);
});

Deno.test("WorkerPool size defaults to navigator.hardwareConcurrency", async () => {
  await using pool = new WorkerPool();
  assertEquals(pool.size, navigator.hardwareConcurrency);
  assertEquals(pool.threads, 0);
});

Deno.test("WorkerPool queues tasks beyond its size and runs them FIFO", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const runs = Array.from(
    { length: 12 },
    (_, n) => pool.run(TASKS, "order", n),
  );
  assertEquals([pool.queued, pool.busy, pool.idle], [12, 0, 1]);
  await Promise.resolve();
  assertEquals([pool.queued, pool.busy, pool.idle], [11, 1, 0]);
  const results = await Promise.all(runs) as { n: number; before: number }[];
  assertEquals(results.map((r) => r.n), results.map((r) => r.before));
  assertEquals([pool.queued, pool.busy, pool.threads], [0, 0, 1]);
});

Deno.test("WorkerPool spreads tasks over its workers, starting them on demand", async () => {
  await using pool = new WorkerPool({ size: 3 });
  await pool.run(TASKS, "square", 1);
  assertEquals(pool.threads, 1);
  const many = Array.from(
    { length: 300 },
    (_, n) => pool.run(TASKS, "square", n),
  );
  const squares = await Promise.all(many);
  assertEquals(squares, Array.from({ length: 300 }, (_, n) => n * n));
  assertEquals(pool.threads, 3);
});

Deno.test("WorkerPool: a task aborted while queued leaves the queue and never runs", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const first = pool.run(TASKS, "wait", { ms: 100 });
  const controller = new AbortController();
  const queued = pool.run(TASKS, "order", -1, { signal: controller.signal });
  await Promise.resolve();
  assertEquals(pool.queued, 1);
  const reason = new Error("not needed any more");
  controller.abort(reason);
  assertEquals(pool.queued, 0);
  assertEquals(await queued.catch((e) => e), reason);
  assertEquals(await first, "waited");
  const next = await pool.run(TASKS, "order", 1) as { before: number };
  assertEquals(next.before, 0, "the aborted task never ran");
});

Deno.test("WorkerPool: an already aborted signal rejects at once", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const reason = new Error("too late");
  await assertRejects(
    () => pool.run(TASKS, "square", 2, { signal: AbortSignal.abort(reason) }),
    Error,
    "too late",
  );
  assertEquals(pool.threads, 0);
});

Deno.test("WorkerPool: an async task sees its abort through ctx.signal", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const controller = new AbortController();
  const task = timed(60_000);
  const running = pool.run(TASKS, "wait", task.input, {
    signal: controller.signal,
  });
  await task.started();
  controller.abort(new RangeError("stop waiting"));
  const error = await running.catch((e) => e);
  assert(error instanceof RangeError);
  assertEquals(error.message, "stop waiting");
  await until(() => pool.busy === 0, "the worker has stopped");
  assertEquals(pool.replaced, 0, "it stopped by itself");
  assertEquals(await pool.run(TASKS, "square", 4), 16);
});

Deno.test("WorkerPool: a synchronous CPU-bound loop sees its abort via signal.throwIfAborted()", async () => {
  await using pool = new WorkerPool({ size: 1, abortGrace: "30s" });
  const controller = new AbortController();
  const task = timed(60_000);
  const running = pool.run(TASKS, "spin", task.input, {
    signal: controller.signal,
  });
  await task.started();
  controller.abort();
  const error = await running.catch((e) => e);
  assert(error instanceof DOMException);
  assertEquals(error.name, "AbortError");
  await until(() => pool.busy === 0, "the loop has stopped");
  assertEquals(pool.replaced, 0, "it stopped by itself, well before the grace");
});

Deno.test("WorkerPool: a worker that ignores an abort is terminated after the grace period and replaced", async () => {
  await using pool = new WorkerPool({ size: 1, abortGrace: 100 });
  const controller = new AbortController();
  const task = timed(60_000);
  const running = pool.run(TASKS, "ignoreAbort", task.input, {
    signal: controller.signal,
  });
  await task.started();
  controller.abort(new Error("give up"));
  assertEquals(pool.busy, 1, "the worker runs on during the grace period");
  // The task waits for its answer until the grace ends, then gets the reason.
  await assertRejects(() => running, Error, "give up");
  assertEquals(pool.replaced, 1, "the worker was replaced");
  assertEquals([pool.threads, pool.busy], [1, 0]);
  assertEquals(await pool.run(TASKS, "square", 5), 25);
});

Deno.test("WorkerPool: a task that finishes after its abort resolves with its value", async () => {
  await using pool = new WorkerPool({ size: 1, abortGrace: "30s" });
  const gates = new WorkerGates(2);
  const controller = new AbortController();
  const running = pool.run<Tasks, "gated">(TASKS, "gated", gates.input(1), {
    signal: controller.signal,
  });
  let settled = false;
  running.then(() => settled = true, () => settled = true);
  await gates.startedAll([1]);
  controller.abort(new Error("stop"));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertFalse(settled, "an aborted task waits for the worker's answer");
  gates.open(1);
  assertEquals(await running, 10, "work done after the abort is not lost");
  assertEquals(pool.replaced, 0);
});

Deno.test("WorkerPool replaces a worker stuck in a CPU loop; the pool serves on", async () => {
  // Deno 2.9 does not interrupt a JS loop on terminate() (denoland/deno
  // PR 35657): the old thread spins until `stubborn` returns, but the
  // pool has moved on to a new worker.
  await using pool = new WorkerPool({ size: 1, abortGrace: 50 });
  const controller = new AbortController();
  const task = timed(600);
  const running = pool.run(TASKS, "stubborn", task.input, {
    signal: controller.signal,
  });
  await task.started();
  controller.abort();
  await assertRejects(() => running, DOMException);
  await until(() => pool.replaced === 1, "the worker is replaced");
  assertEquals(await pool.run(TASKS, "square", 6), 36);
});

Deno.test("WorkerPool transfers an input ArrayBuffer when told to", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const moved = new Uint8Array(1024).fill(1).buffer;
  assertEquals(
    await pool.run(TASKS, "sum", moved, { transfer: [moved] }),
    1024,
  );
  assert(moved.detached, "the sender's buffer is detached");
  assertEquals(moved.byteLength, 0);
  const copied = new Uint8Array(8).fill(2).buffer;
  assertEquals(await pool.run(TASKS, "sum", copied), 16);
  assertFalse(copied.detached, "without transfer it is copied");
});

Deno.test("WorkerPool: a function returns transferable(value, list) to move its result", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const bytes = await pool.run<Tasks, "makeBuffer">(TASKS, "makeBuffer", 16);
  assert(bytes instanceof Uint8Array);
  assertEquals(Array.from(bytes), new Array(16).fill(7));
});

Deno.test("WorkerPool rejects input that cannot be copied, and runs on", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const bad = pool.run(TASKS, "square", (() => 1) as unknown as number);
  const good = pool.run(TASKS, "square", 3);
  const error = await bad.catch((e) => e);
  assert(error instanceof TypeError);
  assertStringIncludes(error.message, "cannot be copied to a worker");
  assertEquals(await good, 9);
});

Deno.test("WorkerPool rejects a result that cannot be copied", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const error = await pool.run(TASKS, "unclonable", 0).catch((e) => e);
  assert(error instanceof TypeError);
  assertStringIncludes(error.message, "cannot be copied to the main thread");
  assertEquals(await pool.run(TASKS, "square", 2), 4);
});

Deno.test("WorkerPool.run() with a closure is a TypeError that says what to do", async () => {
  await using pool = new WorkerPool({ size: 1 });
  const closure = (n: number) => n * 2;
  const error = await pool.run(closure as unknown as URL, "double", 1).catch((
    e,
  ) => e);
  assert(error instanceof TypeError);
  assertStringIncludes(error.message, "not a function");
  assertStringIncludes(error.message, "closure cannot cross to a worker");
  assertStringIncludes(
    error.message,
    'new URL("./that_module.ts", import.meta.url)',
  );
  const relative = await pool.run("./fixtures/tasks.ts", "square", 1).catch((
    e,
  ) => e);
  assert(relative instanceof TypeError);
  assertStringIncludes(
    relative.message,
    'new URL("./fixtures/tasks.ts", import.meta.url)',
  );
  await assertRejects(() => pool.run(TASKS, "", 1), TypeError, "export name");
  assertEquals(pool.threads, 0);
});

Deno.test("WorkerPool.close() lets running and queued tasks finish, then refuses more", async () => {
  const pool = new WorkerPool({ size: 1 });
  const running = pool.run(TASKS, "wait", { ms: 30 });
  const queued = pool.run(TASKS, "square", 3);
  const closed = pool.close();
  await assertRejects(
    () => pool.run(TASKS, "square", 1),
    WorkerPoolClosedError,
  );
  assertEquals(await running, "waited");
  assertEquals(await queued, 9);
  await closed;
  assertEquals(pool.threads, 0);
  await pool.close();
});

Deno.test("WorkerPool.terminate() rejects queued and running tasks at once", async () => {
  const pool = new WorkerPool({ size: 1 });
  const task = timed(60_000);
  const running = pool.run(TASKS, "wait", task.input);
  const queued = pool.run(TASKS, "square", 3);
  await task.started();
  pool.terminate();
  await assertRejects(() => running, WorkerPoolClosedError);
  await assertRejects(() => queued, WorkerPoolClosedError);
  assertEquals([pool.threads, pool.queued], [0, 0]);
  await pool.close();
});

Deno.test("WorkerPool checks its options", () => {
  assertThrows(() => new WorkerPool({ size: 0 }), RangeError, "size");
  assertThrows(
    () => new WorkerPool({ abortGrace: "soon" as "1s" }),
    RangeError,
    "abortGrace",
  );
});

Deno.test("WorkerPool where there is no Worker is a clear NotSupportedError", () => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "Worker")!;
  Object.defineProperty(globalThis, "Worker", {
    value: undefined,
    configurable: true,
    writable: true,
  });
  try {
    const error = assertThrows(() => new WorkerPool({ size: 1 }), DOMException);
    assertEquals(error.name, "NotSupportedError");
    assertStringIncludes(error.message, "this runtime has no Worker");
  } finally {
    Object.defineProperty(globalThis, "Worker", descriptor);
  }
});
