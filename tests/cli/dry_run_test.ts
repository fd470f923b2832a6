/**
 * `--dry-run`'s description of a plan, from a real `planWorkflow`.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { describePlan, formatPlan, formatPolicy } from "../../cli/dry_run.ts";
import {
  collect,
  defineWorkflow,
  fromIterable,
  planWorkflow,
  toJsonl,
} from "../../mod.ts";

const workflow = defineWorkflow({
  name: "shout",
  params: {
    loud: { type: "boolean", default: false },
    prefix: { type: "string", description: "Put before each word" },
  },
  source: fromIterable(["a", "b"]),
  rateLimit: { count: 5, interval: "1s" },
  pipeline: (rows) =>
    rows.map("upper", (s) => s.toUpperCase(), {
      errors: {
        retry: { attempts: 2, backoff: "linear", delay: 50, jitter: "none" },
      },
    }).filter("keep", () => true, { concurrency: 2, rateLimit: "10/s" }),
  deadLetter: collect(),
});

Deno.test("describePlan() lists stages with their resolved settings and the params", () => {
  const plan = planWorkflow(workflow, {
    file: "shout.ts",
    params: { prefix: ">" },
    concurrency: 3,
    sink: toJsonl("out.jsonl"),
  });
  const description = describePlan(plan, workflow.params);
  assertEquals(description.stages, [
    {
      name: "upper",
      kind: "map",
      size: undefined,
      concurrency: 3,
      ordered: false,
      rateLimit: "5/1s",
      errors: {
        onError: "continue",
        attempts: 2,
        backoff: "linear from 50ms",
        timeoutMs: undefined,
        maxFailures: null,
      },
    },
    {
      name: "keep",
      kind: "filter",
      size: undefined,
      concurrency: 2,
      ordered: false,
      rateLimit: "10/s",
      errors: {
        onError: "continue",
        attempts: 1,
        backoff: undefined,
        timeoutMs: undefined,
        maxFailures: null,
      },
    },
  ]);
  assertEquals(description.params, [
    {
      name: "loud",
      type: "boolean",
      value: false,
      default: false,
      description: undefined,
    },
    {
      name: "prefix",
      type: "string",
      value: ">",
      default: undefined,
      description: "Put before each word",
    },
  ]);
  assertEquals(description.sink, { kind: "jsonl", location: "out.jsonl" });
  assertEquals(description.deadLetter?.kind, "collect");
  assertEquals([description.file, description.limit], ["shout.ts", undefined]);

  const text = formatPlan(description);
  assertStringIncludes(
    text,
    "  1  upper  map               3  no       5/1s  continue, 2 attempts (linear from 50ms)\n",
  );
  assertStringIncludes(
    text,
    '  prefix  = ">"    (string, required)        Put before each word\n',
  );
});

Deno.test("formatPlan() says when there are no stages, sink, dead letter or params", () => {
  const plain = defineWorkflow({ name: "copy", source: fromIterable([1]) });
  const text = formatPlan(describePlan(planWorkflow(plain), plain.params));
  assertEquals(
    text,
    `Workflow "copy"

source       iterable  iterable
stages       none: source items go straight to the sink
sink         none: results are counted, not kept
dead letter  none: failed items are counted, not kept
params       none
`,
  );
});

Deno.test("formatPolicy() names only what is set", () => {
  assertEquals(
    formatPolicy({
      onError: "fail-fast",
      attempts: 1,
      backoff: undefined,
      timeoutMs: undefined,
      maxFailures: null,
    }),
    "fail-fast",
  );
  assertEquals(
    formatPolicy({
      onError: "continue",
      attempts: 4,
      backoff: undefined,
      timeoutMs: 90_000,
      maxFailures: 0,
    }),
    "continue, 4 attempts, timeout 1:30, at most 0 failures",
  );
});
