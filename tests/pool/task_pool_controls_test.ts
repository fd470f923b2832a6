// TaskPool's lock()/unlock(), isFull, starmap() and TaskGroup.resize().
import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertLessOrEqual,
  assertRejects,
  assertThrows,
} from "@std/assert";
import {
  type Outcome,
  PoolRefusedError,
  type TaskContext,
  type TaskError,
  TaskPool,
  TaskPoolError,
} from "../../mod.ts";
import { range, tick, Workers } from "./_workers.ts";

// --- lock() and unlock() ---------------------------------------------------

Deno.test("A locked pool refuses map(), starmap() and apply() with PoolRefusedError code pool_locked", async () => {
  const pool = new TaskPool();
  pool.lock();
  assert(pool.locked);
  const attempts: (() => unknown)[] = [
    () => pool.map((n: number) => n, [1]),
    () => pool.starmap((_ctx, n: number) => n, [[1]] as [number][]),
    () => pool.apply(() => 1),
  ];
  for (const attempt of attempts) {
    const error = assertThrows(attempt, PoolRefusedError);
    assertInstanceOf(error, TypeError);
    assertEquals(error.code, "pool_locked");
    assertEquals(
      error.message,
      "Cannot start a task group: the pool is locked; call unlock() to allow new work",
    );
  }
  assertEquals(pool.groups, [], "a refused call registers no group");
  pool.unlock();
  assertFalse(pool.locked);
  const group = pool.map((n: number) => n * 2, [1, 2]);
  assertEquals((await group.done).succeeded, 2);
  await pool.close();
});

Deno.test("lock() lets running groups go on pulling their inputs to the end", async () => {
  const pool = new TaskPool({ limit: 1 });
  const workers = new Workers<number>();
  const group = pool.map(workers.task, range(4));
  await tick();
  pool.lock();
  for (let i = 0; i < 4; i++) {
    workers.finishOldest();
    await tick();
  }
  assertEquals((await group.done).succeeded, 4);
  assertEquals(workers.started.map((w) => w.input), range(4));
  // close() of a locked pool awaits the rest as usual.
  await pool.close();
});

Deno.test("A closed pool refuses new groups with code pool_closed, even after unlock()", async () => {
  const pool = new TaskPool();
  pool.lock();
  await pool.close();
  pool.unlock();
  const error = assertThrows(() => pool.apply(() => 1), PoolRefusedError);
  assertEquals(error.code, "pool_closed");
  assertEquals(error.message, "Cannot start a task group: the pool is closed");
});

// --- isFull ----------------------------------------------------------------

Deno.test("TaskPool.isFull is true exactly while every slot is taken", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  assertFalse(pool.isFull);
  pool.map(workers.task, range(3), { concurrency: 3 });
  await tick();
  assert(pool.isFull);
  assertEquals([pool.running, pool.pending], [2, 1]);
  pool.resize(4);
  await tick();
  assertFalse(pool.isFull, "3 of 4 slots taken");
  pool.resize(3);
  assert(pool.isFull);
  workers.finishAll();
  await pool.close();
  assertFalse(pool.isFull);
});

Deno.test("TaskPool.isFull: a pool of limit 0 is always full and an unlimited one never", async () => {
  const paused = new TaskPool({ limit: 0 });
  assert(paused.isFull);
  const unlimited = new TaskPool();
  const workers = new Workers<number>();
  unlimited.map(workers.task, range(50), { concurrency: 50 });
  await tick();
  assertEquals(unlimited.running, 50);
  assertFalse(unlimited.isFull);
  workers.finishAll();
  await Promise.all([paused.close(), unlimited.close()]);
});

// --- starmap() -------------------------------------------------------------

Deno.test("TaskPool.starmap() calls fn(ctx, ...tuple) and each outcome's input is the tuple", async () => {
  const pool = new TaskPool();
  const contexts: TaskContext[] = [];
  const group = pool.starmap(
    (ctx, name: string, times: number) => {
      contexts.push(ctx);
      return name.repeat(times);
    },
    [["a", 2], ["b", 3]] as [string, number][],
    { results: true },
  );
  const outcomes: Outcome<[string, number], string>[] = [];
  for await (const o of group.results()) outcomes.push(o);
  outcomes.sort((a, b) => a.index - b.index);
  assertEquals(outcomes, [
    { ok: true, index: 0, input: ["a", 2], value: "aa", attempts: 1 },
    { ok: true, index: 1, input: ["b", 3], value: "bbb", attempts: 1 },
  ]);
  assertEquals(contexts.map((c) => c.index).sort(), [0, 1]);
  assert(contexts.every((c) => c.signal instanceof AbortSignal));
  await pool.close();
});

Deno.test("TaskPool.starmap() pulls tuples lazily from an async iterable", async () => {
  const pool = new TaskPool();
  let pulled = 0;
  async function* pairs(): AsyncGenerator<[number, number]> {
    for (let i = 0; i < 100; i++) {
      pulled++;
      yield [i, i];
    }
  }
  const group = pool.starmap((_ctx, a: number, b: number) => a * b, pairs(), {
    concurrency: 2,
    results: true,
  });
  const iterator = group.results()[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert(!first.done && first.value.ok);
  await tick();
  assertLessOrEqual(pulled, 10, "an unread group must not drain its source");
  group.cancel();
  await group.done;
  await iterator.return?.();
  await pool.close();
});

Deno.test("TaskPool.starmap() fails a task whose input is not an array with a TypeError naming its index", async () => {
  const pool = new TaskPool();
  const calls: unknown[][] = [];
  const failures: TaskError[] = [];
  const inputs: unknown[] = [[1, 2], 5, [3]];
  pool.starmap(
    (_ctx, ...args: unknown[]) => calls.push(args),
    inputs as unknown[][],
    { onEnd: (o) => o.ok || failures.push(o.error) },
  );
  await pool.close();
  assertEquals(calls.sort(), [[1, 2], [3]]);
  assertEquals(failures.length, 1);
  const [failure] = failures;
  assert(failure !== undefined);
  assertEquals([failure.index, failure.input], [1, 5]);
  assertInstanceOf(failure.cause, TypeError);
  assertEquals(
    failure.cause.message,
    "Invalid starmap arguments at index 1: expected an array, got 5",
  );
});

Deno.test("A starmap group's unseen failure reaches close() like any other", async () => {
  const pool = new TaskPool();
  pool.starmap(
    (_ctx, a: number) => {
      if (a < 0) throw new RangeError(`negative ${a}`);
      return a;
    },
    [[1], [-1]] as [number][],
    { group: "signs" },
  );
  const error = await assertRejects(() => pool.close(), TaskPoolError);
  assertEquals(
    error.message,
    'Task group "signs": 1 task failed: input 1 (RangeError: negative -1)',
  );
});

// --- TaskGroup.resize() ----------------------------------------------------

Deno.test("TaskGroup.resize() grows a group at once, shrinks it without stopping running tasks, and 0 pauses it", async () => {
  const pool = new TaskPool({ limit: 10 });
  const workers = new Workers<number>();
  const group = pool.map(workers.task, range(8), { concurrency: 1 });
  await tick();
  assertEquals(workers.running, 1);
  group.resize(3);
  assertEquals(group.concurrency, 3);
  await tick();
  assertEquals(workers.running, 3);
  group.resize(1);
  await tick();
  assertEquals(workers.running, 3, "a shrink lets running tasks finish");
  workers.finishOldest(2);
  await tick();
  assertEquals(workers.running, 1, "no new task while over the new limit");
  group.resize(0);
  workers.finishOldest();
  await tick();
  assertEquals([workers.running, workers.started.length], [0, 3]);
  assertEquals(group.state, "running");
  group.resize(2);
  await tick();
  assertEquals(workers.running, 2);
  assertLessOrEqual(workers.peak, 3);
  while (workers.running > 0) {
    workers.finishAll();
    await tick();
  }
  assertEquals((await group.done).succeeded, 8);
  await pool.close();
});

Deno.test("TaskGroup.resize() stays within the pool's limit", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  const group = pool.map(workers.task, range(6), { concurrency: 1 });
  await tick();
  group.resize(6);
  await tick();
  assertEquals([workers.running, pool.pending], [2, 4]);
  assertThrows(() => group.resize(-1), RangeError);
  assertThrows(() => group.resize(1.5), RangeError);
  group.cancel();
  await pool.close();
});
