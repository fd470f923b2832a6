/**
 * The run page's routes: the page itself (no data, no token needed) and
 * its data, `GET /runs/:id/dashboard` and `GET /runs/:id/failures`
 * (behind the token, validated, paged).
 */

import { assert, assertEquals } from "@std/assert";
import { defineWorkflow, fromIterable } from "../../mod.ts";
import type { FailurePage, RunPageBody } from "../../server/run_page_routes.ts";
import {
  errorOf,
  jsonOf,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

const HOSTILE = `<script>alert("pwned")</script><img src=x onerror=alert(1)>`;

/** 25 items; the odd ones fail with a message full of markup. */
const hostile = defineWorkflow({
  name: "hostile",
  source: fromIterable(Array.from({ length: 25 }, (_, i) => i)),
  errors: { onError: "continue" },
  pipeline: (rows) =>
    rows.map("judge", (n: number) => {
      if (n % 2 === 1) throw new Error(`${HOSTILE} #${n}`);
      return n;
    }),
});

Deno.test("the run page is served without a token and holds no run data", async () => {
  await using test = testServer({ token: "page-token-0123456789" });
  const response = await test.request("/dashboard/runs/anything");
  assertEquals(response.status, 200);
  assertEquals(
    response.headers.get("content-type"),
    "text/html; charset=utf-8",
  );
  assert(
    response.headers.get("content-security-policy")?.includes(
      "script-src 'self'",
    ),
  );
  const html = await response.text();
  assert(html.includes('<script src="/run_page.js" defer>'));
  assert(!html.includes("anything"), "the id is read by the script");
  for (const file of ["/run_page.js", "/charts.js", "/run_page.css"]) {
    assertEquals((await test.request(file)).status, 200, file);
  }
  // The data is not served without the token.
  await errorOf(await test.request("/runs/x/dashboard"), 401);
  await errorOf(await test.request("/runs/x/failures"), 401);
});

Deno.test("GET /runs/:id/dashboard has the run's stages, latencies and throughput", async () => {
  await using test = testServer();
  const { id } = await startRun(test, {
    workflow: "squares",
    params: { n: 6 },
  });
  await waitFinished(test, id);
  const page = await jsonOf<RunPageBody>(
    await test.request(`/runs/${id}/dashboard`),
  );
  assertEquals(page.status, "completed-with-failures");
  assertEquals(page.workflow, "squares");
  assertEquals(page.stats.stages.map((s) => [s.name, s.running, s.queued]), [
    ["square", 0, 0],
  ]);
  const latency = page.latency[0]!;
  assertEquals([latency.stage, latency.count, latency.errors], [
    "square",
    6,
    1,
  ]);
  assert(latency.p50 > 0 && latency.p50 <= latency.p90);
  assert(latency.p90 <= latency.p99 && latency.p99 <= latency.max);
  assertEquals(latency.counts.length, latency.boundsMs.length + 1);
  assertEquals(latency.counts.reduce((a, b) => a + b, 0), 6);
  const last = page.series.points.at(-1)!;
  assertEquals([last.written, last.failed], [5, 1]);
  assertEquals(page.failuresKept, 1);
  assertEquals(page.links.failures, `/runs/${id}/failures`);
});

Deno.test("GET /runs/:id/failures pages through the failures, errors as sent", async () => {
  await using test = testServer({ workflows: { hostile } });
  const { id } = await startRun(test, { workflow: "hostile" });
  await waitFinished(test, id);
  const first = await jsonOf<FailurePage>(
    await test.request(`/runs/${id}/failures?limit=5`),
  );
  assertEquals([first.total, first.offset, first.limit, first.dropped], [
    12,
    0,
    5,
    0,
  ]);
  assertEquals(first.failures.map((f) => f.input), [1, 3, 5, 7, 9]);
  assertEquals(first.failures[0]!.error, `Error: ${HOSTILE} #1`);
  assertEquals(first.failures[0]!.stage, "judge");
  const last = await jsonOf<FailurePage>(
    await test.request(`/runs/${id}/failures?offset=10&limit=5`),
  );
  assertEquals(last.failures.map((f) => f.input), [21, 23]);
  const beyond = await jsonOf<FailurePage>(
    await test.request(`/runs/${id}/failures?offset=50`),
  );
  assertEquals([beyond.failures.length, beyond.total, beyond.limit], [
    0,
    12,
    20,
  ]);
});

Deno.test("GET /runs/:id/failures refuses a bad offset or limit, naming it", async () => {
  await using test = testServer();
  const { id } = await startRun(test, {
    workflow: "squares",
    params: { n: 2 },
  });
  await waitFinished(test, id);
  for (
    const [query, field] of [
      ["offset=-1", "offset"],
      ["offset=1.5", "offset"],
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=ten", "limit"],
    ]
  ) {
    const error = await errorOf(
      await test.request(`/runs/${id}/failures?${query}`),
      400,
    );
    assertEquals([error.code, error.field], ["bad_request", field], query);
  }
  await errorOf(await test.request("/runs/nope/failures"), 404);
  await errorOf(await test.request("/runs/nope/dashboard"), 404);
  const wrong = await test.request(`/runs/${id}/dashboard`, {
    method: "POST",
  });
  assertEquals(wrong.headers.get("allow"), "GET");
  await errorOf(wrong, 405);
});
