/**
 * The CLI's informative modes: `--dry-run` (text and JSON), `--help` (with
 * a workflow's parameters) and `--version`.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { VERSION } from "../../lib/version.ts";
import {
  numbersWorkflow,
  runCli,
  withTempDir,
  writeWorkflow,
} from "./_helpers.ts";

const PLANNED =
  `import { defineWorkflow, fromIterable, toJsonl } from "@poolflow/poolflow";

export default defineWorkflow({
  name: "enrich",
  description: "Enrich the numbers",
  params: { region: { type: "string", default: "eu", description: "Where to look" } },
  source: fromIterable([1, 2, 3]),
  concurrency: 3,
  errors: { onError: "continue", maxFailures: 5 },
  pipeline: (rows) =>
    rows
      .map("fetch", (n) => n, {
        concurrency: 16,
        ordered: true,
        rateLimit: "50/s",
        errors: { retry: { attempts: 3, backoff: "exponential", delay: "100ms" }, timeout: "5s" },
      })
      .batch(10, { name: "group" })
      .tap("log", () => {}),
  sink: (p) => toJsonl(\`out-\${p.region}.jsonl\`),
  deadLetter: toJsonl("failed.jsonl"),
});
`;

Deno.test("cli --dry-run prints the plan and runs nothing", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(dir, "plan.ts", PLANNED);
    const result = await runCli([
      file,
      "--no-check",
      "--dry-run",
      "--param",
      "region=us",
      "--fail-fast",
      "--limit",
      "2",
    ]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stderr, "");
    const text = result.stdout;
    assertStringIncludes(
      text,
      `Workflow "enrich" (${file})\n  Enrich the numbers`,
    );
    assertMatch(text, /source\s+iterable/);
    assertMatch(
      text,
      /1\s+fetch\s+map\s+16\s+yes\s+50\/s\s+fail-fast, 3 attempts \(exponential from 100ms, full jitter\), timeout 5\.0 s, at most 5 failures/,
    );
    assertMatch(text, /2\s+group\s+batch of 10\s+-\s+yes/);
    assertMatch(
      text,
      /3\s+log\s+tap\s+3\s+no\s+-\s+fail-fast, at most 5 failures/,
    );
    assertMatch(text, /sink\s+jsonl\s+out-us\.jsonl/);
    assertMatch(text, /dead letter\s+jsonl\s+failed\.jsonl/);
    assertMatch(
      text,
      /region\s+= "us"\s+\(string, default "eu"\)\s+Where to look/,
    );
    assertMatch(text, /limit\s+2/);
  });
});

Deno.test("cli --dry-run --json prints the plan as JSON", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(dir, "plan.ts", PLANNED);
    const result = await runCli([file, "--no-check", "--dry-run", "--json"]);
    assertEquals(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout);
    assertEquals(plan.workflow, "enrich");
    assertEquals(plan.sink, { kind: "jsonl", location: "out-eu.jsonl" });
    assertEquals(
      plan.stages.map((s: { name: string; concurrency: number | null }) => [
        s.name,
        s.concurrency,
      ]),
      [["fetch", 16], ["group", null], ["log", 3]],
    );
    assertEquals(plan.stages[0].errors, {
      onError: "continue",
      attempts: 3,
      backoff: "exponential from 100ms, full jitter",
      timeoutMs: 5000,
      maxFailures: 5,
    });
    assertEquals(plan.limit, null);
  });
});

Deno.test("cli --version prints the version; --help lists flags, the durable guarantee, permissions and a workflow's params", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "wf.ts",
      numbersWorkflow({ out: `${dir}/out.jsonl` }),
    );
    const [version, help, withFile] = await Promise.all([
      runCli(["--version"]),
      runCli(["--help"]),
      runCli([file, "-h"]),
    ]);
    assertEquals(version, {
      code: 0,
      stdout: `poolflow ${VERSION}\n`,
      stderr: "",
    });
    assertEquals(help.code, 0);
    for (
      const flag of [
        "--concurrency N",
        "--param KEY=VALUE",
        "--fail-fast",
        "--continue",
        "--out PATH",
        "--limit N",
        "--dry-run",
        "--json",
        "--quiet",
        "--no-check",
        "--resume",
        "--force",
        "--checkpoint PATH",
        "--no-checkpoint",
        "--grace DURATION",
        "exactly once at the sinks",
        "at least once for a task's side effects",
        "143  terminated by SIGTERM",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-net",
        "--allow-env",
      ]
    ) {
      assertStringIncludes(help.stdout, flag);
    }
    assert(!help.stdout.includes("Parameters of"));
    assertEquals(withFile.code, 0, withFile.stderr);
    assertStringIncludes(
      withFile.stdout,
      `Parameters of ${file} (--param KEY=VALUE):`,
    );
    assertMatch(withFile.stdout, /n\s+number\s+default 10\s+How many numbers/);
  });
});
