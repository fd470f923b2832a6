/**
 * Tests of the example workflows under `examples/`: each runs through
 * `run(workflow, { params })` with its outputs in a temporary folder, and
 * the test checks the summary, the output files and the dead letters. No
 * assertion depends on how long anything took. The HTTP example has its
 * own file, `http_fetch_test.ts`.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLessOrEqual,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { parse } from "@std/csv";
import {
  type AnyWorkflow,
  type DeadLetter,
  planWorkflow,
  run,
} from "@poolflow/poolflow";
import csvWorkers, { ORDERS_CSV } from "../../examples/csv_workers/workflow.ts";
import {
  FLAKY_IDS,
  HANGING_IDS,
} from "../../examples/csv_workers/simulated_io.ts";
import type { PricedOrder } from "../../examples/csv_workers/order.ts";
import collectOutcomes, {
  ARGUMENTS_JSON,
  type DivideArguments,
  POOL_SIZE,
  type Quotient,
} from "../../examples/collect_outcomes/workflow.ts";
import failFast, {
  createRollout,
  HOSTS_JSON,
} from "../../examples/fail_fast/workflow.ts";
import {
  type Deployed,
  type HostPlan,
  RolloutLog,
} from "../../examples/fail_fast/deploy.ts";
import producerConsumer, {
  CONSUME_CONCURRENCY,
  createPipeline,
  type Delivered,
  type Message,
  MESSAGES_JSONL,
  PRODUCE_BUFFER,
  PRODUCE_CONCURRENCY,
} from "../../examples/producer_consumer/workflow.ts";
import { Backlog } from "../../examples/producer_consumer/backlog.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url);

/**
 * Runs `fn` with a fresh temporary folder, removed afterwards: the folder
 * the examples' path params resolve against (`folder`), so their `out/`
 * root is `${dir}/out`. `data` copies that example's `data/` into it.
 */
async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
  data?: string,
): Promise<T> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "poolflow_examples_" }),
  );
  try {
    if (data !== undefined) {
      await Deno.mkdir(`${dir}/data`);
      for await (
        const entry of Deno.readDir(new URL(`${data}/data/`, EXAMPLES))
      ) {
        await Deno.copyFile(
          new URL(`${data}/data/${entry.name}`, EXAMPLES),
          `${dir}/data/${entry.name}`,
        );
      }
    }
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The JSON values of a JSON-lines file. */
async function readJsonl<T>(path: string | URL): Promise<T[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line) as T
  );
}

Deno.test("every example workflow plans with its default params: files in its data/, outputs in its out/", () => {
  const examples: [AnyWorkflow, string, string][] = [
    [csvWorkers, "csv_workers", "csv-workers"],
    [collectOutcomes, "collect_outcomes", "collect-outcomes"],
    [failFast, "fail_fast", "fail-fast-rollout"],
    [producerConsumer, "producer_consumer", "producer-consumer"],
  ];
  for (const [workflow, folder, name] of examples) {
    const url = new URL(`${folder}/`, EXAMPLES);
    const real = Deno.realPathSync(url);
    const plan = planWorkflow(workflow, { folder: url });
    assertEquals(plan.name, name);
    for (const [param, value] of Object.entries(plan.params)) {
      const spec = workflow.params?.[param];
      assertEquals(spec?.type, "path", `${name}: param ${param}`);
      assertStringIncludes(
        String(value),
        param === "input" ? `${real}/data/` : `${real}/out/`,
        `${name}: param ${param}`,
      );
    }
  }
});

Deno.test("csv_workers: every order is priced or dead-lettered, with retries and a timeout", async () => {
  const rows = parse(await Deno.readTextFile(ORDERS_CSV), {
    skipFirstRow: true,
  });
  const ids = rows.map((row) => row["id"] ?? "");
  const failing: Record<string, [stage: string, attempts: number, RegExp]> = {
    "1006": ["parse", 1, /^InvalidOrderError: Amount "-42\.00" is negative/],
    "1023": ["parse", 1, /^InvalidOrderError: Cannot parse amount "12\.5O"/],
    "1041": ["parse", 1, /^InvalidOrderError: Order 1041 has no customer/],
    "1058": ["parse", 1, /^InvalidOrderError: Unknown currency "XBT"/],
    "1012": ["confirm", 2, /^TimeoutError: Task \d+ timed out after 500ms/],
  };
  await withTempDir(async (dir) => {
    const out = `${dir}/out/orders.jsonl`;
    const deadLetters = `${dir}/out/dead_letters.jsonl`;
    const summary = await run(csvWorkers, { folder: dir }).done;

    assertEquals(summary.status, "completed-with-failures");
    assertEquals(summary.read, ids.length);
    assertEquals(summary.failed, 5);
    assertEquals(summary.written, ids.length - 5);
    // The two flaky calls and the first, timed-out call of the hanging one.
    assertEquals(summary.retried, FLAKY_IDS.size + HANGING_IDS.size);
    assertEquals(summary.outputs, { sink: out, deadLetter: deadLetters });
    assertEquals(
      summary.stages.map((s) => [s.name, s.in, s.out, s.failed]),
      [
        ["parse", 96, 92, 4],
        ["confirm", 92, 91, 1],
        ["price", 91, 91, 0],
      ],
    );

    const priced = await readJsonl<PricedOrder>(out);
    assertEquals(
      priced.map((o) => o.id).sort(),
      ids.filter((id) => !(id in failing)).sort(),
    );
    for (const order of priced) {
      assert(Number.isFinite(order.totalEur) && order.totalEur >= 0);
    }
    const first = priced.find((o) => o.id === "1001");
    // 1040.00 EUR plus French VAT of 20 %.
    assertEquals(first?.totalEur, 1248);

    const dead = await readJsonl<DeadLetter>(deadLetters);
    assertEquals(dead.length, 5);
    for (const letter of dead) {
      const id = (letter.input as { id: string }).id;
      const expected = failing[id];
      assert(expected, `unexpected dead letter for ${id}`);
      assertEquals([letter.stage, letter.attempts], expected.slice(0, 2));
      assertMatch(letter.error, expected[2]);
    }
  }, "csv_workers");
});

Deno.test("collect_outcomes: every call ends in the sink or the dead letter, five at a time", async () => {
  const calls = JSON.parse(
    await Deno.readTextFile(ARGUMENTS_JSON),
  ) as DivideArguments[];
  await withTempDir(async (dir) => {
    const out = `${dir}/out/quotients.jsonl`;
    const deadLetters = `${dir}/out/failures.jsonl`;
    const handle = run(collectOutcomes, {
      folder: dir,
      progressInterval: 5,
    });
    let peakRunning = 0;
    for await (const event of handle.events) {
      if (event.type !== "progress") continue;
      peakRunning = Math.max(peakRunning, event.stats.stages[0]?.running ?? 0);
    }
    const summary = await handle.done;

    assertEquals(summary.status, "completed-with-failures");
    assertEquals([summary.read, summary.written, summary.failed], [30, 26, 4]);
    assertLessOrEqual(peakRunning, POOL_SIZE);
    assertGreaterOrEqual(peakRunning, 2);

    const quotients = await readJsonl<Quotient>(out);
    const failures = await readJsonl<DeadLetter>(deadLetters);
    const failedIds = failures.map((f) => (f.input as DivideArguments).id);
    // Nothing lost, nothing twice.
    assertEquals(
      [...quotients.map((q) => q.id), ...failedIds].sort((a, b) => a - b),
      calls.map((c) => c.id),
    );
    assertEquals(failedIds.sort((a, b) => a - b), [7, 13, 19, 24]);
    for (const failure of failures) {
      assertEquals([failure.stage, failure.attempts], ["divide", 1]);
      assertMatch(
        failure.error,
        /^(RangeError: Call \d+: cannot divide \d+ by zero|TypeError: Call 13: cannot divide 580 by "three")/,
      );
    }
    for (const { id, quotient } of quotients) {
      const call = calls.find((c) => c.id === id)!;
      const exact = (call.numerator as number) / (call.denominator as number);
      assertLessOrEqual(Math.abs(quotient - exact), 1e-4);
    }
  });
});

Deno.test("fail_fast: the first failure stops the rollout and aborts the deploys in flight", async () => {
  const hosts = JSON.parse(await Deno.readTextFile(HOSTS_JSON)) as HostPlan[];
  await withTempDir(async (dir) => {
    const log = new RolloutLog();
    const out = `${dir}/out/deployed.jsonl`;
    const summary = await run(createRollout(log), { folder: dir }).done;

    assertEquals(summary.status, "failed");
    assertEquals(summary.error?.name, "TaskError");
    assertStringIncludes(
      summary.error?.message ?? "",
      "HealthCheckError: Health check of web-05 failed",
    );

    assertEquals(log.hosts("failed"), ["web-05"]);
    assertEquals(
      log.hosts("started", "after"),
      [],
      "started after the failure",
    );
    const inFlight = log.inFlightAtFailure();
    assert(inFlight.length > 0, "nothing was in flight at the failure");
    assertEquals(log.hosts("aborted").sort(), inFlight.sort());
    assertEquals(log.hosts("deployed", "after"), []);
    // Hosts after the ones in flight were never touched.
    const started = new Set(log.hosts("started"));
    assert(started.size < hosts.length);
    for (const host of ["web-08", "web-09", "web-10", "web-11", "web-12"]) {
      assert(!started.has(host), `${host} started`);
    }

    // What was deployed before the failure is in the output.
    const deployed = await readJsonl<Deployed>(out);
    assertEquals(
      deployed.map((d) => d.host).sort(),
      log.hosts("deployed", "before").sort(),
    );
    assertEquals(summary.written, deployed.length);
  });
});

Deno.test("fail_fast: the default export ends failed too", async () => {
  await withTempDir(async (dir) => {
    const summary = await run(failFast, {
      params: { out: "elsewhere/deployed.jsonl" },
      folder: dir,
    }).done;
    assertEquals(summary.outputs.sink, `${dir}/out/elsewhere/deployed.jsonl`);
    assertEquals(summary.status, "failed");
    assertStringIncludes(summary.error?.message ?? "", "web-05");
  });
});

Deno.test("producer_consumer: the fast stage never gets more than its concurrency and buffer ahead", async () => {
  const messages = await readJsonl<Message>(MESSAGES_JSONL);
  await withTempDir(async (dir) => {
    const backlog = new Backlog();
    const out = `${dir}/out/delivered.jsonl`;
    const summary = await run(createPipeline(backlog), { folder: dir }).done;

    assertEquals(summary.status, "succeeded");
    assertEquals([summary.read, summary.written], [120, 120]);
    assertEquals([backlog.produced, backlog.consumed], [120, 120]);
    // Started by "render", not yet started by "deliver": at most the
    // render stage's running tasks and buffered results, plus the one item
    // being handed from one stage to the next.
    assertLessOrEqual(
      backlog.maxAhead,
      PRODUCE_CONCURRENCY + PRODUCE_BUFFER + 1,
    );
    // It did run ahead: the stages overlap.
    assertGreaterOrEqual(backlog.maxAhead, PRODUCE_CONCURRENCY);
    assertEquals(backlog.peakConsuming, CONSUME_CONCURRENCY);

    const delivered = await readJsonl<Delivered>(out);
    assertEquals(
      delivered.map((d) => d.id).sort((a, b) => a - b),
      messages.map((m) => m.id),
    );
    const render = summary.stages.find((s) => s.name === "render");
    assertEquals(render?.concurrency, PRODUCE_CONCURRENCY);
  });
});
