/**
 * Worker permissions: opt-in, since Deno 2.9 needs
 * `--unstable-worker-options` for them and exits the process (code 70)
 * without it. The pool checks for the flag and throws a clear TypeError;
 * with it, workers get only what the pool grants.
 */

import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { inWorker, WorkerPool } from "../../mod.ts";
import { unstableWorkerOptions } from "../../lib/workers/permissions.ts";
import { TASKS } from "./_helpers.ts";

const MAIN = new URL("./fixtures/permissions_main.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

async function runMain(flags: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, MAIN.pathname],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test({
  name:
    "worker permissions without --unstable-worker-options are a TypeError that says what to do",
  // Only where the pool can see the command line and the flag is off, as
  // under `deno test -A`; elsewhere Deno would end this process.
  ignore: unstableWorkerOptions() !== false,
}, () => {
  const error = assertThrows(
    () => new WorkerPool({ size: 1, permissions: "none" }),
    TypeError,
  );
  assertStringIncludes(error.message, "--unstable-worker-options");
  assertStringIncludes(error.message, "Leave out `permissions`");
  assertThrows(
    () => inWorker(TASKS, "square", { permissions: { read: true } }),
    TypeError,
    "--unstable-worker-options",
  );
});

Deno.test('permissions: "inherit" needs no flag', async () => {
  await using pool = new WorkerPool({ size: 1, permissions: "inherit" });
  assertEquals(await pool.run(TASKS, "square", 3), 9);
});

Deno.test("with --unstable-worker-options, workers get only the permissions granted", async () => {
  const output = await runMain(["--unstable-worker-options", "-A"]);
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, stderr);
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  assertEquals(result.inside, true);
  assertStringIncludes(result.outside, "NotCapable");
  assertStringIncludes(result.outside, "/etc/hostname");
});

Deno.test("without the flag the subprocess fails with the pool's TypeError, not Deno's exit 70", async () => {
  const output = await runMain(["-A"]);
  assertEquals(output.code, 1);
  assertStringIncludes(
    new TextDecoder().decode(output.stderr),
    "Worker permissions need Deno's --unstable-worker-options flag",
  );
});

Deno.test("where the command line cannot be read (no --allow-all), Deno's own exit 70 says what is missing", async () => {
  // Reading /proc/self/cmdline needs --allow-all; without it the pool
  // cannot tell and trusts the caller, as documented.
  const output = await runMain(["--allow-read"]);
  assertEquals(output.code, 70);
  assertStringIncludes(
    new TextDecoder().decode(output.stderr),
    "--unstable-worker-options",
  );
});
