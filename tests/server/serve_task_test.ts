/**
 * `deno task serve` runs with least privilege: the test reads the task
 * from `deno.json`, refuses `-A`, and spawns the server with exactly the
 * task's flags (on a free port). The server starts, lists its workflows,
 * runs the file-reading example inside its folders, refuses a path out of
 * them, and stops on SIGTERM.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";

import { ROOT, serveTaskArgs, watch } from "./_serve_child.ts";

Deno.test("deno task serve grants no more than its folders and loopback, and runs an example workflow", async () => {
  const args = await serveTaskArgs();
  for (const flag of ["-A", "--allow-all", "--allow-run", "--allow-ffi"]) {
    assertFalse(args.includes(flag), `the serve task grants ${flag}`);
  }
  for (const flag of ["--allow-read", "--allow-write", "--allow-net"]) {
    const given = args.find((arg) => arg.startsWith(`${flag}=`));
    assert(given !== undefined, `the serve task lacks a narrowed ${flag}=...`);
  }
  assert(!args.includes("--allow-read"), "--allow-read without a list");
  assert(!args.includes("--allow-write"), "--allow-write without a list");
  assert(!args.includes("--allow-net"), "--allow-net without a list");

  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, "--port", "0"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    clearEnv: false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  // The server says where it listens on stderr.
  const stderr = watch(
    child.stderr,
    /listening on (http:\/\/127\.0\.0\.1:\d+)\/ \(workflows: ([^)]*)\)/,
  );
  const out = `test-${crypto.randomUUID()}.jsonl`;
  const written = new URL(`examples/server/out/${out}`, ROOT);
  try {
    const match = await stderr.line;
    const base = match[1]!;
    assertEquals(match[2], "checks, files, slugs");

    const listed = await (await fetch(`${base}/workflows`)).json();
    assertEquals(
      listed.workflows.map((w: { name: string }) => w.name),
      ["checks", "files", "slugs"],
    );

    const refused = await fetch(`${base}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        workflow: "files",
        params: { input: "../../../deno.json" },
      }),
    });
    assertEquals(refused.status, 400);
    const { error } = await refused.json();
    assertEquals([error.field, error.reason], [
      "params.input",
      "path_outside_root",
    ]);

    const created = await fetch(`${base}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workflow: "files", params: { out } }),
    });
    assertEquals(created.status, 201, await created.clone().text());
    const { id } = await created.json();
    let run: { status: string; written: number } | undefined;
    for (let i = 0; i < 400; i++) {
      run = await (await fetch(`${base}/runs/${id}`)).json();
      if (run?.status !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assertEquals(run?.status, "succeeded", JSON.stringify(run));
    const lines = (await Deno.readTextFile(written)).trimEnd().split("\n");
    assertEquals(lines.length, run?.written);
    assertEquals(JSON.parse(lines[0]!), {
      title: "Hello, World!",
      slug: "hello-world",
    });

    const dashboard = await fetch(`${base}/`);
    assertEquals(dashboard.status, 200);
    assertStringIncludes(await dashboard.text(), "poolflow");
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    const text = await stderr.text();
    await Deno.remove(written).catch(() => {});
    assertFalse(
      /PermissionDenied|NotCapable|Requires .* access/.test(text),
      text,
    );
    assertMatch(String(status.code), /^(0|143)$/, text);
  }
});
