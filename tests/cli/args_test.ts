/**
 * The command line parser: every flag, aliases, repeats, and the usage
 * errors it raises.
 *
 * @module
 */

import { assertEquals, assertThrows } from "@std/assert";
import { parseCliArgs } from "../../cli/args.ts";
import { UsageError } from "../../cli/errors.ts";

Deno.test("parseCliArgs() reads every flag", () => {
  assertEquals(
    parseCliArgs([
      "flows/etl.ts",
      "--concurrency",
      "16",
      "--param",
      "region=eu",
      "-p",
      "day=2024-01-01",
      "--param=query=a=b",
      "--fail-fast",
      "--out",
      "out.csv",
      "--limit=100",
      "--dry-run",
      "--json",
      "--otel",
      "--quiet",
      "--no-check",
      "--resume",
      "--force",
      "--checkpoint",
      "state/cp.db",
      "--grace=1.5s",
    ]),
    {
      file: "flows/etl.ts",
      help: false,
      version: false,
      concurrency: 16,
      params: { region: "eu", day: "2024-01-01", query: "a=b" },
      onError: "fail-fast",
      out: "out.csv",
      limit: 100,
      dryRun: true,
      json: true,
      otel: true,
      quiet: true,
      check: false,
      resume: true,
      force: true,
      restart: false,
      checkpoint: "state/cp.db",
      checkpoints: true,
      graceMs: 1500,
    },
  );
});

Deno.test("parseCliArgs() has defaults and short aliases", () => {
  const args = parseCliArgs([
    "-q",
    "-c",
    "3",
    "etl.ts",
    "-o",
    "-",
    "--continue",
  ]);
  assertEquals(args.file, "etl.ts");
  assertEquals(args.quiet, true);
  assertEquals(args.concurrency, 3);
  assertEquals(args.out, "-");
  assertEquals(args.onError, "continue");
  assertEquals(args.check, true);
  assertEquals(args.params, {});
  assertEquals([args.limit, args.dryRun, args.json], [undefined, false, false]);
  assertEquals(
    [args.resume, args.force, args.checkpoint, args.checkpoints, args.graceMs],
    [false, false, undefined, true, 30_000],
  );
  assertEquals(parseCliArgs(["etl.ts", "--no-checkpoint"]).checkpoints, false);
});

Deno.test("parseCliArgs() keeps the last value of a repeated param, and numeric-looking files as text", () => {
  const args = parseCliArgs([
    "2024.ts",
    "-p",
    "n=1",
    "-p",
    "n=2",
    "--param",
    "empty=",
  ]);
  assertEquals(args.file, "2024.ts");
  assertEquals(args.params, { n: "2", empty: "" });
});

Deno.test("parseCliArgs() needs no file with --help or --version", () => {
  assertEquals(parseCliArgs(["--help"]).help, true);
  assertEquals(parseCliArgs(["-h"]).file, undefined);
  assertEquals(parseCliArgs(["--version"]).version, true);
  assertEquals(parseCliArgs(["-V"]).version, true);
  assertEquals(parseCliArgs(["etl.ts", "--help"]).file, "etl.ts");
});

Deno.test("parseCliArgs() rejects unknown flags, with a hint", () => {
  assertThrows(
    () => parseCliArgs(["etl.ts", "--verbose"]),
    UsageError,
    'Unknown flag "--verbose"',
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "-x"]),
    UsageError,
    'Unknown flag "-x"',
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "--no-quiet"]),
    UsageError,
    'Unknown flag "--no-quiet"',
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "--dryrun"]),
    UsageError,
    'Unknown flag "--dryrun" (did you mean "--dry-run"?)',
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "--lim", "3"]),
    UsageError,
    '(did you mean "--limit"?)',
  );
});

Deno.test("parseCliArgs() rejects bad numbers", () => {
  for (
    const value of ["0", "-1", "1.5", "abc", "", "1e3", "99999999999999999999"]
  ) {
    assertThrows(
      () => parseCliArgs(["etl.ts", `--concurrency=${value}`]),
      UsageError,
      "--concurrency",
    );
    assertThrows(
      () => parseCliArgs(["etl.ts", `--limit=${value}`]),
      UsageError,
      "--limit",
    );
  }
  assertThrows(
    () => parseCliArgs(["etl.ts", "--concurrency"]),
    UsageError,
    'Invalid --concurrency "": expected a whole number from 1',
  );
});

Deno.test("parseCliArgs() rejects bad params, conflicts and a wrong number of files", () => {
  assertThrows(
    () => parseCliArgs(["etl.ts", "-p", "region"]),
    UsageError,
    'Invalid --param "region"',
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "-p", "=eu"]),
    UsageError,
    'Invalid --param "=eu"',
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "--fail-fast", "--continue"]),
    UsageError,
    "Conflicting flags --fail-fast and --continue",
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "--json", "-o", "-"]),
    UsageError,
    "--json and --out -",
  );
  assertThrows(
    () => parseCliArgs(["etl.ts", "--out"]),
    UsageError,
    "Missing the value of --out",
  );
  assertThrows(() => parseCliArgs([]), UsageError, "Missing the workflow file");
  assertThrows(
    () => parseCliArgs(["a.ts", "b.ts"]),
    UsageError,
    'Unexpected argument "b.ts"',
  );
});

Deno.test("parseCliArgs() rejects conflicting or incomplete durable-run flags and bad durations", () => {
  const cases: [string[], string][] = [
    [
      ["--resume", "--no-checkpoint"],
      "Conflicting flags --resume and --no-checkpoint",
    ],
    [
      ["--checkpoint", "a.db", "--no-checkpoint"],
      "Conflicting flags --checkpoint and --no-checkpoint",
    ],
    [["--force"], "--force only applies with --resume"],
    [["--checkpoint"], "Missing the value of --checkpoint"],
    [
      ["--grace", "soon"],
      'Invalid --grace "soon": expected a duration such as --grace 30s',
    ],
    [["--grace", "10"], 'Invalid --grace "10"'],
    [["--grace=-1s"], 'Invalid --grace "-1s"'],
    [["--resme"], '(did you mean "--resume"?)'],
  ];
  for (const [flags, message] of cases) {
    assertThrows(() => parseCliArgs(["etl.ts", ...flags]), UsageError, message);
  }
  assertEquals(parseCliArgs(["etl.ts", "--grace", "0s"]).graceMs, 0);
  assertEquals(parseCliArgs(["etl.ts", "--grace", "2m"]).graceMs, 120_000);
});
