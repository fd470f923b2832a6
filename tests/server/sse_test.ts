/**
 * `GET /runs/:id/events`: the server-sent event framing (`event:`,
 * `data:`, `id:` lines), resuming with `Last-Event-ID` from the replay
 * buffer, coalesced progress, a `lagged` notice past the buffer, 204 once
 * everything was sent, keep-alive comments, a client leaving ending only
 * its own stream, and the cap on open streams.
 */

import { assert, assertEquals, assertGreater } from "@std/assert";
import { Channel } from "../../mod.ts";
import {
  errorOf,
  eventually,
  fedWorkflow,
  readSse,
  startRun,
  testServer,
  waitFinished,
} from "./_helpers.ts";

Deno.test("events are framed with event:, data: and increasing id: lines", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "squares",
    params: { n: 4 },
  });
  const response = await test.request(links.events);
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "text/event-stream");
  assertEquals(response.headers.get("cache-control"), "no-cache");
  const frames = await readSse(response);
  const types = frames.map((f) => f.event);
  assertEquals(types[0], "run-started");
  assertEquals(types.at(-1), "run-finished");
  assert(types.includes("item-failed"));
  for (const frame of frames) {
    assertEquals(frame.lines.length, 3, frame.lines.join("\n"));
    assert(frame.lines.some((line) => /^event: [a-z-]+$/.test(line)));
    assert(frame.lines.some((line) => /^data: \{.*\}$/.test(line)));
    assert(frame.lines.some((line) => /^id: \d+$/.test(line)));
    assertEquals(JSON.parse(frame.data).type, frame.event);
  }
  const ids = frames.map((f) => Number(f.id));
  assertEquals(ids, [...ids].sort((a, b) => a - b));
  assertEquals(new Set(ids).size, ids.length);
  const started = JSON.parse(frames[0]!.data);
  assertEquals([started.runId, started.workflow, started.stages], [
    id,
    "squares",
    ["square"],
  ]);
  const failed = JSON.parse(
    frames.find((f) => f.event === "item-failed")!.data,
  );
  // File paths are taken out of error messages.
  assertEquals(failed.error, "Error: 3 is unlucky (see squares.ts)");
  const finished = JSON.parse(frames.at(-1)!.data);
  assertEquals(finished.summary.status, "completed-with-failures");
});

Deno.test("a client resumes with Last-Event-ID, and gets 204 once it has everything", async () => {
  await using test = testServer();
  const { id, links } = await startRun(test, {
    workflow: "squares",
    params: { n: 4 },
  });
  await waitFinished(test, id);
  const all = await readSse(await test.request(links.events));
  const lastId = all.at(-1)!.id!;
  const middle = all[1]!.id!;
  const resumed = await readSse(
    await test.request(links.events, { headers: { "Last-Event-ID": middle } }),
  );
  assertEquals(resumed.map((f) => f.id), all.slice(2).map((f) => f.id));
  // The query form, for clients that cannot set headers.
  const byQuery = await readSse(
    await test.request(`${links.events}?lastEventId=${middle}`),
  );
  assertEquals(byQuery.map((f) => f.id), all.slice(2).map((f) => f.id));
  const done = await test.request(links.events, {
    headers: { "Last-Event-ID": lastId },
  });
  assertEquals(done.status, 204);
  const error = await errorOf(
    await test.request(links.events, { headers: { "Last-Event-ID": "soon" } }),
    400,
  );
  assertEquals(error.field, "Last-Event-ID");
});

Deno.test("a live stream resumes where it left off, with no event twice", async () => {
  const channel = new Channel<number>(100);
  await using test = testServer({ workflows: { fed: fedWorkflow(channel) } });
  try {
    const { id, links } = await startRun(test, { workflow: "fed" });
    await channel.send(1);
    const first = await readSse(
      await test.request(links.events),
      (frame) => frame.event === "progress",
    );
    const lastId = first.at(-1)!.id!;
    await channel.send(2);
    channel.close();
    await waitFinished(test, id);
    const rest = await readSse(
      await test.request(links.events, {
        headers: { "Last-Event-ID": lastId },
      }),
    );
    assert(rest.every((f) => Number(f.id) > Number(lastId)));
    assertEquals(rest.at(-1)!.event, "run-finished");
  } finally {
    channel.close();
  }
});

Deno.test("progress events are coalesced in the replay buffer", async () => {
  const channel = new Channel<number>(100);
  await using test = testServer({
    workflows: { fed: fedWorkflow(channel) },
    progressInterval: 10,
  });
  try {
    const { links } = await startRun(test, { workflow: "fed" });
    // Wait for several progress events, then read the replay from the start.
    const live = await readSse(
      await test.request(links.events),
      (_frame, frames) =>
        frames.filter((f) => f.event === "progress").length >= 3,
    );
    const replay = await readSse(
      await test.request(links.events),
      (frame) => frame.event === "progress",
    );
    assertEquals(replay.filter((f) => f.event === "progress").length, 1);
    assertGreater(
      Number(replay.at(-1)!.id),
      Number(live.filter((f) => f.event === "progress")[0]!.id),
    );
  } finally {
    channel.close();
  }
});

Deno.test("a client that fell out of the replay buffer is told with a lagged event", async () => {
  await using test = testServer({ limits: { replayEvents: 2 } });
  const { id, links } = await startRun(test, {
    workflow: "squares",
    params: { n: 4 },
  });
  await waitFinished(test, id);
  const frames = await readSse(
    await test.request(links.events, { headers: { "Last-Event-ID": "0" } }),
  );
  assertEquals(frames[0]!.event, "lagged");
  assertEquals(frames[0]!.id, undefined);
  assertGreater(JSON.parse(frames[0]!.data).dropped, 0);
  assertEquals(frames.slice(1).length, 2);
  assertEquals(frames.at(-1)!.event, "run-finished");
});

Deno.test("a quiet stream sends keep-alive comments", async () => {
  await using test = testServer({
    keepAliveInterval: 10,
    progressInterval: 1000,
  });
  const { links } = await startRun(test, { workflow: "blocking" });
  const frames = await readSse(
    await test.request(links.events),
    (frame) => frame.lines[0] === ": keep-alive",
  );
  assertEquals(frames.at(-1)!.data, "");
  await test.request(links.cancel, { method: "POST" });
});

Deno.test("a client going away ends only its own stream", async () => {
  await using test = testServer({ limits: { maxEventStreams: 2 } });
  const { links } = await startRun(test, { workflow: "blocking" });
  const one = await test.request(links.events);
  const two = await test.request(links.events);
  // A third is refused while two are open.
  const refused = await test.request(links.events);
  assertEquals(refused.headers.get("retry-after"), "5");
  assertEquals((await errorOf(refused, 429)).code, "too_many_requests");
  const reader = two.body!.pipeThrough(new TextDecoderStream()).getReader();
  await readSse(one, (frame) => frame.event === "run-started"); // then cancels
  // Its slot frees up, and the other stream still gets new events.
  let three: Response | undefined;
  await eventually(async () => {
    const response = await test.request(links.events);
    if (response.status === 200) three = response;
    else await response.body?.cancel();
    return response.status === 200;
  }, "the cancelled stream's slot is free");
  await test.request(links.self, {
    method: "PATCH",
    json: { concurrency: { work: 3 } },
  });
  let text = "";
  while (!text.includes("event: stage-resized")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert(text.includes("event: stage-resized"));
  await reader.cancel();
  await three?.body?.cancel();
  await test.request(links.cancel, { method: "POST" });
});

Deno.test("closing the server ends open event streams", async () => {
  const test = testServer();
  const { links } = await startRun(test, { workflow: "blocking" });
  const response = await test.request(links.events);
  const reading = readSse(response);
  await test.server.close();
  const frames = await reading;
  assertEquals(frames.at(-1)!.event, "run-finished");
  const after = await test.request("/runs");
  assertEquals((await errorOf(after, 503)).code, "unavailable");
});
