/**
 * `GET /metrics`: the Prometheus text format, behind the token, with the
 * runs' numbers, which outlive the runs the server forgets.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { jsonOf, startRun, testServer, waitFinished } from "./_helpers.ts";
import { renderPrometheus } from "../../server/metrics.ts";

/** Samples of a Prometheus text body: `name{labels}` to value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

async function scrape(
  test: ReturnType<typeof testServer>,
  headers: HeadersInit = {},
): Promise<Map<string, number>> {
  const response = await test.request("/metrics", { headers });
  assertEquals(response.status, 200);
  assertEquals(
    response.headers.get("content-type"),
    "text/plain; version=0.0.4; charset=utf-8",
  );
  return samples(await response.text());
}

const TOKEN = "a-token-of-16-chars-or-more";

Deno.test("GET /metrics needs the token like every data endpoint", async () => {
  await using test = testServer({ token: TOKEN });
  const refused = await test.request("/metrics");
  assertEquals(refused.status, 401);
  await refused.body?.cancel();
  const metrics = await scrape(test, { authorization: `Bearer ${TOKEN}` });
  assert(metrics instanceof Map);
});

Deno.test("GET /metrics counts items by workflow, stage and outcome, runs by status, and latencies, as the summary does", async () => {
  await using test = testServer();
  const { id } = await startRun(test, {
    workflow: "squares",
    params: { n: 6 },
  });
  const run = await waitFinished(test, id);
  const summary = run.summary as {
    status: string;
    read: number;
    written: number;
    failed: number;
    stages: { name: string; in: number; failed: number; retried: number }[];
  };
  const m = await scrape(test);
  const stage = summary.stages[0]!;
  assertEquals(
    m.get(
      'poolflow_items_total{workflow="squares",stage="square",outcome="failed"}',
    ),
    stage.failed,
  );
  assertEquals(
    m.get(
      'poolflow_items_total{workflow="squares",stage="square",outcome="succeeded"}',
    ),
    stage.in - stage.failed,
  );
  assertEquals(
    m.get('poolflow_retries_total{workflow="squares",stage="square"}'),
    0,
  );
  assertEquals(
    m.get('poolflow_source_items_total{workflow="squares"}'),
    summary.read,
  );
  assertEquals(
    m.get('poolflow_sink_items_total{workflow="squares"}'),
    summary.written,
  );
  assertEquals(
    m.get('poolflow_dead_letters_total{workflow="squares"}'),
    summary.failed,
  );
  assertEquals(
    m.get(`poolflow_runs_total{workflow="squares",status="${summary.status}"}`),
    1,
  );
  assertEquals(m.get('poolflow_runs_active{workflow="squares"}'), 0);
  assertEquals(
    m.get('poolflow_tasks_in_flight{workflow="squares",stage="square"}'),
    0,
  );
  const ok = 'workflow="squares",stage="square",outcome="ok"';
  assertEquals(m.get(`poolflow_task_duration_seconds_count{${ok}}`), 5);
  assertEquals(
    m.get(`poolflow_task_duration_seconds_bucket{${ok},le="+Inf"}`),
    5,
  );
  // Each task sleeps 1 ms at least.
  assertEquals(
    m.get(`poolflow_task_duration_seconds_bucket{${ok},le="0.001"}`),
    0,
  );
  assert(m.get(`poolflow_task_duration_seconds_sum{${ok}}`)! >= 0.005);
  const err = 'workflow="squares",stage="square",outcome="error"';
  assertEquals(m.get(`poolflow_task_duration_seconds_count{${err}}`), 1);
});

Deno.test("GET /metrics shows a live run's tasks in flight and keeps finished totals after the run is forgotten", async () => {
  await using test = testServer({ limits: { finishedRunsKept: 1 } });
  for (let i = 0; i < 3; i++) {
    const { id } = await startRun(test, {
      workflow: "squares",
      params: { n: 4 },
    });
    await waitFinished(test, id);
  }
  const { runs } = await jsonOf<{ runs: unknown[] }>(
    await test.request("/runs"),
  );
  assertEquals(runs.length, 1);
  const live = await startRun(test, { workflow: "blocking" });
  let m = await scrape(test);
  for (let i = 0; i < 200; i++) {
    if (
      m.get('poolflow_tasks_in_flight{workflow="blocking",stage="work"}') === 2
    ) break;
    await new Promise((r) => setTimeout(r, 5));
    m = await scrape(test);
  }
  assertEquals(
    m.get('poolflow_tasks_in_flight{workflow="blocking",stage="work"}'),
    2,
  );
  assertEquals(m.get('poolflow_runs_active{workflow="blocking"}'), 1);
  // Three runs of 4 items, item 3 failing in each.
  assertEquals(
    m.get(
      'poolflow_items_total{workflow="squares",stage="square",outcome="succeeded"}',
    ),
    9,
  );
  assertEquals(
    m.get(
      'poolflow_runs_total{workflow="squares",status="completed-with-failures"}',
    ),
    3,
  );
  await (await test.request(`/runs/${live.id}/cancel`, { method: "POST" })).body
    ?.cancel();
  await waitFinished(test, live.id);
  m = await scrape(test);
  assertEquals(
    m.get('poolflow_runs_total{workflow="blocking",status="aborted"}'),
    1,
  );
});

Deno.test("renderPrometheus escapes label values and gives every family its HELP and TYPE", () => {
  const text = renderPrometheus({
    workflows: [],
    stages: [{
      workflow: 'say "hi"\\\n',
      stage: "s",
      succeeded: 1,
      failed: 0,
      out: 1,
      retried: 0,
      running: 0,
      queued: 0,
    }],
    latencies: [],
  });
  assertMatch(
    text,
    /poolflow_items_total\{workflow="say \\"hi\\"\\\\\\n",stage="s",outcome="succeeded"\} 1\n/,
  );
  const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) =>
    m[1]
  );
  const helps = [...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]);
  assertEquals(helps, families);
  for (const name of families) {
    if (name!.endsWith("_total")) {
      assert(text.includes(`# TYPE ${name} counter`));
    }
  }
});
