// TaskPool's per-task callbacks and the failures that must reach the caller.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import {
  type CancelledTask,
  type Outcome,
  TaskError,
  TaskPool,
  TaskPoolError,
} from "../../mod.ts";
import { range, tick, Workers } from "./_workers.ts";

// --- onCancel and onEnd per task -------------------------------------------

Deno.test("onEnd is called for each cancelled task, after its onCancel, and never for tasks that had not started", async () => {
  const pool = new TaskPool({ limit: 2 });
  const workers = new Workers<number>();
  const events: string[] = [];
  const group = pool.map(workers.task, range(5), {
    concurrency: 5,
    onCancel: (task: CancelledTask<number>) =>
      events.push(`cancel ${task.index} attempt ${task.attempt}`),
    onEnd: (outcome: Outcome<number, number>) =>
      events.push(`end ${outcome.index} ${outcome.ok ? "ok" : "failed"}`),
  });
  await tick();
  workers.finishOldest();
  await tick();
  assertEquals(events, ["end 0 ok"]);
  assertEquals(workers.running, 2);
  group.cancel();
  assertEquals((await group.done).state, "cancelled");
  // Tasks 1 and 2 held the slots; 3 and 4 were waiting and never ran.
  assertEquals(events, [
    "end 0 ok",
    "cancel 1 attempt 1",
    "cancel 2 attempt 1",
    "end 1 failed",
    "end 2 failed",
  ]);
  assertEquals(workers.started.map((w) => w.input), [0, 1, 2]);
  assertEquals(
    [group.succeeded, group.failed, group.cancelled],
    [1, 0, 2],
  );
  assertEquals(pool.ended, 3);
  await pool.close();
});

Deno.test("A cancelled task's onEnd carries the cancel reason as the failure's cause", async () => {
  const pool = new TaskPool();
  const workers = new Workers<string>();
  const outcomes: Outcome<string, string>[] = [];
  const group = pool.map(workers.task, ["a"], {
    onEnd: (o: Outcome<string, string>) => outcomes.push(o),
  });
  await tick();
  const reason = new Error("operator said stop");
  group.cancel(reason);
  await group.done;
  assertEquals(outcomes.length, 1);
  const [outcome] = outcomes;
  assert(outcome !== undefined && !outcome.ok);
  assertEquals([outcome.index, outcome.input, outcome.attempts], [0, "a", 1]);
  assertInstanceOf(outcome.error, TaskError);
  assertStrictEquals(outcome.error.cause, reason);
  // The caller saw the cancel (and asked for it): close() reports nothing.
  await pool.close();
});

Deno.test("A cancelled task that ignores its signal ends later, and onEnd then gets what it returned", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>({ ignoreAbort: true });
  const outcomes: Outcome<number, number>[] = [];
  const cancelled: number[] = [];
  const group = pool.map(workers.task, [7], {
    onCancel: (task: CancelledTask<number>) => cancelled.push(task.input),
    onEnd: (o: Outcome<number, number>) => outcomes.push(o),
  });
  await tick();
  group.cancel();
  assertEquals(cancelled, [7]);
  await tick();
  assertEquals(outcomes, [], "onEnd must wait until the task really ended");
  workers.finishAll();
  await group.done;
  for (let i = 0; i < 3 && outcomes.length === 0; i++) await tick();
  assertEquals(outcomes, [{
    ok: true,
    index: 0,
    input: 7,
    value: 7,
    attempts: 1,
  }]);
  assertEquals([group.succeeded, group.cancelled], [0, 1]);
  await pool.close();
});

Deno.test("onCancel is called once per running task of every group that cancelAll() cancels", async () => {
  const pool = new TaskPool();
  const workers = new Workers<number>();
  const calls: string[] = [];
  for (const id of ["x", "y"]) {
    pool.map(workers.task, range(2), {
      group: id,
      concurrency: 2,
      onCancel: (task: CancelledTask<number>, g) =>
        calls.push(`${g.id}#${task.index}`),
    });
  }
  await tick();
  pool.cancelAll();
  assertEquals(calls.sort(), ["x#0", "x#1", "y#0", "y#1"]);
  await pool.close();
});

// --- failures reach the caller by default ----------------------------------

Deno.test("Under onError continue, a failure nobody looked at makes close() reject with TaskPoolError naming the group and input", async () => {
  const pool = new TaskPool();
  const bad = new Error("row 2 is bad");
  pool.map(
    (n: number) => {
      if (n === 2) throw bad;
      return n;
    },
    [1, 2, 3],
    { group: "rows", onError: "continue" },
  );
  const error = await assertRejects(() => pool.close(), TaskPoolError);
  assertEquals(error.code, "task_failures");
  assertEquals(error.failures, 1);
  assertEquals(
    error.message,
    'Task group "rows": 1 task failed: input 1 (Error: row 2 is bad)',
  );
  assertEquals(error.errors.length, 1);
  const [failure] = error.errors;
  assertInstanceOf(failure, TaskError);
  assertEquals([failure.index, failure.input], [1, 2]);
  assertStrictEquals(failure.cause, bad);
  assertEquals(pool.groups, [], "the group is forgotten all the same");
});

Deno.test("flush() reports the unseen failures of the groups it forgets, and only once", async () => {
  const pool = new TaskPool();
  const group = pool.map((n: number) => {
    throw new Error(`no ${n}`);
  }, [1, 2]);
  await group.done;
  const error = await assertRejects(() => pool.flush(), TaskPoolError);
  assertEquals(error.failures, 2);
  assertEquals(
    error.errors.map((e) => (e as TaskError).index).sort(),
    [0, 1],
  );
  await pool.flush();
  await pool.close();
});

Deno.test("Failures seen by onEnd or by a results() reader are not reported again by close()", async () => {
  const pool = new TaskPool();
  const fail = (n: number): number => {
    throw new Error(`no ${n}`);
  };
  const failures: number[] = [];
  pool.map(fail, [1], { onEnd: (o) => failures.push(o.index) });
  const read = pool.map(fail, [2, 3], { results: true });
  let readFailures = 0;
  for await (const o of read.results()) if (!o.ok) readFailures++;
  await pool.close();
  assertEquals([failures, readFailures], [[0], 2]);
});

Deno.test("TaskPoolError keeps 100 failures in errors, counts the rest and names the first three", async () => {
  const pool = new TaskPool();
  pool.map(
    (n: number) => {
      throw new Error(`no ${n}`);
    },
    range(150),
    { group: "many", concurrency: 16 },
  );
  const error = await assertRejects(() => pool.close(), TaskPoolError);
  assertEquals(error.failures, 150);
  assertEquals(error.errors.length, 100);
  assert(
    /^Task group "many": 150 tasks failed: input \d+ \(Error: no \d+\), input \d+ \(Error: no \d+\), input \d+ \(Error: no \d+\) and 147 more$/
      .test(error.message),
    error.message,
  );
});

Deno.test("close() reports a fail-fast group's error once, and the other groups' unseen failures with it", async () => {
  const pool = new TaskPool();
  const stopped = pool.map(
    (n: number) => {
      throw new Error(`stop at ${n}`);
    },
    [1],
    { group: "strict", onError: "fail-fast" },
  );
  pool.map(
    (n: number) => {
      throw new Error(`lenient ${n}`);
    },
    [5],
    { group: "lenient" },
  );
  await assertRejects(() => stopped.done, TaskError);
  const error = await assertRejects(() => pool.close(), TaskPoolError);
  assertEquals(error.failures, 2);
  assertEquals(
    error.message,
    'Task group "strict": failed with TaskError: Task 0 failed after 1 attempt: Error: stop at 1. ' +
      'Task group "lenient": 1 task failed: input 0 (Error: lenient 5)',
  );
});
