/**
 * The summary printed at the end of a run.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { formatSummary } from "../../cli/summary.ts";
import { runSummary, stageStats } from "./_fixtures.ts";

Deno.test("formatSummary() shows counts, per-stage latencies, outputs and the status", () => {
  const text = formatSummary(
    runSummary({
      status: "completed-with-failures",
      wallMs: 12_345,
      read: 1200,
      written: 1190,
      failed: 10,
      retried: 24,
      throughput: 97.2,
      stages: [
        stageStats({
          name: "parse",
          in: 1200,
          out: 1195,
          failed: 5,
          latency: { p50: 0.5, p95: 1.25, p99: 3, max: 9 },
        }),
        stageStats({
          name: "save",
          in: 1195,
          out: 1190,
          failed: 5,
          retried: 24,
          latency: { p50: 20, p95: 45.4, p99: 1500, max: 2000 },
        }),
      ],
      outputs: { sink: "out.jsonl", deadLetter: "failed.jsonl" },
    }),
    { file: "etl.ts", exitCode: 1, interrupted: false },
  );
  assertEquals(
    text,
    `Summary of "etl" (etl.ts)
  done         1,190 written of 1,200 read
  failed       10
  retried      24
  wall time    12.3 s
  throughput   97 items/s

  stage  kind     in    out  failed  retried     p50      p95    p99
  parse  map   1,200  1,195       5        0  0.5 ms  1.25 ms   3 ms
  save   map   1,195  1,190       5       24   20 ms    45 ms  1.5 s

  output       out.jsonl
  dead letter  failed.jsonl
  status       completed-with-failures (exit code 1)
`,
  );
});

Deno.test("formatSummary() says where nothing was kept, the error and the interrupt", () => {
  const text = formatSummary(
    runSummary({
      status: "stopped",
      failed: 2,
      error: { name: "TaskError", message: "Task 3 failed\nmore detail" },
    }),
    { exitCode: 130, interrupted: true },
  );
  assertStringIncludes(text, 'Summary of "etl"\n');
  assertStringIncludes(text, "output       none (results counted, not kept)");
  assertStringIncludes(
    text,
    "dead letter  none (failed items counted, not kept)",
  );
  assertStringIncludes(text, "error        TaskError: Task 3 failed\n");
  assertStringIncludes(
    text,
    "status       stopped, interrupted (exit code 130)",
  );
});

Deno.test("formatSummary() tells what a resumed run skipped, where the checkpoint is, and SIGTERM", () => {
  const resumed = formatSummary(
    runSummary({
      read: 40,
      written: 40,
      resumed: { runId: "run-0", skipped: 1234 },
      outputs: { sink: "out.jsonl" },
    }),
    { exitCode: 0, interrupted: false, checkpoint: ".poolflow/checkpoints.db" },
  );
  assertStringIncludes(
    resumed,
    `  done         40 written of 40 read
               resumed run run-0: 1,234 items already done were skipped
  failed       0
`,
  );
  assertStringIncludes(resumed, "checkpoint   .poolflow/checkpoints.db\n");
  const one = formatSummary(
    runSummary({ resumed: { runId: "r", skipped: 1 } }),
    { exitCode: 0, interrupted: false },
  );
  assertStringIncludes(one, "resumed run r: 1 item already done was skipped");
  const stopped = formatSummary(
    runSummary({ status: "stopped" }),
    {
      exitCode: 143,
      interrupted: true,
      signal: "SIGTERM",
      checkpoint: "cp.db",
    },
  );
  assertStringIncludes(
    stopped,
    "checkpoint   cp.db (continue this run with --resume)\n",
  );
  assertStringIncludes(
    stopped,
    "status       stopped, interrupted by SIGTERM (exit code 143)",
  );
  const plain = formatSummary(runSummary(), {
    exitCode: 0,
    interrupted: false,
  });
  assertEquals(plain.includes("checkpoint"), false);
});
