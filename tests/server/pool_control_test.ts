/**
 * The pool control surface: who may call it, what a request can start (only
 * registered functions, with no arguments), and list, resize, cancel, lock
 * and the start/stop of registered SimpleTaskPools, all in-process with
 * app.request().
 */

import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { SimpleTaskPool, type TaskContext, TaskPool } from "../../mod.ts";
import {
  type ClientInfo,
  poolControl,
  type PoolControlOptions,
} from "../../server.ts";
import { tick } from "../pool/_workers.ts";

const TOKEN = "control-token-0123456789";

/** A function that runs until its signal aborts, recording its contexts. */
function waiter(started: TaskContext[]) {
  return (ctx: TaskContext): Promise<void> =>
    new Promise((resolve) => {
      started.push(ctx);
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
}

interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any -- the body of a JSON answer, read by the tests
  body: any;
  headers: Headers;
}

function controller(options: Partial<PoolControlOptions> & { pool: TaskPool }) {
  const app = poolControl({ token: TOKEN, log: () => {}, ...options });
  return async (
    method: string,
    path: string,
    body?: unknown,
    init: { headers?: Record<string, string>; env?: ClientInfo } = {},
  ): Promise<Answer> => {
    const response = await app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }, init.env);
    return {
      status: response.status,
      body: await response.json(),
      headers: response.headers,
    };
  };
}

Deno.test("pool control: every endpoint requires the bearer token", async () => {
  const pool = new TaskPool();
  const app = poolControl({ pool, token: TOKEN, log: () => {} });
  const endpoints: [string, string][] = [
    ["GET", "/pool"],
    ["PATCH", "/pool"],
    ["POST", "/pool/lock"],
    ["GET", "/groups"],
    ["POST", "/groups"],
    ["PATCH", "/groups/x"],
    ["POST", "/groups/x/cancel"],
    ["GET", "/workers"],
    ["POST", "/workers/x/start"],
    ["POST", "/workers/x/stop"],
    ["GET", "/nothing/here"],
  ];
  for (const [method, path] of endpoints) {
    const missing = await app.request(path, { method });
    assertEquals(missing.status, 401, `${method} ${path}`);
    assertEquals((await missing.json()).error.code, "unauthorized");
    const wrong = await app.request(path, {
      method,
      headers: { authorization: "Bearer control-token-0123456788" },
    });
    assertEquals(wrong.status, 401, `${method} ${path}`);
    await wrong.body?.cancel();
  }
  assertFalse(pool.locked, "a refused request changes nothing");
  const right = await app.request("/pool", {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assertEquals(right.status, 200);
  await right.body?.cancel();
  await pool.close();
});

Deno.test("pool control without a token answers loopback clients only", async () => {
  const pool = new TaskPool();
  const app = poolControl({ pool, log: () => {} });
  const remote: ClientInfo = {
    remoteAddr: { transport: "tcp", hostname: "10.0.0.2" },
  };
  const local: ClientInfo = {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1" },
  };
  const refused = await app.request("/pool", {}, remote);
  assertEquals(refused.status, 403);
  assertEquals((await refused.json()).error.code, "forbidden");
  const allowed = await app.request("/pool", {}, local);
  assertEquals(allowed.status, 200);
  await allowed.body?.cancel();
  await pool.close();
});

Deno.test("poolControl() rejects a short token and a bad maxCount", () => {
  const pool = new TaskPool();
  assertThrows(
    () => poolControl({ pool, token: "short" }),
    TypeError,
    "Invalid token",
  );
  assertThrows(
    () => poolControl({ pool, maxCount: 0 }),
    TypeError,
    "Invalid maxCount",
  );
});

Deno.test("GET /pool shows the limit, counts, registered functions and groups", async () => {
  const pool = new TaskPool();
  const call = controller({ pool, functions: { a: () => 1, b: () => 2 } });
  const { status, body } = await call("GET", "/pool");
  assertEquals(status, 200);
  assertEquals(body, {
    limit: null,
    running: 0,
    pending: 0,
    ended: 0,
    isFull: false,
    locked: false,
    closed: false,
    functions: ["a", "b"],
    groups: [],
  });
  await pool.close();
});

Deno.test("POST /groups starts a registered function num times and the group shows in GET /groups", async () => {
  const pool = new TaskPool({ limit: 10 });
  const started: TaskContext[] = [];
  const call = controller({ pool, functions: { wait: waiter(started) } });
  const answer = await call("POST", "/groups", {
    function: "wait",
    num: 3,
    group: "waiters",
  });
  assertEquals(answer.status, 201);
  assertEquals(answer.headers.get("location"), "/groups/waiters");
  assertEquals([answer.body.id, answer.body.state], ["waiters", "running"]);
  await tick();
  assertEquals(started.length, 3);
  const listed = await call("GET", "/groups");
  assertEquals(listed.body.groups.length, 1);
  assertEquals(listed.body.groups[0].running, 3);
  const one = await call("GET", "/groups/waiters");
  assertEquals(one.body.concurrency, 3);
  const unnamed = await call("POST", "/groups", { function: "wait" });
  assertEquals(unnamed.status, 201);
  assert(typeof unnamed.body.id === "string" && unnamed.body.id !== "");
  pool.cancelAll();
  await pool.close();
});

Deno.test("POST /groups refuses unknown functions, arguments, code and oversized counts", async () => {
  const pool = new TaskPool();
  let calls = 0;
  const call = controller({
    pool,
    maxCount: 50,
    functions: { ping: () => calls++ },
  });
  const unknown = await call("POST", "/groups", { function: "eval" });
  assertEquals(unknown.status, 404);
  assertEquals(unknown.body.error, {
    code: "not_found",
    message: 'Unknown function "eval": registered are "ping"',
    field: "function",
  });
  const missing = await call("POST", "/groups", {});
  assertEquals([missing.status, missing.body.error.field], [400, "function"]);
  for (const extra of ["args", "code", "module"]) {
    const refused = await call("POST", "/groups", {
      function: "ping",
      [extra]: ["Deno.exit(1)"],
    });
    assertEquals(refused.status, 400, extra);
    assertEquals(
      refused.body.error.message,
      `Unknown field "${extra}": allowed are function, num, group`,
    );
  }
  const tooMany = await call("POST", "/groups", { function: "ping", num: 51 });
  assertEquals(tooMany.status, 400);
  assertEquals(
    tooMany.body.error.message,
    "Invalid num: expected an integer from 1 to 50, got 51",
  );
  const badJson = await poolControl({ pool, token: TOKEN }).request(
    "/groups",
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        "content-type": "text/plain",
      },
      body: "function=ping",
    },
  );
  assertEquals(badJson.status, 415);
  await badJson.body?.cancel();
  await pool.close();
  assertEquals(calls, 0, "no refused request ran anything");
  assertEquals(pool.ended, 0);
});

Deno.test("POST /groups answers 409 for a group id in use and while the pool is locked", async () => {
  const pool = new TaskPool();
  const started: TaskContext[] = [];
  const call = controller({ pool, functions: { wait: waiter(started) } });
  assertEquals(
    (await call("POST", "/groups", { function: "wait", group: "g" })).status,
    201,
  );
  const taken = await call("POST", "/groups", { function: "wait", group: "g" });
  assertEquals(taken.status, 409);
  assertEquals(taken.body.error.field, "group");
  const locked = await call("POST", "/pool/lock");
  assertEquals(locked.body.locked, true);
  const refused = await call("POST", "/groups", { function: "wait" });
  assertEquals(refused.status, 409);
  assertEquals(refused.body.error.code, "conflict");
  assertEquals(
    refused.body.error.message,
    "Cannot start a task group: the pool is locked; call unlock() to allow new work",
  );
  assertEquals((await call("POST", "/pool/unlock")).body.locked, false);
  assertEquals(
    (await call("POST", "/groups", { function: "wait" })).status,
    201,
  );
  pool.cancelAll();
  await pool.close();
});

Deno.test("PATCH /pool resizes the pool and PATCH /groups/:id resizes a group", async () => {
  const pool = new TaskPool({ limit: 1 });
  const started: TaskContext[] = [];
  const call = controller({ pool, functions: { wait: waiter(started) } });
  await call("POST", "/groups", { function: "wait", num: 4, group: "g" });
  await tick();
  assertEquals([pool.running, pool.pending], [1, 3]);
  const grown = await call("PATCH", "/pool", { limit: 3 });
  assertEquals([grown.status, grown.body.limit], [200, 3]);
  await tick();
  assertEquals(started.length, 3);
  const shrunk = await call("PATCH", "/groups/g", { concurrency: 1 });
  assertEquals([shrunk.status, shrunk.body.concurrency], [200, 1]);
  const bad = await call("PATCH", "/pool", { limit: -1 });
  assertEquals([bad.status, bad.body.error.field], [400, "limit"]);
  const unknown = await call("PATCH", "/groups/nope", { concurrency: 2 });
  assertEquals(unknown.status, 404);
  assertEquals(
    unknown.body.error.message,
    'Unknown group "nope": see GET /groups for the pool\'s groups',
  );
  pool.cancelAll();
  await pool.close();
});

Deno.test("POST /groups/:id/cancel cancels the group's tasks, and a second cancel is a 409", async () => {
  const pool = new TaskPool();
  const started: TaskContext[] = [];
  const call = controller({ pool, functions: { wait: waiter(started) } });
  await call("POST", "/groups", { function: "wait", num: 2, group: "g" });
  await tick();
  const cancelled = await call("POST", "/groups/g/cancel");
  assertEquals([cancelled.status, cancelled.body.state], [202, "cancelled"]);
  assert(started.every((ctx) => ctx.signal.aborted));
  const again = await call("POST", "/groups/g/cancel");
  assertEquals(again.status, 409);
  assertEquals(
    again.body.error.message,
    'Cannot cancel group "g": it is cancelled',
  );
  const resize = await call("PATCH", "/groups/g", { concurrency: 3 });
  assertEquals(resize.status, 409);
  await pool.close();
});

Deno.test("/workers/:name starts and stops the tasks of a registered SimpleTaskPool, last in first out", async () => {
  const pool = new TaskPool();
  const started: TaskContext[] = [];
  const crawler = new SimpleTaskPool(waiter(started));
  const call = controller({ pool, workers: { crawler } });
  const up = await call("POST", "/workers/crawler/start", { n: 3 });
  assertEquals(up.status, 200);
  assertEquals(up.body.started, [0, 1, 2]);
  assertEquals([up.body.workers.running, up.body.workers.limit], [3, null]);
  await tick();
  const down = await call("POST", "/workers/crawler/stop", { k: 2 });
  assertEquals(down.body.stopped, [
    { id: 2, wasRunning: true },
    { id: 1, wasRunning: true },
  ]);
  assertEquals(down.body.workers.ids, [0]);
  const tooMany = await call("POST", "/workers/crawler/stop", { k: 2 });
  assertEquals(tooMany.status, 409);
  assertEquals(
    tooMany.body.error.message,
    'Cannot stop 2 tasks of "crawler": only 1 are running or waiting',
  );
  const limited = await call("PATCH", "/workers/crawler", { limit: 5 });
  assertEquals(limited.body.limit, 5);
  const all = await call("POST", "/workers/crawler/stop", { all: true });
  assertEquals(all.body.stopped, [{ id: 0, wasRunning: true }]);
  const listed = await call("GET", "/workers");
  assertEquals(listed.body.workers[0].name, "crawler");
  assertEquals(listed.body.workers[0].running, 0);
  const unknown = await call("POST", "/workers/other/start", {});
  assertEquals(unknown.status, 404);
  assertEquals(
    unknown.body.error.message,
    'Unknown workers "other": registered are "crawler"',
  );
  const locked = new SimpleTaskPool(() => 1);
  locked.lock();
  const lockedCall = controller({ pool, workers: { locked } });
  const refused = await lockedCall("POST", "/workers/locked/start", {});
  assertEquals(refused.status, 409);
  await crawler.close();
  await locked.close();
  await pool.close();
  assert(started.every((ctx) => ctx.signal.aborted));
});
