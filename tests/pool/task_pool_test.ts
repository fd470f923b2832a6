import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertLessOrEqual,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  type CancelledTask,
  ErrorBudgetError,
  type Outcome,
  TaskError,
  type TaskGroup,
  TaskPool,
} from "../../mod.ts";
import { useFakeTime } from "../_helpers/fake_time.ts";
import { range, tick, Workers } from "./_workers.ts";

// --- apply() and map() -----------------------------------------------------

Deno.test("TaskPool.apply() runs fn(ctx, ...args) num times concurrently", async () => {
  const pool = new TaskPool();
  const workers = new Workers<string>();
  const calls: [number, string, number][] = [];
  const group = pool.apply(
    (ctx, host: string, port: number) => {
      calls.push([ctx.index, host, port]);
      return workers.task(`${host}:${port}`, ctx);
    },
    { num: 3, args: ["db", 5432], results: true },
  );
  await tick();
  assertEquals(workers.running, 3);
  assertEquals(calls, [[0, "db", 5432], [1, "db", 5432], [2, "db", 5432]]);
  workers.finishAll();
  const outcomes: Outcome<number, string>[] = [];
  for await (const outcome of group.results()) outcomes.push(outcome);
  assertEquals(
    outcomes.map((o) => o.ok ? [o.input, o.value] : [o.input, "failed"]),
    [[0, "db:5432"], [1, "db:5432"], [2, "db:5432"]],
  );
  assertEquals(await group.done, {
    id: group.id,
    state: "ended",
    succeeded: 3,
    failed: 0,
    cancelled: 0,
  });
  await pool.close();
});

Deno.test("TaskPool.apply() and map() return the group before calling fn", async () => {
  const pool = new TaskPool();
  let calls = 0;
  const applied = pool.apply(() => calls++, { num: 2 });
  const mapped = pool.map((n: number) => calls += n, [10, 20]);
  assertEquals(calls, 0);
  assertEquals(applied.state, "running");
  assertEquals(mapped.state, "running");
  await pool.close();
  assertEquals(calls, 32);
});

Deno.test("TaskPool.map() returns at once even when the pool has no free slot", async () => {
  const pool = new TaskPool({ limit: 0 });
  const workers = new Workers<number>();
  const group = pool.map(workers.task, [1, 2, 3], { concurrency: 3 });
  await tick();
  assertEquals(workers.started.length, 0);
  assertEquals(pool.pending, 3);
  assertEquals(group.state, "running");
  pool.resize(3);
  await tick();
  assertEquals(workers.running, 3);
  workers.finishAll();
  assertEquals((await group.done).succeeded, 3);
  await pool.close();
});

Deno.test("TaskPool.map() runs every input with at most `concurrency` of the group at once", async () => {
  const pool = new TaskPool({ limit: 10 });
  const workers = new Workers<number>();
  const values: number[] = [];
  const group = pool.map(workers.task, range(10), {
    concurrency: 3,
    onEnd: (o) => {
      if (o.ok) values.push(o.value);
    },
  });
  while (group.state === "running") {
    await tick();
    assertLessOrEqual(workers.running, 3);
    workers.finishOldest();
  }
  assertEquals(workers.peak, 3);
  assertEquals(values.sort((a, b) => a - b), range(10));
  await pool.close();
});

Deno.test("TaskPool groups share the pool limit: together they never run more than it", async () => {
  const pool = new TaskPool({ limit: 3 });
  const workers = new Workers<number>();
  const a = pool.map(workers.task, range(6), { concurrency: 3 });
  const b = pool.apply((ctx) => workers.task(100 + ctx.index, ctx), {
    num: 6,
  });
  await tick();
  assertEquals(workers.running, 3);
  assertEquals(pool.pending, 6);
  while (a.state === "running" || b.state === "running") {
    assertLessOrEqual(workers.running, 3);
    assertLessOrEqual(pool.running, 3);
    workers.finishOldest();
    await tick();
  }
  assertEquals(workers.peak, 3);
  assertEquals(workers.started.length, 12);
  await pool.close();
});

Deno.test("TaskPool.apply() rejects a bad num or args and registers no group", () => {
  const pool = new TaskPool();
  assertThrows(() => pool.apply(() => 1, { num: 0, group: "g" }), RangeError);
  assertThrows(() => pool.apply(() => 1, { num: 1.5, group: "g" }), RangeError);
  assertThrows(
    () =>
      pool.apply((_ctx, n: number) => n, {
        args: 7 as unknown as [number],
        group: "g",
      }),
    TypeError,
    "expected an array",
  );
  assertEquals(pool.groups.length, 0);
  assertEquals(pool.group("g"), undefined);
});

// --- live counts -----------------------------------------------------------

Deno.test("TaskPool.running, pending and ended follow tasks as they start and end", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  pool.apply((ctx) => workers.task(ctx.index, ctx), { num: 5 });
  await tick();
  assertEquals([pool.running, pool.pending, pool.ended], [2, 3, 0]);
  workers.finishOldest();
  await tick();
  assertEquals([pool.running, pool.pending, pool.ended], [2, 2, 1]);
  workers.finishOldest(2);
  await tick();
  assertEquals([pool.running, pool.pending, pool.ended], [2, 0, 3]);
  workers.finishAll();
  await pool.close();
  assertEquals([pool.running, pool.pending, pool.ended], [0, 0, 5]);
});

Deno.test("TaskGroup.running counts only the group's tasks that hold a pool slot", async () => {
  // BUG: MapRun counts a task as running as soon as it waits for the pool's
  // semaphore, so a group reports more running tasks than the pool allows.
  const pool = new TaskPool({ limit: 1 });
  const workers = new Workers<number>();
  const group = pool.map(workers.task, [1, 2, 3], { concurrency: 3 });
  await tick();
  assertEquals([pool.running, pool.pending], [1, 2]);
  try {
    assertEquals(group.running, 1);
  } finally {
    pool.cancelAll();
    await pool.close();
  }
});

// --- resize() --------------------------------------------------------------

Deno.test("TaskPool.resize() to 2 with 2 running never lets a third task start", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  const group = pool.map(workers.task, range(6), { concurrency: 6 });
  await tick();
  assertEquals([pool.running, pool.pending], [2, 4]);
  pool.resize(2);
  await tick();
  assertEquals(workers.started.length, 2);
  assertEquals([pool.running, pool.pending], [2, 4]);
  while (group.state === "running") {
    workers.finishOldest();
    await tick();
    assertLessOrEqual(workers.running, 2);
    assertLessOrEqual(pool.running, 2);
  }
  assertEquals(workers.peak, 2);
  assertEquals((await group.done).succeeded, 6);
  await pool.close();
});

Deno.test("TaskPool.resize() to a larger limit starts pending tasks at once", async () => {
  const pool = new TaskPool({ limit: 1 });
  const workers = new Workers<number>();
  pool.map(workers.task, range(5), { concurrency: 5 });
  await tick();
  assertEquals([pool.running, pool.pending], [1, 4]);
  pool.resize(4);
  assertEquals([pool.limit, pool.running, pool.pending], [4, 4, 1]);
  await tick();
  assertEquals(workers.running, 4);
  pool.resize(Infinity);
  await tick();
  assertEquals(workers.running, 5);
  workers.finishAll();
  await pool.close();
});

Deno.test("TaskPool.resize() to a smaller limit lets running tasks finish and starts none until below it", async () => {
  const pool = new TaskPool({ limit: 4 });
  const workers = new Workers<number>();
  pool.map(workers.task, range(8), { concurrency: 8 });
  await tick();
  assertEquals(workers.running, 4);
  pool.resize(2);
  assertEquals(pool.limit, 2);
  for (const expected of [3, 2, 1]) {
    workers.finishOldest();
    await tick();
    assertEquals(workers.running, Math.max(expected, 2));
    assertEquals(workers.started.length, expected === 1 ? 5 : 4);
  }
  while (pool.running > 0 || pool.pending > 0) {
    workers.finishOldest();
    await tick();
    assertLessOrEqual(workers.running, 2);
  }
  assertEquals(workers.started.length, 8);
  await pool.close();
});

Deno.test("TaskPool.resize(0) pauses the pool and a later resize() resumes it", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  pool.map(workers.task, range(4), { concurrency: 4 });
  await tick();
  pool.resize(0);
  workers.finishAll();
  await tick();
  assertEquals([workers.running, pool.running, pool.pending], [0, 0, 2]);
  pool.resize(1);
  await tick();
  assertEquals([workers.running, pool.pending], [1, 1]);
  pool.resize(5);
  await tick();
  assertEquals(workers.running, 2);
  workers.finishAll();
  await pool.close();
  assertEquals(pool.ended, 4);
});

Deno.test("TaskPool rejects a negative, fractional or NaN limit with RangeError", () => {
  for (const limit of [-1, 1.5, NaN]) {
    assertThrows(() => new TaskPool({ limit }), RangeError);
  }
  const pool = new TaskPool({ limit: 3 });
  for (const limit of [-1, 0.5, NaN]) {
    assertThrows(() => pool.resize(limit), RangeError);
  }
  assertEquals(pool.limit, 3);
  assertEquals(new TaskPool().limit, Infinity);
});

// --- cancel() and cancelAll() ----------------------------------------------

Deno.test("TaskPool.cancel() aborts the group's tasks, starts none of its pending ones and resolves done as cancelled", async () => {
  const pool = new TaskPool({ limit: 3 });
  const workers = new Workers<number>();
  const others = new Workers<string>();
  const cancelled: [number, number, boolean][] = [];
  const bystander = pool.map(others.task, ["x"]);
  const group = pool.map(workers.task, range(6), {
    group: "sleepers",
    concurrency: 6,
    onCancel: (task, g) =>
      cancelled.push([task.index, task.input, g === group]),
  });
  await tick();
  assertEquals([workers.running, pool.pending], [2, 4]);
  const running = [...workers.live];
  pool.cancel("sleepers");
  assertEquals(group.state, "cancelled");
  for (const worker of running) {
    assert(worker.ctx.signal.aborted);
    assertInstanceOf(worker.ctx.signal.reason, DOMException);
    assertEquals(worker.ctx.signal.reason.name, "AbortError");
  }
  assertEquals(await group.done, {
    id: "sleepers",
    state: "cancelled",
    succeeded: 0,
    failed: 0,
    cancelled: 2,
  });
  // Once per task that was running; the four waiting for a slot never ran.
  assertEquals(cancelled, [[0, 0, true], [1, 1, true]]);
  assertEquals([pool.running, pool.pending], [1, 0]);
  await tick();
  assertEquals(workers.started.length, 2);
  assertFalse(others.started[0]?.ctx.signal.aborted);
  others.finishAll();
  assertEquals((await bystander.done).state, "ended");
  await pool.close();
});

Deno.test("TaskPool.cancel() accepts the group object that map() returned", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>();
  const group = pool.map(workers.task, [1]);
  await tick();
  // BUG: GroupRef is `string | TaskGroup<unknown, unknown>`, and TaskGroup
  // is invariant in its type parameters, so no typed group is accepted.
  // Remove this directive once GroupRef accepts any TaskGroup.
  pool.cancel(group);
  assertEquals((await group.done).state, "cancelled");
  await pool.close();
});

Deno.test("TaskPool.cancel() of another pool's group throws RangeError instead of cancelling a namesake", async () => {
  // BUG: cancel() looks a group object up by its id only.
  const first = new TaskPool();
  const second = new TaskPool();
  const workers = new Workers<number>();
  const mine = first.map(workers.task, [1]);
  const theirs = second.map(workers.task, [2]);
  assertEquals(mine.id, theirs.id);
  await tick();
  try {
    assertThrows(
      () => first.cancel(second.groups[0] ?? "missing"),
      RangeError,
    );
    assertEquals(mine.state, "running");
  } finally {
    first.cancelAll();
    second.cancelAll();
    await Promise.all([first.close(), second.close()]);
  }
});

Deno.test("TaskPool.cancel() calls onCancel once and leaves an ended group ended", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>();
  let onCancelCalls = 0;
  const onCancel = () => onCancelCalls++;
  const finished = pool.map((n: number) => n, [1], {
    group: "finished",
    onCancel,
  });
  assertEquals((await finished.done).state, "ended");
  pool.map(workers.task, [1], { group: "slow", onCancel });
  await tick();
  pool.cancel("finished");
  pool.cancel("slow");
  pool.cancel("slow", "finished");
  pool.cancelAll();
  assertEquals(onCancelCalls, 1);
  assertEquals(finished.state, "ended");
  await pool.close();
});

Deno.test("TaskPool.cancel() with an unknown id throws RangeError and cancels none of the others", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>();
  const group = pool.map(workers.task, [1], { group: "known" });
  await tick();
  assertThrows(() => pool.cancel("known", "unknown"), RangeError, "unknown");
  assertEquals(group.state, "running");
  assertFalse(workers.started[0]?.ctx.signal.aborted);
  workers.finishAll();
  await pool.close();
  assertThrows(() => pool.cancel("known"), RangeError);
});

Deno.test("TaskPool.cancelAll() cancels every running group, calling onCancel once per running task", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  const calls: string[] = [];
  const onCancel = (
    task: CancelledTask<number>,
    g: TaskGroup<number, number>,
  ) => calls.push(`${g.id}#${task.index}`);
  const done = pool.map((n: number) => n, [1], { group: "done", onCancel });
  await done.done;
  const a = pool.map(workers.task, range(3), { group: "a", onCancel });
  const b = pool.apply((ctx) => workers.task(ctx.index, ctx), {
    group: "b",
    num: 3,
    onCancel,
  });
  await tick();
  pool.cancelAll();
  pool.cancelAll();
  // Only a's first two tasks held a slot; the others never started.
  assertEquals(calls.sort(), ["a#0", "a#1"]);
  assertEquals((await a.done).state, "cancelled");
  assertEquals((await b.done).state, "cancelled");
  assertEquals(workers.started.length, 2);
  assert(workers.started.every((w) => w.ctx.signal.aborted));
  await pool.close();
  assertEquals([pool.running, pool.pending], [0, 0]);
});

Deno.test("TaskPool.cancelAll() cancels every group even when an onCancel callback throws", async () => {
  // BUG: the first throwing onCancel escapes cancelAll()'s loop, so the
  // groups after it keep running (and `await using` never closes the pool).
  const pool = new TaskPool();
  const workers = new Workers<number>();
  pool.map(workers.task, [1], {
    onCancel: () => {
      throw new Error("onCancel failed");
    },
  });
  const second = pool.map(workers.task, [2]);
  await tick();
  try {
    pool.cancelAll();
  } catch {
    // Whether cancelAll() reports the callback's error is not the point.
  }
  try {
    assertEquals(second.state, "cancelled");
  } finally {
    second.cancel();
    await pool.close();
  }
});

Deno.test("A cancelled map group stops pulling its endless source and closes it", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  let pulled = 0;
  let closed = false;
  function* naturals(): Generator<number> {
    try {
      for (let n = 0;; n++) {
        pulled++;
        yield n;
      }
    } finally {
      closed = true;
    }
  }
  const group = pool.map(workers.task, naturals(), { concurrency: 2 });
  await tick();
  pool.cancel(group.id);
  assertEquals((await group.done).state, "cancelled");
  const pulledAtCancel = pulled;
  await tick();
  assert(closed);
  assertEquals(pulled, pulledAtCancel);
  assertEquals(workers.started.length, 2);
  await pool.close();
});

// --- flush() ---------------------------------------------------------------

Deno.test("TaskPool.flush() awaits ended and cancelled groups, forgets them and leaves running ones", async () => {
  const pool = new TaskPool();
  const stubborn = new Workers<number>({ ignoreAbort: true });
  const workers = new Workers<number>();
  const ended = pool.map((n: number) => n, [1], { group: "ended" });
  await ended.done;
  const cancelled = pool.map(stubborn.task, [1], { group: "cancelled" });
  const running = pool.map(workers.task, [1], { group: "running" });
  await tick();
  pool.cancel("cancelled");
  let flushed = false;
  const flushing = pool.flush().then(() => flushed = true);
  await tick();
  assertFalse(flushed, "flush() waits for the cancelled group's task");
  stubborn.finishAll();
  await flushing;
  assertEquals(pool.groups.map((g) => g.id), ["running"]);
  assertEquals(pool.group("ended"), undefined);
  assertEquals(pool.group("cancelled"), undefined);
  assertStrictEquals(pool.group("running"), running);
  assertEquals((await cancelled.done).state, "cancelled");
  assertThrows(() => pool.cancel("ended"), RangeError);
  assertFalse(workers.started[0]?.ctx.signal.aborted);
  workers.finishAll();
  await pool.close();
});

Deno.test("TaskPool.flush() rejects with AggregateError of failed groups and still forgets them", async () => {
  const pool = new TaskPool();
  const group = pool.map(
    (n: number) => {
      throw new Error(`bad ${n}`);
    },
    [7],
    { onError: "fail-fast", group: "bad" },
  );
  await assertRejects(() => group.done, TaskError);
  const error = await assertRejects(() => pool.flush(), AggregateError);
  assertEquals(error.errors.length, 1);
  assertInstanceOf(error.errors[0], TaskError);
  assertEquals(pool.groups.length, 0);
  await pool.close();
});

// --- close() and await using -----------------------------------------------

Deno.test("TaskPool.close() refuses new groups with TypeError and awaits every group", async () => {
  const pool = new TaskPool({ limit: 1 });
  const workers = new Workers<number>();
  pool.map(workers.task, range(3), { concurrency: 3 });
  pool.apply((ctx) => workers.task(10, ctx));
  await tick();
  let closed = false;
  const closing = pool.close().then(() => closed = true);
  assert(pool.closed);
  assertThrows(() => pool.map((n: number) => n, [1]), TypeError, "closed");
  assertThrows(() => pool.apply(() => 1), TypeError, "closed");
  while (workers.started.length < 4) {
    await tick();
    assertFalse(closed);
    workers.finishOldest();
  }
  await closing;
  assertEquals([pool.running, pool.pending, pool.ended], [0, 0, 4]);
  assertEquals(pool.groups.length, 0);
});

Deno.test("TaskPool.close() rejects with AggregateError when a fail-fast group failed", async () => {
  const pool = new TaskPool();
  const cause = new Error("disk full");
  pool.map(
    (n: number) => {
      if (n === 2) throw cause;
      return n;
    },
    [1, 2, 3],
    { onError: "fail-fast", concurrency: 1 },
  );
  pool.map((n: number) => n, [1, 2]);
  const error = await assertRejects(() => pool.close(), AggregateError);
  assertEquals(error.errors.length, 1);
  const failure = error.errors[0];
  assertInstanceOf(failure, TaskError);
  assertEquals(failure.input, 2);
  assertStrictEquals(failure.cause, cause);
  assertEquals(pool.groups.length, 0);
});

Deno.test("`await using` a TaskPool cancels its groups and closes it at the end of the scope", async () => {
  const workers = new Workers<number>();
  let cancelled = 0;
  let escaped: TaskPool | undefined;
  {
    await using pool = new TaskPool({ limit: 1 });
    escaped = pool;
    pool.map(workers.task, range(3), {
      concurrency: 3,
      onCancel: () => cancelled++,
    });
    await tick();
    assertEquals(workers.running, 1);
  }
  assertEquals(cancelled, 1);
  assert(workers.started[0]?.ctx.signal.aborted);
  assertEquals(workers.started.length, 1);
  assert(escaped.closed);
  assertEquals([escaped.running, escaped.pending], [0, 0]);
  assertEquals(escaped.groups.length, 0);
});

// --- results() -------------------------------------------------------------

Deno.test("TaskGroup.results() yields every outcome of a group created with { results: true }", async () => {
  const pool = new TaskPool({ limit: 2 });
  const group = pool.map(
    (n: number) => {
      if (n === 3) throw new Error("three");
      return n * 10;
    },
    range(5),
    { results: true, concurrency: 2 },
  );
  const outcomes: Outcome<number, number>[] = [];
  for await (const outcome of group.results()) outcomes.push(outcome);
  outcomes.sort((a, b) => a.index - b.index);
  assertEquals(
    outcomes.map((o) => o.ok ? o.value : o.error.cause instanceof Error),
    [0, 10, 20, true, 40],
  );
  assertEquals(await group.done, {
    id: group.id,
    state: "ended",
    succeeded: 4,
    failed: 1,
    cancelled: 0,
  });
  await pool.close();
});

Deno.test("TaskGroup.results() throws TypeError unless the group was created with { results: true }", async () => {
  const pool = new TaskPool();
  const mapped = pool.map((n: number) => n, [1], { group: "plain" });
  const applied = pool.apply(() => 1, { results: false });
  assertThrows(() => mapped.results(), TypeError, "results: true");
  assertThrows(() => applied.results(), TypeError, "results: true");
  await pool.close();
});

Deno.test("An unread results group pulls a bounded number of inputs from an endless generator", async () => {
  const pool = new TaskPool();
  const concurrency = 4;
  const capacity = concurrency;
  const bound = concurrency * 2 + capacity + 2;
  let pulled = 0;
  function* naturals(): Generator<number> {
    for (let n = 0;; n++) {
      pulled++;
      yield n;
    }
  }
  const group = pool.map((n: number) => Promise.resolve(n), naturals(), {
    concurrency,
    results: true,
  });
  for (let i = 0; i < 20; i++) await tick();
  assert(pulled > 0);
  assertLessOrEqual(pulled, bound);
  const reader = group.results()[Symbol.asyncIterator]();
  for (let read = 1; read <= 50; read++) {
    const next = await reader.next();
    assertFalse(next.done);
    await tick();
    assertLessOrEqual(pulled - read, bound);
  }
  pool.cancel(group.id);
  await pool.close();
});

Deno.test("TaskGroup.results() throws the cancel reason after the outcomes already finished", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>();
  const group = pool.map(workers.task, range(3), {
    results: true,
    concurrency: 3,
  });
  await tick();
  workers.finishOldest();
  await tick();
  pool.cancel(group.id);
  const seen: number[] = [];
  const error = await assertRejects(async () => {
    for await (const outcome of group.results()) {
      if (outcome.ok) seen.push(outcome.value);
    }
  }, DOMException);
  assertEquals(error.name, "AbortError");
  assertEquals(seen, [0]);
  await pool.close();
});

// --- group ids -------------------------------------------------------------

Deno.test("A duplicate group id throws TypeError until the first group is forgotten", async () => {
  const pool = new TaskPool();
  const first = pool.map((n: number) => n, [1], { group: "jobs" });
  assertThrows(
    () => pool.map((n: number) => n, [1], { group: "jobs" }),
    TypeError,
    '"jobs"',
  );
  assertThrows(() => pool.apply(() => 1, { group: "jobs" }), TypeError);
  await first.done;
  assertThrows(() => pool.apply(() => 1, { group: "jobs" }), TypeError);
  await pool.flush();
  const second = pool.apply(() => 1, { group: "jobs" });
  assertStrictEquals(pool.group("jobs"), second);
  await pool.close();
});

Deno.test("TaskPool makes up distinct group ids and rejects an empty one with TypeError", async () => {
  const pool = new TaskPool();
  const named = pool.map((n: number) => n, [1], { group: "map-1" });
  const a = pool.map((n: number) => n, [1]);
  const b = pool.apply(() => 1);
  assertEquals(new Set([named.id, a.id, b.id]).size, 3);
  assertThrows(() => pool.map((n: number) => n, [1], { group: "" }), TypeError);
  await pool.close();
});

// --- onEnd -----------------------------------------------------------------

Deno.test("onEnd is called once per task with its outcome and its group", async () => {
  const pool = new TaskPool({ limit: 2 });
  const calls: [number, boolean, boolean][] = [];
  const group: TaskGroup<number, number> = pool.map(
    (n: number) => {
      if (n % 2 === 1) throw new Error(`odd ${n}`);
      return n;
    },
    range(6),
    {
      concurrency: 3,
      onEnd: (outcome, g) =>
        calls.push([outcome.index, outcome.ok, g === group]),
    },
  );
  assertEquals(await group.done, {
    id: group.id,
    state: "ended",
    succeeded: 3,
    failed: 3,
    cancelled: 0,
  });
  calls.sort((a, b) => a[0] - b[0]);
  assertEquals(calls, range(6).map((i) => [i, i % 2 === 0, true]));
  assertEquals(pool.ended, 6);
  await pool.close();
});

Deno.test("A throwing onEnd fails its group, aborts its other tasks and reports the error without an unhandled rejection", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>();
  const boom = new Error("onEnd broke");
  const group = pool.map(workers.task, range(3), {
    concurrency: 3,
    onEnd: () => {
      throw boom;
    },
  });
  await tick();
  workers.finishOldest();
  for (let i = 0; i < 5 && group.state === "running"; i++) await tick();
  assertEquals(group.state, "failed");
  assert(workers.started.every((w) => w.ctx.signal.aborted));
  assertEquals(workers.running, 0);
  const error = await assertRejects(() => pool.flush(), AggregateError);
  assertEquals(error.errors, [boom]);
  await assertRejects(() => group.done, Error, "onEnd broke");
  await pool.close();
});

// --- error policy ----------------------------------------------------------

Deno.test("TaskPool groups retry failed attempts as their retry policy says", async () => {
  using time = useFakeTime();
  const pool = new TaskPool({ limit: 1 });
  const attempts: number[] = [];
  const outcomes: Outcome<number, string>[] = [];
  const group = pool.apply((ctx) => {
    attempts.push(ctx.attempt);
    if (ctx.attempt < 3) throw new Error("flaky");
    return "ok";
  }, {
    retry: { attempts: 3, delay: "1s", backoff: "constant", jitter: "none" },
    onEnd: (o) => outcomes.push(o),
  });
  await time.tickAsync(0);
  assertEquals(attempts, [1]);
  await time.tickAsync(999);
  assertEquals(attempts, [1]);
  await time.tickAsync(1);
  assertEquals(attempts, [1, 2]);
  await time.tickAsync(1000);
  assertEquals(attempts, [1, 2, 3]);
  assertEquals((await group.done).succeeded, 1);
  const [outcome] = outcomes;
  assert(outcome?.ok);
  assertEquals([outcome.value, outcome.attempts], ["ok", 3]);
  await pool.close();
});

Deno.test("TaskPool groups fail a task at its timeout, abort its signal and free its slot", async () => {
  using time = useFakeTime();
  const pool = new TaskPool({ limit: 1 });
  const workers = new Workers<string>();
  const outcomes: Outcome<string, string>[] = [];
  const group = pool.map(workers.task, ["slow", "next"], {
    timeout: "1s",
    concurrency: 2,
    onEnd: (o) => outcomes.push(o),
  });
  await time.tickAsync(999);
  assertEquals([workers.started.length, pool.pending], [1, 1]);
  const slow = workers.started[0];
  assertFalse(slow?.ctx.signal.aborted);
  await time.tickAsync(1);
  assertInstanceOf(slow?.ctx.signal.reason, DOMException);
  assertEquals(slow.ctx.signal.reason.name, "TimeoutError");
  assertEquals(workers.started.map((w) => w.input), ["slow", "next"]);
  workers.finishAll();
  assertEquals(await group.done, {
    id: group.id,
    state: "ended",
    succeeded: 1,
    failed: 1,
    cancelled: 0,
  });
  const failure = outcomes.find((o) => !o.ok);
  assert(failure !== undefined && !failure.ok);
  assertEquals(failure.input, "slow");
  assertInstanceOf(failure.error.cause, DOMException);
  assertEquals(failure.error.cause.name, "TimeoutError");
  await pool.close();
});

Deno.test("A fail-fast group stops at its first failure: other tasks abort, pending ones never start, other groups go on", async () => {
  const pool = new TaskPool({ limit: 3 });
  const workers = new Workers<number>();
  const others = new Workers<string>();
  const bystander = pool.map(others.task, ["x"]);
  const group = pool.map(workers.task, range(6), {
    concurrency: 6,
    onError: "fail-fast",
  });
  await tick();
  assertEquals([workers.running, pool.pending], [2, 4]);
  const cause = new Error("first failure");
  workers.started[0]?.fail(cause);
  const error = await assertRejects(() => group.done, TaskError);
  assertStrictEquals(error.cause, cause);
  assertEquals(error.index, 0);
  assertEquals(group.state, "failed");
  assert(workers.started[1]?.ctx.signal.aborted);
  await tick();
  assertEquals(workers.started.length, 2);
  assertEquals([pool.running, pool.pending], [1, 0]);
  assertFalse(others.started[0]?.ctx.signal.aborted);
  others.finishAll();
  assertEquals((await bystander.done).state, "ended");
  await assertRejects(() => pool.close(), AggregateError);
});

Deno.test("A group over its error budget fails with ErrorBudgetError", async () => {
  const pool = new TaskPool();
  const group = pool.map(
    (n: number) => {
      throw new Error(`no ${n}`);
    },
    range(5),
    { concurrency: 1, maxFailures: 2 },
  );
  const error = await assertRejects(() => group.done, ErrorBudgetError);
  assertEquals(error.failures, 3);
  // The failure that broke the budget ended too, and is counted.
  assertEquals(group.failed, 3);
  await assertRejects(() => pool.close(), AggregateError);
});

Deno.test("A fail-fast group reports its failing task to onEnd and counts it", async () => {
  const pool = new TaskPool();
  const ended: string[] = [];
  const group = pool.map(
    (n: number) => {
      if (n === 1) throw new Error("boom");
      return n;
    },
    [0, 1, 2],
    {
      concurrency: 1,
      onError: "fail-fast",
      onEnd: (o) => ended.push(o.ok ? `ok ${o.input}` : `failed ${o.input}`),
    },
  );
  await assertRejects(() => group.done, TaskError, "boom");
  assertEquals(ended, ["ok 0", "failed 1"]);
  assertEquals([group.succeeded, group.failed, pool.ended], [1, 1, 2]);
  await assertRejects(() => pool.close(), AggregateError);
});
