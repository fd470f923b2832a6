/**
 * The server, run as `deno task serve` with a token, prints nothing but
 * its own lines: in particular no Deno warning about `request.signal`,
 * which a chunked request body used to cause (the body limit rebuilt the
 * request from the incoming one, reading its signal).
 *
 * @module
 */

import { assertEquals, assertFalse, assertMatch } from "@std/assert";
import { ROOT, serveTaskArgs, watch } from "./_serve_child.ts";

const TOKEN = "test-token-0123456789abcdef";

/** A body sent chunked: a stream, so fetch sends no Content-Length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

Deno.test("the served server prints no Deno warning about request.signal on chunked or plain requests", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...await serveTaskArgs(), "--port", "0"],
    cwd: ROOT,
    env: { NO_COLOR: "1", POOLFLOW_TOKEN: TOKEN },
    clearEnv: false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const stderr = watch(
    child.stderr,
    /listening on (http:\/\/127\.0\.0\.1:\d+)\//,
  );
  try {
    const base = (await stderr.line)[1]!;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const created = await fetch(`${base}/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: chunked(JSON.stringify({
        workflow: "checks",
        params: { count: 3, delayMs: 1, failEvery: 0 },
      })),
    });
    assertEquals(created.status, 201, await created.clone().text());
    const { id } = await created.json();
    const cancelled = await fetch(`${base}/runs/${id}/cancel`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: chunked("{}"),
    });
    // Accepted, or too late when the three checks have already finished.
    assertMatch(String(cancelled.status), /^(202|409)$/);
    await cancelled.body?.cancel();
    const listed = await fetch(`${base}/workflows`, { headers: auth });
    assertEquals(listed.status, 200);
    await listed.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
  const text = await stderr.text() + await stdout;
  assertFalse(/request\.signal|legacy/i.test(text), text);
  assertFalse(/warn/i.test(text), text);
});
