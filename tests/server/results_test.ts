/**
 * `GET /runs/:id/results`: outcomes as JSON lines or CSV, streamed while
 * the run goes on, bounded per run with a clear truncation marker.
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { Channel, defineWorkflow, fromIterable } from "../../mod.ts";
import {
  errorOf,
  fedWorkflow,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

Deno.test("results are JSON lines of successes and failures", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "squares",
    params: { n: 4 },
  });
  await waitFinished(test, id);
  const response = await test.request(links.results);
  assertEquals(
    response.headers.get("content-type"),
    "application/x-ndjson; charset=utf-8",
  );
  assertEquals(response.headers.get("x-results-limit"), "1000");
  const lines = (await response.text()).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const values = lines.filter((l) => l.ok).map((l) => l.value.square).sort();
  assertEquals(values, [0, 1, 4]);
  const [failure] = lines.filter((l) => !l.ok);
  assertEquals(failure, {
    ok: false,
    stage: "square",
    input: 3,
    error: "Error: 3 is unlucky (see squares.ts)",
    attempts: 1,
  });
});

Deno.test("results are CSV with Accept: text/csv or ?format=csv", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "echo",
    input: [{ name: "Ada, L.", n: 1 }, { name: 'say "hi"', n: 2 }, { n: 3 }],
  });
  await waitFinished(test, id);
  const expected = 'ok,stage,error,input,name,n\r\ntrue,,,,"Ada, L.",1\r\n' +
    'true,,,,"say ""hi""",2\r\ntrue,,,,,3\r\n';
  const byAccept = await test.request(links.results, {
    headers: { accept: "text/csv" },
  });
  assertEquals(byAccept.headers.get("content-type"), "text/csv; charset=utf-8");
  assertEquals(await byAccept.text(), expected);
  const byQuery = await test.request(`${links.results}?format=csv`);
  assertEquals(await byQuery.text(), expected);
  const error = await errorOf(
    await test.request(`${links.results}?format=xml`),
    400,
  );
  assertEquals(error.field, "format");
});

/** Labels rows by id; a row marked `bad` fails. */
const labels = defineWorkflow({
  name: "labels",
  source: fromIterable<{ id: number; bad?: boolean }>([]),
  ordered: true,
  pipeline: (rows) =>
    rows.map("label", (row: { id: number; bad?: boolean }) => {
      if (row.bad) throw new Error(`bad row ${row.id}`);
      return { id: row.id, label: `#${row.id}` };
    }, { concurrency: 1 }),
});

Deno.test("CSV results take the value's columns from the first success, even after failures", async () => {
  await using test = testServer({ workflows: { labels } });
  const { id, links } = await startRun(test, {
    workflow: "labels",
    input: [{ id: 1, bad: true }, { id: 2 }, { id: 3, bad: true }, { id: 4 }],
  });
  await waitFinished(test, id);
  const csv = await (await test.request(links.results, {
    headers: { accept: "text/csv" },
  })).text();
  const [header, ...rows] = csv.split("\r\n");
  assertEquals(header, "ok,stage,error,input,id,label");
  // Failures and successes reach the buffer from two sinks: any order.
  assertEquals(rows.sort(), [
    "",
    'false,label,Error: bad row 1,"{""id"":1,""bad"":true}",,',
    'false,label,Error: bad row 3,"{""id"":3,""bad"":true}",,',
    "true,,,,2,#2",
    "true,,,,4,#4",
  ]);
});

Deno.test("CSV results of a run where every item failed have the fixed columns only", async () => {
  await using test = testServer({ workflows: { labels } });
  const { id, links } = await startRun(test, {
    workflow: "labels",
    input: [{ id: 1, bad: true }],
  });
  await waitFinished(test, id);
  const csv = await (await test.request(links.results, {
    headers: { accept: "text/csv" },
  })).text();
  assertEquals(
    csv,
    'ok,stage,error,input\r\nfalse,label,Error: bad row 1,"{""id"":1,""bad"":true}"\r\n',
  );
});

Deno.test("an empty run's CSV is its header", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, { workflow: "echo" });
  await waitFinished(test, id);
  const csv = await test.request(links.results, {
    headers: { accept: "text/csv" },
  });
  assertEquals(await csv.text(), "ok,stage,error,input\r\n");
  assertEquals(await (await test.request(links.results)).text(), "");
});

Deno.test("results beyond the per-run limit end with a truncation marker", async () => {
  await using test = testServer({ limits: { resultsPerRun: 2 } });
  const { id, links } = await startRun(test, {
    workflow: "echo",
    input: [1, 2, 3, 4, 5],
  });
  await waitFinished(test, id);
  const lines = (await (await test.request(links.results)).text()).trim()
    .split("\n").map((l) => JSON.parse(l));
  assertEquals(lines.slice(0, 2), [{ ok: true, value: 1 }, {
    ok: true,
    value: 2,
  }]);
  const marker = lines[2];
  assertEquals([marker.truncated, marker.kept, marker.dropped], [true, 2, 3]);
  assertStringIncludes(marker.message, "the first 2 outcomes");
  const csv = await (await test.request(links.results, {
    headers: { accept: "text/csv" },
  })).text();
  assertEquals(
    csv.split("\r\n").slice(0, 3),
    ["ok,stage,error,input,value", "true,,,,1", "true,,,,2"],
  );
  assertStringIncludes(csv.split("\r\n")[3]!, "truncated,,Results truncated");
});

Deno.test("results stream while the run is still going", async () => {
  const channel = new Channel<number>(10);
  await using test = testServer({ workflows: { fed: fedWorkflow(channel) } });
  try {
    const { id, links } = await startRun(test, { workflow: "fed" });
    const response = await test.request(links.results);
    const reader = response.body!.pipeThrough(new TextDecoderStream())
      .getReader();
    await channel.send(1);
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    assertEquals(text, '{"ok":true,"value":2}\n');
    await channel.send(2);
    channel.close();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assertEquals(text, '{"ok":true,"value":2}\n{"ok":true,"value":4}\n');
    await waitFinished(test, id);
  } finally {
    channel.close();
  }
});

Deno.test("a result stream cancelled by its client frees its slot", async () => {
  const channel = new Channel<number>(10);
  await using test = testServer({
    workflows: { fed: fedWorkflow(channel) },
    limits: { maxEventStreams: 1 },
  });
  try {
    const { links } = await startRun(test, { workflow: "fed" });
    const first = await test.request(links.results);
    assertEquals(
      (await errorOf(await test.request(links.results), 429)).code,
      "too_many_requests",
    );
    await first.body!.cancel();
    const second = await test.request(links.results);
    assertEquals(second.status, 200);
    await second.body!.cancel();
  } finally {
    channel.close();
  }
});
