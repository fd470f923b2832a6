/**
 * Finished runs are kept for a bounded count and time, so the server's
 * memory does not grow with its uptime; closing the server aborts what
 * still runs and stops every timer. Time is faked where it matters.
 */

import { assertEquals, assertLessOrEqual } from "@std/assert";
import { useFakeTime } from "../_helpers/fake_time.ts";
import {
  type Created,
  errorOf,
  jsonOf,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

interface RunList {
  runs: { id: string; status: string }[];
  active: number;
}

Deno.test("only the newest finished runs are kept, up to the count", async () => {
  await using test = testServer({ limits: { finishedRunsKept: 2 } });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const { id } = await startRun(test, { workflow: "echo", input: [i] });
    await waitFinished(test, id);
    ids.push(id);
  }
  const list = await jsonOf<RunList>(await test.request("/runs"));
  assertEquals(list.runs.map((r) => r.id), [ids[3], ids[2]]);
  assertEquals(
    (await errorOf(await test.request(`/runs/${ids[0]}`), 404)).code,
    "not_found",
  );
  assertEquals((await test.request(`/runs/${ids[1]}/results`)).status, 404);
});

Deno.test("running runs are never forgotten, whatever the count", async () => {
  await using test = testServer({ limits: { finishedRunsKept: 0 } });
  const run: Created = await startRun(test, { workflow: "blocking" });
  const done = await startRun(test, { workflow: "echo", input: [1] });
  for (let i = 0; i < 100; i++) {
    const response = await test.request(`/runs/${done.id}`);
    await response.body?.cancel();
    if (response.status === 404) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const list = await jsonOf<RunList>(await test.request("/runs"));
  assertEquals(list.runs.map((r) => r.id), [run.id]);
  await test.request(run.links.cancel, { method: "POST" });
});

Deno.test("finished runs expire after their time to live", async () => {
  using time = useFakeTime();
  await using test = testServer({ limits: { finishedRunTtl: "1m" } });
  const { id } = await startRun(test, { workflow: "echo", input: [1, 2] });
  for (let i = 0; i < 100; i++) {
    const run = await jsonOf<{ summary: unknown }>(
      await test.request(`/runs/${id}`),
    );
    if (run.summary !== null) break;
    await time.tickAsync(1);
  }
  await time.tickAsync(59_000);
  assertEquals(
    (await jsonOf<RunList>(await test.request("/runs"))).runs.length,
    1,
  );
  await time.tickAsync(1_000);
  assertEquals(
    (await jsonOf<RunList>(await test.request("/runs"))).runs.length,
    0,
  );
  assertEquals(
    (await errorOf(await test.request(`/runs/${id}`), 404)).code,
    "not_found",
  );
  assertEquals(time.countTimers(), 0);
});

Deno.test("many runs leave a bounded number behind", async () => {
  await using test = testServer({
    limits: { finishedRunsKept: 5, maxConcurrentRuns: 50 },
  });
  for (let batch = 0; batch < 10; batch++) {
    const started = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => startRun(test, { workflow: "echo", input: [batch, i] }),
      ),
    );
    await Promise.all(
      started.map((run) => waitFinished(test, run.id).catch(() => {})),
    );
    const list = await jsonOf<RunList>(await test.request("/runs"));
    assertLessOrEqual(list.runs.length, 5 + list.active);
  }
  const list = await jsonOf<RunList>(await test.request("/runs"));
  assertEquals([list.runs.length, list.active], [5, 0]);
});

Deno.test("close() aborts running runs, ends their streams and stops timers", async () => {
  const test = testServer();
  const a = await startRun(test, { workflow: "blocking" });
  const b = await startRun(test, { workflow: "blocking" });
  const results = await test.request(a.links.results); // never read
  await test.server.close();
  for (const run of [a, b]) {
    assertEquals(
      (await errorOf(await test.request(run.links.self), 503)).code,
      "unavailable",
    );
  }
  assertEquals(await results.text(), "");
  await test.server.close(); // twice is fine
});
