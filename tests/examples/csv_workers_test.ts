/**
 * Tests of the CSV worker-pool demo (`deno task demo`): the outcomes of the
 * bundled orders, the concurrency limit, a malformed file, and the CLI as a
 * subprocess. No assertion depends on how long anything took.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertGreater,
  assertInstanceOf,
  assertLessOrEqual,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { parse } from "@std/csv";
import { SourceError } from "@poolflow/poolflow";
import { readCsvRecords } from "../../examples/csv_workers/csv_source.ts";
import { type DemoSummary, runDemo } from "../../examples/csv_workers/demo.ts";
import { parseCli } from "../../examples/csv_workers/main.ts";
import {
  FLAKY_IDS,
  HANGING_IDS,
} from "../../examples/csv_workers/simulated_io.ts";

const ROOT = new URL("../../", import.meta.url);
const BUNDLED = new URL("examples/csv_workers/data/orders.csv", ROOT);
const HEADER = "id,customer,country,amount,currency";

const OUTCOME_LINE = /^(ok|failed) +id=(\S+) /;
const SUMMARY_LINE =
  /^summary: (\d+) rows, (\d+) done, (\d+) failed, (\d+) retried \| wall \d+ ms, [\d.]+ rows\/s \| latency p50 \d+ ms, p95 \d+ ms \| peak in-flight (\d+)\/(\d+)$/;

/** The deliberately bad rows of the bundled file and how each must fail. */
const EXPECTED_FAILURES: Readonly<Record<string, RegExp>> = {
  "1006": /^InvalidOrderError: Amount "-42\.00" is negative/,
  "1023": /^InvalidOrderError: Cannot parse amount "12\.5O" as a number/,
  "1041": /^InvalidOrderError: Order 1041 has no customer/,
  "1058": /^InvalidOrderError: Unknown currency "XBT"/,
  "1012": /^TimeoutError: Task \d+ timed out after 500ms \(attempt 2\)$/,
};

async function bundledIds(): Promise<string[]> {
  const rows = parse(await Deno.readTextFile(BUNDLED), { skipFirstRow: true });
  return rows.map((row) => row["id"] ?? "");
}

/** Writes a CSV to a temporary file, runs `fn` on its path, removes it. */
async function withCsv<T>(
  text: string,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, text);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

function healthyRows(count: number): string {
  const rows = [HEADER];
  for (let i = 1; i <= count; i++) rows.push(`${i},Customer ${i},DE,10.00,EUR`);
  return rows.join("\n") + "\n";
}

Deno.test("runDemo() processes the bundled orders", async (t) => {
  const lines: string[] = [];
  const summary = await runDemo({ path: BUNDLED, write: (l) => lines.push(l) });
  const ids = await bundledIds();
  const outcomeLines = lines.slice(0, -1);

  await t.step("every row yields exactly one outcome line", () => {
    const seen = outcomeLines.map((line) => {
      const match = OUTCOME_LINE.exec(line);
      assert(match, `not an outcome line: ${line}`);
      return match[2];
    });
    assertEquals(seen.length, ids.length);
    assertEquals([...seen].sort(), [...ids].sort());
  });

  await t.step("the bad rows fail with their messages", () => {
    const failedIds = summary.failures.map((f) => f.id).sort();
    assertEquals(failedIds, Object.keys(EXPECTED_FAILURES).sort());
    for (const failure of summary.failures) {
      const expected = EXPECTED_FAILURES[failure.id];
      assert(expected, `unexpected failure of ${failure.id}`);
      assertMatch(failure.message, expected);
      const line = outcomeLines.find((l) => l.includes(`id=${failure.id} `));
      assertEquals(
        line,
        `failed id=${failure.id} attempts=${failure.attempts} ${failure.message}`,
      );
    }
    // Bad data is not retried; the timed-out call is.
    assertEquals(
      summary.failures.map((f) => [f.id, f.attempts]).sort(),
      [["1006", 1], ["1012", 2], ["1023", 1], ["1041", 1], ["1058", 1]],
    );
    assert(HANGING_IDS.has("1012"));
  });

  await t.step("the flaky rows succeed on attempt 2", () => {
    assertGreater(FLAKY_IDS.size, 0);
    for (const id of FLAKY_IDS) {
      const line = outcomeLines.find((l) => l.includes(`id=${id} `));
      assertMatch(
        line ?? "",
        /^ok +id=\d+ customer=".+" total=EUR \d+\.\d\d attempts=2$/,
      );
    }
    const once = outcomeLines.filter((l) =>
      l.startsWith("ok") && l.endsWith("attempts=1")
    );
    assertEquals(once.length, ids.length - FLAKY_IDS.size - 5);
  });

  await t.step("the summary counts add up", () => {
    assertEquals(summary.rows, ids.length);
    assertEquals(summary.done + summary.failed, summary.rows);
    assertEquals(summary.failed, 5);
    assertEquals(summary.retried, FLAKY_IDS.size + HANGING_IDS.size);
    assertLessOrEqual(summary.latencyP50Ms, summary.latencyP95Ms);
    assertGreater(summary.rowsPerSecond, 0);
    const match = SUMMARY_LINE.exec(lines.at(-1) ?? "");
    assert(match, `not a summary line: ${lines.at(-1)}`);
    assertEquals(match.slice(1).map(Number), [
      summary.rows,
      summary.done,
      summary.failed,
      summary.retried,
      summary.peakInFlight,
      8,
    ]);
  });

  await t.step("no more than 8 rows ran at once", () => {
    assertEquals(summary.concurrency, 8);
    assertLessOrEqual(summary.peakInFlight, 8);
    assertGreater(summary.peakInFlight, 1);
  });
});

Deno.test("runDemo() never runs more rows at once than its concurrency", async () => {
  const summaries: DemoSummary[] = [];
  for (const concurrency of [1, 3]) {
    const summary = await withCsv(
      healthyRows(12),
      (path) => runDemo({ path, concurrency, write: () => {} }),
    );
    summaries.push(summary);
    assertEquals(summary.done, 12);
    assertLessOrEqual(summary.peakInFlight, concurrency);
  }
  assertEquals(summaries[0]?.peakInFlight, 1);
  assertGreater(summaries[1]?.peakInFlight ?? 0, 1);
});

Deno.test("runDemo() stops with a SourceError on malformed CSV and closes the file", async () => {
  // A bare quote, then far more text than the streams buffer: a file left
  // half-read would be an open resource at the end of the test.
  const text = healthyRows(4) + '5,Bad"Quote,DE,10.00,EUR\n' +
    healthyRows(20_000).slice(HEADER.length + 1);
  const lines: string[] = [];
  const error = await withCsv(text, (path) =>
    assertRejects(
      () => runDemo({ path, write: (l) => lines.push(l) }),
      SourceError,
    ));
  assertInstanceOf(error.cause, SyntaxError);
  // The rows read before the bad record still finished and were reported.
  assertEquals(lines.filter((l) => l.startsWith("ok")).length, 4);
});

Deno.test("readCsvRecords() closes the file when the reader stops early", async () => {
  // Large enough that the file is still being read when the loop breaks.
  const ids = await withCsv(healthyRows(20_000), async (path) => {
    const seen: string[] = [];
    for await (const record of readCsvRecords(path)) {
      seen.push(record["id"] ?? "");
      if (seen.length === 2) break;
    }
    return seen;
  });
  assertEquals(ids, ["1", "2"]);
});

Deno.test("readCsvRecords() rejects a missing file", async () => {
  await assertRejects(
    () => Array.fromAsync(readCsvRecords(new URL("missing.csv", BUNDLED))),
    Deno.errors.NotFound,
  );
});

Deno.test("parseCli() reads the concurrency from flags, then the environment", () => {
  assertEquals(parseCli([], undefined).concurrency, 8);
  assertEquals(parseCli([], "3").concurrency, 3);
  assertEquals(parseCli(["--concurrency", "5"], "3").concurrency, 5);
  assertEquals(parseCli(["--concurrency=2", "x.csv"], undefined), {
    path: "x.csv",
    concurrency: 2,
  });
  for (const bad of ["0", "-1", "2.5", "many", ""]) {
    assertThrows(
      () => parseCli(["--concurrency", bad], undefined),
      RangeError,
      `Invalid concurrency "${bad}"`,
    );
  }
  assertThrows(() => parseCli(["--fast"], undefined), RangeError, '"--fast"');
});

async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

Deno.test("the library demo script exits 0 and prints every outcome and the summary", async () => {
  const { code, stdout, stderr } = await runCli([
    "run",
    "-A",
    "examples/csv_workers/main.ts",
  ], {
    POOLFLOW_CONCURRENCY: "4",
  });
  assertEquals(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  const ids = await bundledIds();
  assertEquals(lines.filter((l) => OUTCOME_LINE.test(l)).length, ids.length);
  const match = SUMMARY_LINE.exec(lines.at(-1) ?? "");
  assert(match, `no summary line in:\n${stdout}`);
  assertEquals(match.slice(1, 5).map(Number), [
    ids.length,
    ids.length - 5,
    5,
    3,
  ]);
  assertEquals(match[6], "4");
});

Deno.test("the demo exits 1 when the run crashes and 2 on a bad command line", async () => {
  const main = "examples/csv_workers/main.ts";
  const missing = await runCli(["run", "-A", main, "no/such/orders.csv"]);
  assertEquals(missing.code, 1);
  assertStringIncludes(missing.stderr, "The demo run crashed");
  assertStringIncludes(missing.stderr, "NotFound");

  const usage = await runCli(["run", "-A", main, "--concurrency", "zero"]);
  assertEquals(usage.code, 2);
  assertStringIncludes(usage.stderr, 'Invalid concurrency "zero"');
  assertEquals(usage.stdout, "");
});

Deno.test("deno task demo runs the workflow through the CLI and exits 1 for its deliberate failures", async () => {
  const { code, stdout, stderr } = await runCli(["task", "demo"]);
  // 1 is the CLI's honest code for "finished, some items failed".
  assertEquals(code, 1, stderr);
  assertEquals(stdout, "");
  assertStringIncludes(stderr, 'Summary of "csv-workers"');
  assertMatch(stderr, /done\s+91 written of 96 read/);
  assertMatch(stderr, /failed\s+5/);
  assertStringIncludes(stderr, "completed-with-failures (exit code 1)");
});
