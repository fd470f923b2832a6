/**
 * Failures never leak: an unexpected error is a generic 500 with a request
 * id (the detail goes to the log), file paths are taken out of the
 * messages runs report, and the parts that bound memory (event log,
 * notifier, result buffer, limits) behave as their contracts say.
 */

import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { fromIterable } from "../../mod.ts";
import { WORKFLOW } from "../../lib/workflow/define.ts";
import { redactPaths } from "../../server/errors.ts";
import { EventLog } from "../../server/event_log.ts";
import { resolveLimits } from "../../server/limits.ts";
import { Notifier } from "../../server/notifier.ts";
import { ResultBuffer } from "../../server/results.ts";
import { errorOf, testServer } from "./_helpers.ts";

Deno.test("an unexpected error is a 500 with a request id; the detail is only logged", async () => {
  const broken = {
    [WORKFLOW]: true as const,
    name: "broken",
    source: fromIterable([1]),
    get params(): never {
      throw new Error("secret at /srv/poolflow/flows/broken.ts:12");
    },
  };
  await using test = testServer({ workflows: { broken } });
  const response = await test.request("/workflows");
  const requestId = response.headers.get("x-request-id");
  const error = await errorOf(response, 500);
  assertEquals(error.code, "internal");
  assertEquals(error.requestId, requestId);
  assert(!error.message.includes("secret") && !error.message.includes("/srv"));
  assert(!JSON.stringify(error).includes("at "));
  assertEquals(test.logged.length, 1);
  assertEquals(test.logged[0]!.requestId, requestId);
  assertMatch(String(test.logged[0]!.error), /secret/);
});

Deno.test("redactPaths keeps file names and URLs, drops directories", () => {
  const cases: [string, string][] = [
    [
      'Cannot read "/srv/data/in.csv": not found',
      'Cannot read "in.csv": not found',
    ],
    ["at file:///home/ada/flows/etl.ts:3:7", "at etl.ts:3:7"],
    ["C:\\Users\\ada\\flows\\etl.ts failed", "etl.ts failed"],
    [
      "GET https://api.example.com/users/3 gave 404",
      "GET https://api.example.com/users/3 gave 404",
    ],
    ["ratio 3/4 and a/b", "ratio 3/4 and a/b"],
    ["plain message", "plain message"],
  ];
  for (const [text, expected] of cases) {
    assertEquals(redactPaths(text), expected);
  }
});

Deno.test("EventLog numbers events, keeps a bounded buffer and coalesces progress", () => {
  const log = new EventLog(3);
  const resized = (to: number) =>
    ({ type: "stage-resized", stage: "s", from: to - 1, to }) as const;
  const lagged = { type: "lagged", dropped: 0 } as const;
  log.push(resized(1));
  log.push({ type: "progress", stats: {} as never });
  log.push({ type: "progress", stats: {} as never });
  assertEquals(log.since(0).events.map((e) => [e.id, e.type]), [
    [1, "stage-resized"],
    [3, "progress"],
  ]);
  assertEquals(log.since(0).missed, 0);
  log.push(resized(2));
  log.push(lagged);
  assertEquals(log.since(0).events.map((e) => e.id), [3, 4, 5]);
  assertEquals(log.since(0).missed, 1);
  assertEquals(log.since(1).missed, 0);
  assertEquals(log.since(4).events.map((e) => e.id), [5]);
  assertEquals(log.lastId, 5);
  log.push({ type: "run-finished", summary: {} as never });
  assert(log.finished);
  log.push(resized(3)); // ignored after the end
  assertEquals(log.lastId, 6);
});

Deno.test("Notifier wakes waiters and leaves nothing behind on abort or timeout", async () => {
  const changes = new Notifier();
  const controller = new AbortController();
  const aborted = changes.wait(controller.signal);
  const timed = changes.wait(undefined, 1);
  assertEquals(changes.waiting, 2);
  controller.abort();
  assertEquals(await aborted, "aborted");
  assertEquals(await timed, "timeout");
  assertEquals(changes.waiting, 0);
  assertEquals(await changes.wait(controller.signal), "aborted");
});

Deno.test("ResultBuffer keeps the first outcomes, counts the rest, stops at the end", async () => {
  const results = new ResultBuffer(1);
  const { signal } = new AbortController();
  const writer = await results.teeDeadLetters(undefined).open({ signal });
  await writer.write({
    stage: "s",
    input: 1,
    error: "at /a/b/c.ts",
    attempts: 2,
  });
  await writer.write({ stage: "s", input: 2, error: "x", attempts: 1 });
  await writer.close();
  assertEquals(results.records, [
    { ok: false, stage: "s", input: 1, error: "at c.ts", attempts: 2 },
  ]);
  assertEquals(results.dropped, 1);
  results.finish();
  results.add({ ok: true, value: 3 });
  assertEquals([results.records.length, results.dropped], [1, 1]);
});

Deno.test("ResultBuffer's tee passes items on to the workflow's own sink", async () => {
  const results = new ResultBuffer(10);
  const seen: unknown[] = [];
  let closed = false;
  const sink = results.tee({
    kind: "test",
    location: "/srv/out.jsonl",
    open: () =>
      Promise.resolve({
        write: (item: unknown) => {
          seen.push(item);
        },
        close: () => {
          closed = true;
          return Promise.resolve();
        },
      }),
  });
  assertEquals([sink.kind, sink.location], ["test", "/srv/out.jsonl"]);
  const writer = await sink.open({ signal: new AbortController().signal });
  await writer.write("a");
  await writer.close();
  assertEquals(seen, ["a"]);
  assertEquals(results.records, [{ ok: true, value: "a" }]);
  assert(closed);
});

Deno.test("resolveLimits applies defaults and names bad limits", () => {
  const limits = resolveLimits();
  assertEquals(limits.maxConcurrentRuns, 8);
  assertEquals(limits.finishedRunTtlMs, 3_600_000);
  assertThrows(
    () => resolveLimits({ maxConcurrentRuns: 0 }),
    RangeError,
    "limits.maxConcurrentRuns",
  );
  assertThrows(
    () => resolveLimits({ finishedRunTtl: "soon" as never }),
    RangeError,
    "limits.finishedRunTtl",
  );
  assertThrows(
    () => resolveLimits({ maxRuns: 3 } as never),
    TypeError,
    'Unknown limit "maxRuns"',
  );
  assertThrows(
    () => testServer({ progressInterval: 1 }),
    RangeError,
    "at least 10ms",
  );
});
