import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  type Outcome,
  PoolRefusedError,
  SimpleTaskPool,
  type StoppedTask,
  type TaskContext,
  TaskError,
  TaskPoolError,
} from "../../mod.ts";
import { tick, Workers } from "./_workers.ts";

/** A SimpleTaskPool function whose calls the test finishes by hand. */
function byHand(workers: Workers<number>) {
  return (ctx: TaskContext): Promise<number> => workers.task(ctx.index, ctx);
}

Deno.test("SimpleTaskPool.start(n) starts n tasks calling fn(ctx, ...args) after start() returned", async () => {
  const calls: [number, number, string, number][] = [];
  const pool = new SimpleTaskPool((ctx, a: string, b: number) => {
    calls.push([ctx.index, ctx.attempt, a, b]);
    assertFalse(ctx.signal.aborted);
  }, { args: ["x", 7] });
  assertEquals(pool.start(2), [0, 1]);
  assertEquals(calls, [], "no call before start() returned");
  assertEquals(pool.start(), [2]);
  await pool.close();
  assertEquals(calls, [[0, 1, "x", 7], [1, 1, "x", 7], [2, 1, "x", 7]]);
  assertEquals([pool.started, pool.ended, pool.failed], [3, 3, 0]);
});

Deno.test("SimpleTaskPool.running follows tasks as they start and end on their own", async () => {
  const workers = new Workers<number>();
  const pool = new SimpleTaskPool(byHand(workers));
  assertEquals(pool.running, 0);
  pool.start(3);
  assertEquals(pool.running, 3);
  await tick();
  assertEquals(workers.running, 3);
  workers.finishOldest();
  await tick();
  assertEquals([pool.running, pool.ended], [2, 1]);
  assertEquals(pool.ids, [1, 2]);
  pool.start(1);
  assertEquals(pool.running, 3);
  workers.finishAll();
  await tick();
  assertEquals(pool.running, 1);
  workers.finishAll();
  await pool.close();
  assertEquals([pool.running, pool.ended, pool.ids], [0, 4, []]);
});

Deno.test("SimpleTaskPool.stop(k) stops the k tasks started last, calling onCancel and then onEnd for each", async () => {
  const workers = new Workers<number>();
  const events: string[] = [];
  const pool = new SimpleTaskPool(byHand(workers), {
    onCancel: (task: StoppedTask) =>
      events.push(`cancel ${task.id} ${task.wasRunning}`),
    onEnd: (o: Outcome<number, number>) =>
      events.push(`end ${o.input} ${o.ok ? "ok" : "failed"}`),
  });
  pool.start(4);
  await tick();
  const reason = new Error("scale down");
  assertEquals(pool.stop(2, reason), [
    { id: 3, wasRunning: true },
    { id: 2, wasRunning: true },
  ]);
  assertEquals(pool.running, 2, "stopped tasks leave running at once");
  assertEquals(pool.ids, [0, 1]);
  assertEquals(
    workers.started.map((w) => w.ctx.signal.aborted),
    [false, false, true, true],
  );
  assertStrictEquals(workers.started[3]?.ctx.signal.reason, reason);
  await tick();
  assertEquals(events, [
    "cancel 3 true",
    "cancel 2 true",
    "end 3 failed",
    "end 2 failed",
  ]);
  assertEquals(pool.failed, 0, "a stopped task is not a failure");
  workers.finishAll();
  await pool.close();
  assertEquals(pool.ended, 4);
});

Deno.test("SimpleTaskPool.stop() with more tasks than are left throws RangeError and stops none", async () => {
  const workers = new Workers<number>();
  const pool = new SimpleTaskPool(byHand(workers), { name: "crawler" });
  pool.start(2);
  await tick();
  const error = assertThrows(() => pool.stop(3), RangeError);
  assertEquals(
    error.message,
    'Cannot stop 3 tasks of "crawler": only 2 are running or waiting',
  );
  assertEquals(pool.running, 2);
  assertThrows(() => pool.stop(-1), RangeError);
  assertEquals(pool.stop(0), []);
  pool.stop(2);
  assertThrows(() => pool.stop(1), RangeError, "only 0 are");
  await pool.close();
});

Deno.test("SimpleTaskPool.stopAll() stops every task, newest first, and close() then awaits them", async () => {
  const workers = new Workers<number>();
  const pool = new SimpleTaskPool(byHand(workers));
  pool.start(3);
  await tick();
  assertEquals(pool.stopAll().map((t) => t.id), [2, 1, 0]);
  assertEquals(pool.stopAll(), []);
  await pool.close();
  assert(workers.started.every((w) => w.ctx.signal.aborted));
  assertEquals([pool.running, pool.ended, workers.running], [0, 3, 0]);
});

Deno.test("SimpleTaskPool with a limit: tasks beyond it wait; a stopped waiting task never runs", async () => {
  const workers = new Workers<number>();
  const ended: number[] = [];
  const pool = new SimpleTaskPool(byHand(workers), {
    limit: 2,
    onEnd: (o) => ended.push(o.input),
  });
  pool.start(4);
  await tick();
  assertEquals([pool.running, pool.waiting, workers.running], [2, 2, 2]);
  assertEquals(pool.stop(1), [{ id: 3, wasRunning: false }]);
  assertEquals(pool.waiting, 1);
  pool.resize(3);
  await tick();
  assertEquals([pool.running, pool.waiting], [3, 0]);
  assertEquals(workers.started.map((w) => w.input), [0, 1, 2]);
  workers.finishAll();
  await pool.close();
  assertEquals(ended.sort(), [0, 1, 2], "task 3 never ran, so never ended");
});

Deno.test("SimpleTaskPool: a task stopped in the same turn as start() is never called", async () => {
  let calls = 0;
  const ended: number[] = [];
  const pool = new SimpleTaskPool(() => calls++, {
    onEnd: (o) => ended.push(o.input),
  });
  pool.start(2);
  assertEquals(pool.stop(1), [{ id: 1, wasRunning: false }]);
  await pool.close();
  assertEquals([calls, ended], [1, [0]]);
});

Deno.test("SimpleTaskPool: a failure no onEnd saw makes close() reject with TaskPoolError naming the pool", async () => {
  const pool = new SimpleTaskPool(function poller(ctx) {
    if (ctx.index === 1) throw new Error("backend down");
    return Promise.reject(new Error("timeout"));
  });
  assertEquals(
    pool.start(2),
    [0, 1],
    "a throwing fn does not throw from start()",
  );
  const error = await assertRejects(() => pool.close(), TaskPoolError);
  assertEquals(error.failures, 2);
  assertEquals(
    error.message,
    'SimpleTaskPool "poller": 2 tasks failed: input 1 (Error: backend down), input 0 (Error: timeout)',
  );
  // In the order they ended: the synchronous throw first.
  const failure = error.errors[0];
  assertInstanceOf(failure, TaskError);
  assertEquals(failure.index, 1);
  assertEquals(pool.failed, 2);
  await pool.close(); // reported once
});

Deno.test("SimpleTaskPool: failures seen by onEnd are not reported again, but a throwing onEnd is", async () => {
  const seen: boolean[] = [];
  const quiet = new SimpleTaskPool(() => {
    throw new Error("bad");
  }, { onEnd: (o) => seen.push(o.ok) });
  quiet.start(2);
  await quiet.close();
  assertEquals(seen, [false, false]);

  const broken = new Error("onEnd broke");
  const loud = new SimpleTaskPool(() => 1, {
    name: "loud",
    onEnd: () => {
      throw broken;
    },
  });
  loud.start();
  const error = await assertRejects(() => loud.close(), TaskPoolError);
  assertEquals(error.errors, [broken]);
  assertEquals(
    error.message,
    'SimpleTaskPool "loud": failed with Error: onEnd broke',
  );
});

Deno.test("SimpleTaskPool.stop() stops every task even when onCancel throws, then throws AggregateError", async () => {
  const workers = new Workers<number>();
  const pool = new SimpleTaskPool(byHand(workers), {
    onCancel: (task) => {
      if (task.id === 2) throw new Error("onCancel broke");
    },
  });
  pool.start(3);
  await tick();
  const error = assertThrows(() => pool.stopAll(), AggregateError);
  assertEquals(error.errors.length, 1);
  assertEquals(pool.running, 0);
  await pool.close();
});

Deno.test("SimpleTaskPool lock() refuses start() with pool_locked until unlock(); close() refuses with pool_closed", async () => {
  const pool = new SimpleTaskPool(() => 1);
  pool.lock();
  assert(pool.locked);
  const locked = assertThrows(() => pool.start(1), PoolRefusedError);
  assertEquals(locked.code, "pool_locked");
  assertEquals(pool.started, 0);
  pool.unlock();
  pool.start(1);
  await pool.close();
  assert(pool.closed);
  const closed = assertThrows(() => pool.start(1), PoolRefusedError);
  assertEquals(closed.code, "pool_closed");
  assertEquals(closed.message, "Cannot start a task: the pool is closed");
});

Deno.test("`await using` a SimpleTaskPool stops its tasks and closes it", async () => {
  const workers = new Workers<number>();
  {
    await using pool = new SimpleTaskPool(byHand(workers));
    pool.start(2);
    await tick();
  }
  assert(workers.started.every((w) => w.ctx.signal.aborted));
  assertEquals(workers.running, 0);
});

Deno.test("SimpleTaskPool rejects a bad function, args, limit or count with a message naming it", () => {
  assertThrows(
    () => new SimpleTaskPool("nope" as unknown as () => void),
    TypeError,
    'Invalid SimpleTaskPool function: expected a function, got "nope"',
  );
  assertThrows(
    () =>
      new SimpleTaskPool((_ctx, _a: number) => 1, {
        args: 5 as unknown as [number],
      }),
    TypeError,
    "Invalid SimpleTaskPool args",
  );
  assertThrows(
    () => new SimpleTaskPool(() => 1, { limit: -1 }),
    RangeError,
    "Invalid SimpleTaskPool limit",
  );
  const pool = new SimpleTaskPool(() => 1);
  assertThrows(() => pool.start(1.5), RangeError, "start count");
  assertEquals(pool.started, 0);
});
