/**
 * The Deno 2.5 check of `.ci/run` (Deno Deploy runs 2.5): with the Deno
 * that runs this script, run the demo as `deno task demo` does, then serve
 * the example workflows with `deno serve server.ts` on a free loopback
 * port, start a run over HTTP, read its results and stop the server. No
 * test suite: Deno 2.5's `deno test` cannot read the configuration's
 * `test` keys. Prints one line per check; exits 1 on the first failure.
 *
 * Run: `deno run -A .ci/deno25_smoke.ts` (from the repository root).
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);
const decoder = new TextDecoder();

function fail(message: string): never {
  console.error(`ci(deno ${Deno.version.deno}): ${message}`);
  Deno.exit(1);
}

/** The demo exits 1 (five rows fail on purpose) and writes the rest. */
async function demo(): Promise<void> {
  const out = await Deno.makeTempDir({ prefix: "poolflow_deno25_" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "cli.ts",
        "examples/csv_workers/workflow.ts",
        "--param",
        `out=${out}/orders.jsonl`,
        "--param",
        `deadLetters=${out}/dead_letters.jsonl`,
        // A durable run, as by default: node:sqlite on this Deno too.
        "--checkpoint",
        `${out}/checkpoints.db`,
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = decoder.decode(stdout) + decoder.decode(stderr);
    if (code !== 1 || !/status\s+completed-with-failures/.test(text)) {
      fail(`the demo exited ${code}, expected 1 with 5 failures:\n${text}`);
    }
    const written = (await Deno.readTextFile(`${out}/orders.jsonl`))
      .trimEnd().split("\n").length;
    if (written !== 91) fail(`the demo wrote ${written} orders, expected 91`);
    await Deno.stat(`${out}/checkpoints.db`).catch(() =>
      fail("the demo left no checkpoint file")
    );
    console.log(`ci(deno ${Deno.version.deno}): demo wrote ${written} orders`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** `deno serve server.ts` answers a run of the `slugs` example workflow. */
async function server(): Promise<void> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "-A",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "server.ts",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", POOLFLOW_WORKFLOWS: "examples/server/workflows" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = new Response(child.stderr).text();
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const health = await fetch(`${base}/health`).catch(() => undefined);
      await health?.body?.cancel();
      if (health?.ok) break;
      if (Date.now() > deadline) fail(`the server did not start on ${base}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const created = await fetch(`${base}/runs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ workflow: "slugs" }),
    });
    const body = await created.json() as {
      links?: { self: string; results: string };
    };
    if (created.status !== 201 || !body.links) {
      fail(`POST /runs answered ${created.status}: ${JSON.stringify(body)}`);
    }
    // The results stream ends when the run does.
    const results = (await (await fetch(`${base}${body.links.results}`)).text())
      .trimEnd().split("\n").map((line) =>
        JSON.parse(line) as { ok: boolean; value?: { slug?: string } }
      );
    const slugs = results.filter((r) => r.ok && r.value?.slug).length;
    const detail = await (await fetch(`${base}${body.links.self}`)).json() as {
      status: string;
    };
    if (slugs !== 12 || detail.status !== "succeeded") {
      fail(
        `the run ended ${detail.status} with ${slugs} of 12 slugs: ${
          JSON.stringify(results)
        }`,
      );
    }
    console.log(
      `ci(deno ${Deno.version.deno}): deno serve server.ts ran slugs over HTTP: ${slugs} results`,
    );
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    const text = await log;
    if (!status.success && status.signal !== "SIGTERM") {
      console.error(text);
    }
  }
}

await demo();
await server();
