/**
 * The run endpoints through `fetch`, no network: starting runs from JSON
 * (params, concurrency, inline input) and from a CSV body, listing and
 * inspecting them, and every way a request can be refused (bad JSON,
 * wrong types, unknown fields and params, unknown workflow or run, a body
 * too large, too many runs, a wrong method or media type).
 */

import {
  assertEquals,
  assertExists,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import {
  type Created,
  errorOf,
  jsonOf,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

interface RunDetail {
  id: string;
  workflow: string;
  status: string;
  input: string;
  params: Record<string, unknown>;
  read: number;
  written: number;
  failed: number;
  stats: { stages: { name: string; concurrency: number }[] };
  summary:
    | { status: string; read: number; written: number; failed: number }
    | null;
  links: Created["links"];
}

Deno.test("POST /runs starts a workflow with params and returns its links", async () => {
  await using test = testServer();
  const response = await test.request("/runs", {
    method: "POST",
    json: { workflow: "squares", params: { n: 6 }, concurrency: 3 },
  });
  const created = await jsonOf<Created & { workflow: string; status: string }>(
    response,
    201,
  );
  assertMatch(created.id, /^[0-9a-f-]{36}$/);
  assertEquals(created.workflow, "squares");
  assertEquals(created.status, "running");
  assertEquals(created.links, {
    self: `/runs/${created.id}`,
    events: `/runs/${created.id}/events`,
    results: `/runs/${created.id}/results`,
    cancel: `/runs/${created.id}/cancel`,
  });
  assertEquals(response.headers.get("location"), created.links.self);
  const run = await waitFinished(test, created.id) as unknown as RunDetail;
  assertEquals(run.status, "completed-with-failures");
  assertEquals(run.params, { n: 6 });
  assertEquals(run.input, "workflow");
  assertEquals([run.read, run.written, run.failed], [6, 5, 1]);
  assertEquals(run.summary?.status, "completed-with-failures");
});

Deno.test("POST /runs takes inline input rows instead of the workflow's source", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "echo",
    input: [{ a: 1 }, "two", [3]],
  });
  const run = await waitFinished(test, id) as unknown as RunDetail;
  assertEquals(run.input, "inline");
  assertEquals(run.written, 3);
  const results = await test.request(links.results);
  assertEquals(
    await results.text(),
    '{"ok":true,"value":{"a":1}}\n{"ok":true,"value":"two"}\n{"ok":true,"value":[3]}\n',
  );
});

Deno.test("POST /runs takes a CSV body with the workflow in the query", async () => {
  await using test = testServer();
  const response = await test.request(
    "/runs?workflow=echo&concurrency=2",
    {
      method: "POST",
      headers: { "content-type": "text/csv; charset=utf-8" },
      body: 'id,name\n1,"Lovelace, Ada"\n2\n3,Grace\n',
    },
  );
  const { id, links } = await jsonOf<Created>(response, 201);
  const run = await waitFinished(test, id) as unknown as RunDetail;
  assertEquals(run.input, "csv");
  // The short row is an invalid record: a failure with its line, not a crash.
  assertEquals([run.read, run.written, run.failed], [3, 2, 1]);
  const lines = (await (await test.request(links.results)).text()).trim()
    .split("\n").map((line) => JSON.parse(line));
  assertEquals(lines.filter((l) => l.ok).map((l) => l.value), [
    { id: "1", name: "Lovelace, Ada" },
    { id: "3", name: "Grace" },
  ]);
  const failure = lines.find((l) => !l.ok);
  assertEquals([failure.stage, failure.line], ["source", 3]);
  assertStringIncludes(failure.error, "request.csv:3: Expected 2 fields");
});

Deno.test("POST /runs with CSV passes param.<name> query values to the workflow", async () => {
  await using test = testServer();
  const response = await test.request("/runs?workflow=squares&param.n=2", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: "x\n",
  });
  const { id } = await jsonOf<Created>(response, 201);
  const run = await waitFinished(test, id) as unknown as RunDetail;
  assertEquals(run.params, { n: "2" });
  assertEquals(run.read, 0); // the (empty) CSV replaces the source
});

Deno.test("POST /runs refuses bad CSV bodies and queries, naming the field", async () => {
  await using test = testServer();
  const csv = (query: string, body: string) =>
    test.request(`/runs${query}`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body,
    });
  let error = await errorOf(await csv("", "a\n1\n"), 400);
  assertEquals(error.field, "workflow");
  error = await errorOf(await csv("?workflow=echo&colour=red", "a\n"), 400);
  assertEquals(error.field, "colour");
  assertStringIncludes(error.message, 'Unknown query parameter "colour"');
  error = await errorOf(await csv("?workflow=echo&workflow=echo", "a\n"), 400);
  assertEquals(error.field, "workflow");
  error = await errorOf(await csv("?workflow=echo&concurrency=0", "a\n"), 400);
  assertEquals(error.field, "concurrency");
  error = await errorOf(await csv("?workflow=echo", "a,a\n1,2\n"), 400);
  assertEquals(error.field, "body");
  assertStringIncludes(error.message, "appears twice");
  error = await errorOf(await csv("?workflow=nope", "a\n"), 404);
  assertEquals(error.field, "workflow");
});

Deno.test("POST /runs refuses more input rows than allowed", async () => {
  await using test = testServer({ limits: { maxInputRows: 2 } });
  let error = await errorOf(
    await test.request("/runs", {
      method: "POST",
      json: { workflow: "echo", input: [1, 2, 3] },
    }),
    400,
  );
  assertEquals(error.field, "input");
  error = await errorOf(
    await test.request("/runs?workflow=echo", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "a\n1\n2\n3\n",
    }),
    400,
  );
  assertEquals(error.field, "body");
});

Deno.test("POST /runs answers 400 to bad JSON, wrong types and unknown fields", async () => {
  await using test = testServer();
  const post = (body: string) =>
    test.request("/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
  let error = await errorOf(await post("{not json"), 400);
  assertEquals([error.code, error.field], ["invalid_json", "body"]);
  const cases: [unknown, string, string][] = [
    [[1, 2], "body", "expected a JSON object"],
    [{}, "workflow", "Invalid workflow"],
    [{ workflow: 7 }, "workflow", "got 7"],
    [
      { workflow: "squares", colour: "red" },
      "colour",
      'Unknown field "colour"',
    ],
    [{ workflow: "squares", params: [] }, "params", "expected an object"],
    [
      { workflow: "squares", params: { n: { deep: 1 } } },
      "params.n",
      "expected a string, number or boolean",
    ],
    [
      { workflow: "squares", concurrency: 0 },
      "concurrency",
      "expected an integer from 1 to 1000",
    ],
    [{ workflow: "squares", concurrency: 1.5 }, "concurrency", "got 1.5"],
    [{ workflow: "squares", concurrency: "4" }, "concurrency", 'got "4"'],
    [{ workflow: "squares", input: "rows" }, "input", "expected an array"],
    // Checked against the workflow's declaration by the planner.
    [
      { workflow: "squares", params: { m: 1 } },
      "params.m",
      'Unknown param "m"',
    ],
    [
      { workflow: "squares", params: { n: "many" } },
      "params.n",
      'expected a number, got "many"',
    ],
  ];
  for (const [body, field, message] of cases) {
    error = await errorOf(await post(JSON.stringify(body)), 400);
    assertEquals(error.code, "bad_request");
    assertEquals(error.field, field, JSON.stringify(body));
    assertStringIncludes(error.message, message);
  }
  error = await errorOf(
    await test.request("/runs?workflow=squares", {
      method: "POST",
      json: { workflow: "squares" },
    }),
    400,
  );
  assertEquals(error.field, "workflow");
});

Deno.test("POST /runs answers 415 to a body that is neither JSON nor CSV", async () => {
  await using test = testServer();
  const error = await errorOf(
    await test.request("/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "workflow=squares",
    }),
    415,
  );
  assertEquals(error.code, "unsupported_media_type");
});

Deno.test("POST /runs answers 404 to an unknown workflow", async () => {
  await using test = testServer();
  const error = await errorOf(
    await test.request("/runs", {
      method: "POST",
      json: { workflow: "rm-rf" },
    }),
    404,
  );
  assertEquals([error.code, error.field], ["not_found", "workflow"]);
  assertStringIncludes(error.message, "GET /workflows");
});

Deno.test("POST /runs answers 413 to a body over the limit, declared or streamed", async () => {
  await using test = testServer({ limits: { maxBodyBytes: 64 } });
  const big = JSON.stringify({ workflow: "echo", input: ["x".repeat(100)] });
  let error = await errorOf(
    await test.request("/runs", { method: "POST", json: JSON.parse(big) }),
    413,
  );
  assertEquals([error.code, error.field], ["payload_too_large", "body"]);
  // Without a Content-Length, the body is counted as it streams.
  const stream = new Blob([big]).stream();
  error = await errorOf(
    await test.request("/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
    }),
    413,
  );
  assertEquals(error.code, "payload_too_large");
});

Deno.test("POST /runs answers 429 with Retry-After when too many runs are going", async () => {
  await using test = testServer({ limits: { maxConcurrentRuns: 2 } });
  const first = await startRun(test, { workflow: "blocking" });
  const second = await startRun(test, { workflow: "blocking" });
  const refused = await test.request("/runs", {
    method: "POST",
    json: { workflow: "blocking" },
  });
  assertEquals(refused.headers.get("retry-after"), "1");
  const error = await errorOf(refused, 429);
  assertEquals(error.code, "too_many_requests");
  // A finished run frees its place.
  await jsonOf(await test.request(first.links.cancel, { method: "POST" }), 202);
  await waitFinished(test, first.id);
  const third = await startRun(test, { workflow: "blocking" });
  for (const run of [second, third]) {
    await test.request(run.links.cancel, { method: "POST" });
  }
});

Deno.test("GET /runs lists runs newest first; GET /runs/:id shows stats", async () => {
  await using test = testServer();
  const a = await startRun(test, { workflow: "squares", params: { n: 2 } });
  await waitFinished(test, a.id);
  const b = await startRun(test, { workflow: "blocking" });
  const list = await jsonOf<{
    runs: { id: string; status: string; links: Created["links"] }[];
    active: number;
    maxConcurrentRuns: number;
  }>(await test.request("/runs"));
  assertEquals(list.runs.map((r) => r.id), [b.id, a.id]);
  assertEquals(list.runs.map((r) => r.status), ["running", "succeeded"]);
  assertEquals([list.active, list.maxConcurrentRuns], [1, 8]);
  const run = await jsonOf<RunDetail>(await test.request(b.links.self));
  assertEquals(run.status, "running");
  assertEquals(run.summary, null);
  assertEquals(run.stats.stages.map((s) => s.name), ["work", "batch-2"]);
  assertEquals(run.stats.stages[0]?.concurrency, 2);
  await test.request(b.links.cancel, { method: "POST" });
});

Deno.test("unknown runs and endpoints answer 404, wrong methods 405", async () => {
  await using test = testServer();
  for (
    const path of [
      "/runs/nope",
      "/runs/nope/events",
      "/runs/nope/results",
    ]
  ) {
    const error = await errorOf(await test.request(path), 404);
    assertEquals(error.code, "not_found");
    assertStringIncludes(error.message, 'No run "nope"');
  }
  let error = await errorOf(
    await test.request("/runs/nope/cancel", { method: "POST" }),
    404,
  );
  assertEquals(error.code, "not_found");
  error = await errorOf(
    await test.request("/runs/nope", {
      method: "PATCH",
      json: { concurrency: { a: 1 } },
    }),
    404,
  );
  assertEquals(error.code, "not_found");
  error = await errorOf(await test.request("/nothing/here"), 404);
  assertEquals(error.code, "not_found");
  const wrong = await test.request("/runs", { method: "DELETE" });
  assertEquals(wrong.headers.get("allow"), "GET, POST");
  error = await errorOf(wrong, 405);
  assertEquals(error.code, "method_not_allowed");
});

Deno.test("responses carry a request id and no caching", async () => {
  await using test = testServer();
  const response = await test.request("/runs");
  assertExists(response.headers.get("x-request-id"));
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(response.headers.get("x-content-type-options"), "nosniff");
  await response.body?.cancel();
});

Deno.test("a __proto__ key is a field like any other, never a prototype", async () => {
  await using test = testServer();
  const post = (body: string) =>
    test.request("/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
  let error = await errorOf(
    await post('{"workflow":"squares","params":{"__proto__":"x"}}'),
    400,
  );
  assertEquals(error.field, "params.__proto__");
  error = await errorOf(
    await post('{"workflow":"squares","__proto__":{}}'),
    400,
  );
  assertEquals(error.field, "__proto__");
});
