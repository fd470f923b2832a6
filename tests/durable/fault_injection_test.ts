/**
 * The fault-injection proof, bounded for CI: 100,000 ids through a durable
 * workflow in a child process, killed with SIGKILL at 5 random moments
 * (50 ms to 1.5 s after each start) and resumed each time, then let
 * finish. Its stages keep no order and its tasks take random times (0 to
 * 8 ms), so items finish and reach the sink out of order. Every expected
 * output and dead letter must be in the files exactly once.
 * `bench/fault_injection.ts` runs the same with 20 kills (and `--ordered`,
 * in order too). Set FAULT_SEED to replay a failing run.
 */

import { assertEquals, assertGreater } from "@std/assert";
import { faultInjection, type Tally } from "./fixtures/harness.ts";
import { brokenAfter } from "./fixtures/workload.ts";

const ITEMS = 100_000;
const KILLS = 5;

function assertExactlyOnce(tally: Tally, what: string, seed: number): void {
  const problems = {
    missing: tally.missing,
    duplicated: tally.duplicated,
    unexpected: tally.unexpected,
  };
  assertEquals(
    problems,
    { missing: [], duplicated: [], unexpected: [] },
    `${what} (seed ${seed})`,
  );
  assertEquals(tally.found, tally.expected, `${what} count (seed ${seed})`);
}

Deno.test({
  name:
    `SIGKILLed ${KILLS} times and resumed, a 100,000-item run with unordered stages writes every output and dead letter exactly once`,
  async fn() {
    const seed = Number(
      Deno.env.get("FAULT_SEED") ?? Math.floor(Math.random() * 2 ** 31),
    );
    const dir = await Deno.makeTempDir({ prefix: "poolflow_fault_" });
    try {
      const report = await faultInjection(dir, {
        items: ITEMS,
        kills: KILLS,
        seed,
        runnerArgs: ["--max-latency", "8"],
      });
      assertEquals(report.kills, KILLS, `seed ${seed}`);
      assertExactlyOnce(report.outputs, "outputs", seed);
      assertExactlyOnce(report.deadLetters, "dead letters", seed);

      // The last attempt continued the run the first one started, and
      // skipped exactly what its checkpoint said was done.
      const last = report.attempts.at(-1)!;
      const { summary, record } = report;
      assertEquals(summary.status, "completed-with-failures", `seed ${seed}`);
      assertGreater(summary.failed, 0);
      if (last.resumed) {
        assertEquals(summary.resumed?.runId, record.runId);
        assertEquals(summary.resumed?.skipped, last.doneBefore);
      }

      // The record is finished past every source position, and counts the
      // sink's lines and the dead letters exactly.
      let positions = ITEMS;
      for (let id = 0; id < ITEMS; id++) if (brokenAfter(id)) positions++;
      assertEquals(record.status, "finished");
      assertEquals(record.watermark, positions);
      assertEquals(record.doneAbove ?? [], []);
      assertEquals(record.counts.written, report.outputs.found);
      assertEquals(record.counts.failed, report.deadLetters.found);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
