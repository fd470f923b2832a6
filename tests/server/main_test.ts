/**
 * The server's entry points: the command line (flags, refusing to listen
 * beyond loopback without a token, serving on 127.0.0.1 port 0 and
 * stopping), settings from the environment, and the default export for
 * `deno serve`, which reads nothing until its first request.
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import handler, { ENV_NAMES, optionsFromEnv } from "../../server.ts";
import { main } from "../../server/main.ts";

const EXAMPLES = new URL("../../examples/server/workflows", import.meta.url)
  .pathname;

async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(args, {
    env: (name) => env[name],
    print: (line) => lines.push(line),
    signal: AbortSignal.abort(),
  });
  return { code, lines };
}

Deno.test("main refuses to listen beyond loopback without a token", async () => {
  for (const hostname of ["0.0.0.0", "::", "192.168.1.10"]) {
    const { code, lines } = await runMain([
      "--workflows",
      EXAMPLES,
      "--hostname",
      hostname,
    ]);
    assertEquals(code, 64);
    assertStringIncludes(
      lines[0]!,
      `Refusing to listen on ${hostname} without a token`,
    );
  }
});

Deno.test("main reports usage errors with exit code 64", async () => {
  const cases: [string[], string][] = [
    [[], "Missing --workflows"],
    [["--workflows", EXAMPLES, "--port", "http"], "Invalid --port"],
    [["--workflows", EXAMPLES, "--colour"], 'Unknown argument "--colour"'],
    [["--workflows", EXAMPLES, "--max-runs", "many"], "Invalid --max-runs"],
    [["--workflows", EXAMPLES, "--keep-for", "soon"], "limits.finishedRunTtl"],
    [["--workflows", EXAMPLES, "--token", "short"], "Invalid token"],
    [
      ["--workflows", EXAMPLES, "--checkpoints="],
      "Missing the value of --checkpoints",
    ],
    [["--workflows", EXAMPLES, "--grace", "soon"], "--grace"],
  ];
  for (const [args, message] of cases) {
    const { code, lines } = await runMain(args);
    assertEquals(code, 64, args.join(" "));
    assertStringIncludes(lines.join("\n"), message);
  }
  const help = await runMain(["--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.lines[0]!, "--allow-remote-without-token");
});

Deno.test("main exits 1 when the workflows cannot be loaded", async () => {
  const { code, lines } = await runMain(["--workflows", "/no/such/folder"]);
  assertEquals(code, 1);
  assertStringIncludes(lines[0]!, "Cannot load the workflows");
});

Deno.test("main serves on 127.0.0.1 port 0 until stopped", async () => {
  const stop = new AbortController();
  const lines: string[] = [];
  let port = 0;
  const running = main([
    "--workflows",
    EXAMPLES,
    "--port",
    "0",
    "--keep-for",
    "1m",
  ], {
    env: (name) =>
      name === "POOLFLOW_TOKEN" ? "env-token-0123456789" : undefined,
    print: (line) => lines.push(line),
    signal: stop.signal,
    onListen: (address) => port = address.port,
  });
  try {
    while (port === 0) await new Promise((r) => setTimeout(r, 5));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assertEquals(await health.json(), { status: "ok" });
    const denied = await fetch(`http://127.0.0.1:${port}/workflows`);
    assertEquals(denied.status, 401);
    await denied.body?.cancel();
    const listed = await fetch(`http://127.0.0.1:${port}/workflows`, {
      headers: { authorization: "Bearer env-token-0123456789" },
    });
    assertEquals(
      (await listed.json()).workflows.map((w: { name: string }) => w.name),
      ["checks", "files", "slugs"],
    );
  } finally {
    stop.abort();
  }
  assertEquals(await running, 0);
  assertStringIncludes(
    lines[0]!,
    `listening on http://127.0.0.1:${port}/ (workflows: checks, files, slugs)`,
  );
});

Deno.test("optionsFromEnv reads the POOLFLOW_ variables", () => {
  const env: Record<string, string> = {
    POOLFLOW_WORKFLOWS: "./flows",
    POOLFLOW_TOKEN: "env-token-0123456789",
    POOLFLOW_MAX_RUNS: "4",
    POOLFLOW_KEEP_RUNS: "10",
    POOLFLOW_KEEP_FOR: "5m",
    POOLFLOW_KEEP_RESULTS: "50",
    POOLFLOW_MAX_BODY_BYTES: "2048",
    POOLFLOW_CORS_ORIGINS: "https://a.example,https://b.example",
    POOLFLOW_PROGRESS_INTERVAL: "250ms",
    POOLFLOW_ALLOW_REMOTE_WITHOUT_TOKEN: "false",
    POOLFLOW_CHECKPOINTS: ".poolflow/server.db",
  };
  assertEquals(Object.keys(env).sort(), Object.values(ENV_NAMES).sort());
  assertEquals(optionsFromEnv((name) => env[name]), {
    workflows: "./flows",
    token: "env-token-0123456789",
    limits: {
      maxConcurrentRuns: 4,
      finishedRunsKept: 10,
      finishedRunTtl: "5m",
      resultsPerRun: 50,
      maxBodyBytes: 2048,
    },
    corsOrigins: ["https://a.example", "https://b.example"],
    progressInterval: "250ms",
    checkpoints: ".poolflow/server.db",
  });
  assertThrows(
    () => optionsFromEnv(() => undefined),
    TypeError,
    "Missing POOLFLOW_WORKFLOWS",
  );
  assertThrows(
    () => optionsFromEnv((name) => ({ ...env, POOLFLOW_MAX_RUNS: "-1" })[name]),
    TypeError,
    "Invalid POOLFLOW_MAX_RUNS",
  );
  assertThrows(
    () =>
      optionsFromEnv((name) =>
        ({ ...env, POOLFLOW_ALLOW_REMOTE_WITHOUT_TOKEN: "yes" })[name]
      ),
    TypeError,
    "POOLFLOW_ALLOW_REMOTE_WITHOUT_TOKEN",
  );
});

Deno.test("the default export answers 503 until the environment configures it", async () => {
  const saved = Deno.env.get("POOLFLOW_WORKFLOWS");
  Deno.env.delete("POOLFLOW_WORKFLOWS");
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const response = await handler.fetch(
      new Request("http://localhost/health"),
    );
    assertEquals(response.status, 503);
    const body = await response.json();
    assertEquals(body.error.code, "unavailable");
    assert(!body.error.message.includes("POOLFLOW_WORKFLOWS"));
    assertStringIncludes(String(errors[0]), "Missing POOLFLOW_WORKFLOWS");
  } finally {
    console.error = original;
    if (saved !== undefined) Deno.env.set("POOLFLOW_WORKFLOWS", saved);
  }
});
