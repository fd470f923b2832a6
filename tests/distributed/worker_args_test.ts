import { assertEquals, assertThrows } from "@std/assert";
import { parseWorkerArgs } from "../../cli/worker.ts";
import { UsageError } from "../../cli/errors.ts";

Deno.test("parseWorkerArgs() takes the file, Redis, caps, params and timings", () => {
  assertEquals(
    parseWorkerArgs([
      "etl.ts",
      "--redis",
      "redis://h:1",
      "-c",
      "3",
      "-p",
      "region=eu",
      "--grace",
      "5s",
      "--stall-timeout",
      "2s",
      "--no-check",
    ]),
    {
      file: "etl.ts",
      redis: "redis://h:1",
      concurrency: 3,
      params: { region: "eu" },
      graceMs: 5000,
      stallTimeoutMs: 2000,
      check: false,
      quiet: false,
    },
  );
});

Deno.test("parseWorkerArgs() names what is missing or wrong", () => {
  const missing = Deno.permissions.querySync({
        name: "env",
        variable: "POOLFLOW_REDIS",
      }).state !== "granted" || !Deno.env.get("POOLFLOW_REDIS");
  if (missing) {
    assertThrows(
      () => parseWorkerArgs(["etl.ts"]),
      UsageError,
      "Missing --redis",
    );
  }
  assertThrows(
    () => parseWorkerArgs(["--redis", "redis://h:1"]),
    UsageError,
    "Missing the workflow file",
  );
  assertThrows(
    () => parseWorkerArgs(["etl.ts", "--redis", "redis://h:1", "-c", "0"]),
    UsageError,
    'Invalid --concurrency "0"',
  );
  assertThrows(
    () => parseWorkerArgs(["etl.ts", "--redis", "redis://h:1", "--bogus"]),
    UsageError,
    'Unknown flag "--bogus"',
  );
});
