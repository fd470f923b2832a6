/**
 * Validation of workflows before anything runs: `planWorkflow` and `run`
 * throw a `WorkflowError` naming the file, the field, the bad value and the
 * accepted forms; and the run's overrides resolve against the workflow.
 */

import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  type AnyWorkflow,
  collect,
  defineWorkflow,
  fromIterable,
  type PlanOptions,
  planWorkflow,
  run,
  type Sink,
  type Source,
  type StageFn,
  type StageOptions,
  WorkflowError,
} from "../../mod.ts";

// ---------------------------------------------------------------- helpers

/** `defineWorkflow` for specs the types reject, as a JavaScript workflow file may write them. */
const untyped = defineWorkflow as unknown as (
  spec: Record<string, unknown>,
) => AnyWorkflow;

/** Stage options the types reject. */
const badOptions = (options: Record<string, unknown>): StageOptions =>
  options as StageOptions;

const numbers = (): Source<number> => fromIterable([1, 2, 3]);
const double = (n: number): number => n * 2;

/** A workflow with one map stage "fetch" with the given options. */
function withFetchOptions(options: Record<string, unknown>): AnyWorkflow {
  return defineWorkflow({
    name: "w",
    source: numbers(),
    pipeline: (rows) => rows.map("fetch", double, badOptions(options)),
  });
}

/** The `WorkflowError` planning throws, with the file set to `w.ts`. */
function planError(
  workflow: unknown,
  options: PlanOptions = {},
): WorkflowError {
  return assertThrows(
    () => planWorkflow(workflow, { file: "w.ts", ...options }),
    WorkflowError,
  );
}

// ------------------------------------------------------------ unknown keys

Deno.test("planWorkflow() rejects an unknown workflow key and suggests the one meant", () => {
  const error = planError(
    untyped({ name: "w", source: numbers(), concurrancy: 4 }),
  );
  assertEquals(error.path, "workflow.concurrancy");
  assertEquals(error.file, "w.ts");
  assertStringIncludes(error.message, "w.ts: ");
  assertStringIncludes(error.message, 'Unknown workflow option "concurrancy"');
  assertStringIncludes(error.message, '(did you mean "concurrency"?)');
  assertStringIncludes(error.message, "allowed are name, description");
});

Deno.test("planWorkflow() rejects an unknown key without a suggestion when nothing is close", () => {
  const error = planError(
    untyped({ name: "w", source: numbers(), flavour: "vanilla" }),
  );
  assertEquals(error.path, "workflow.flavour");
  assert(!error.message.includes("did you mean"), error.message);
});

Deno.test("planWorkflow() rejects an unknown stage option and suggests the one meant", () => {
  const error = planError(withFetchOptions({ concurrancy: 4 }));
  assertEquals(error.path, 'pipeline stage "fetch".concurrancy');
  assertStringIncludes(error.message, '(did you mean "concurrency"?)');
});

Deno.test("planWorkflow() rejects an unknown key in the workflow's errors", () => {
  const error = planError(
    untyped({ name: "w", source: numbers(), errors: { retyr: 3 } }),
  );
  assertEquals(error.path, "errors.retyr");
  assertStringIncludes(error.message, '(did you mean "retry"?)');
});

Deno.test("planWorkflow() rejects an unknown key in a stage's errors.retry", () => {
  const error = planError(
    withFetchOptions({ errors: { retry: { attempt: 3 } } }),
  );
  assertEquals(error.path, 'pipeline stage "fetch": errors.retry.attempt');
  assertStringIncludes(error.message, '(did you mean "attempts"?)');
});

Deno.test("planWorkflow() rejects an unknown key in a param declaration", () => {
  const error = planError(untyped({
    name: "w",
    params: { count: { type: "number", defualt: 3 } },
    source: numbers(),
  }));
  assertEquals(error.path, "params.count.defualt");
  assertStringIncludes(error.message, '(did you mean "default"?)');
});

// ------------------------------------------------------------ wrong values

Deno.test("planWorkflow() rejects a stage concurrency that is not an integer >= 1, naming file, field and value", () => {
  const cases: [unknown, string][] = [
    [0, "got 0"],
    [1.5, "got 1.5"],
    [NaN, "got NaN"],
    ["8", 'got "8"'],
  ];
  for (const [value, got] of cases) {
    const error = planError(withFetchOptions({ concurrency: value }));
    assertEquals(error.path, 'pipeline stage "fetch": concurrency');
    assertEquals(
      error.message,
      `w.ts: Invalid pipeline stage "fetch": concurrency: expected an integer >= 1, ${got}`,
    );
  }
});

Deno.test("planWorkflow() rejects a workflow concurrency of 0", () => {
  const error = planError(
    untyped({ name: "w", source: numbers(), concurrency: 0 }),
  );
  assertEquals(error.path, "concurrency");
  assertStringIncludes(error.message, "expected an integer >= 1, got 0");
});

Deno.test("planWorkflow() rejects a rate limit it cannot parse, showing the accepted forms", () => {
  const error = planError(withFetchOptions({ rateLimit: "fast" }));
  assertEquals(error.path, 'pipeline stage "fetch": rateLimit');
  assertStringIncludes(error.message, '"fast"');
  assertStringIncludes(error.message, '"50/s"');
});

Deno.test("planWorkflow() rejects a workflow rate limit it cannot parse", () => {
  const error = planError(
    untyped({ name: "w", source: numbers(), rateLimit: "10 per second" }),
  );
  assertEquals(error.path, "rateLimit");
  assertStringIncludes(error.message, '"10 per second"');
});

Deno.test("planWorkflow() rejects a timeout it cannot parse", () => {
  const error = planError(withFetchOptions({ errors: { timeout: "soon" } }));
  assertStringIncludes(error.path, 'pipeline stage "fetch": errors');
  assertStringIncludes(error.message, 'pipeline stage "fetch": errors.timeout');
  assertStringIncludes(error.message, '"soon"');
  assertStringIncludes(error.message, '"5s"');
});

Deno.test("planWorkflow() rejects an onError that is neither fail-fast nor continue", () => {
  const error = planError(
    untyped({ name: "w", source: numbers(), errors: { onError: "ignore" } }),
  );
  assertStringIncludes(error.path, "errors");
  assertStringIncludes(error.message, "errors.onError");
  assertStringIncludes(error.message, '"fail-fast", "continue"');
  assertStringIncludes(error.message, 'got "ignore"');
});

Deno.test("planWorkflow() rejects retry.attempts of 0", () => {
  const error = planError(
    withFetchOptions({ errors: { retry: { attempts: 0 } } }),
  );
  assertStringIncludes(
    error.message,
    'pipeline stage "fetch": errors.retry.attempts: expected an integer >= 1, got 0',
  );
});

Deno.test("planWorkflow() rejects a batch size of 0", () => {
  const error = planError(defineWorkflow({
    name: "w",
    source: numbers(),
    pipeline: (rows) => rows.batch(0),
  }));
  assertStringIncludes(error.path, 'pipeline stage "batch-1"');
  assertStringIncludes(
    error.message,
    'pipeline stage "batch-1": size: expected an integer >= 1, got 0',
  );
});

Deno.test("planWorkflow() rejects a stage function that is not a function", () => {
  const error = planError(defineWorkflow({
    name: "w",
    source: numbers(),
    pipeline: (rows) =>
      rows.map(
        "fetch",
        "https://example.com" as unknown as StageFn<number, number>,
      ),
  }));
  assertEquals(error.path, 'pipeline stage "fetch"');
  assertStringIncludes(error.message, "expected a function");
  assertStringIncludes(error.message, '"https://example.com"');
});

Deno.test("planWorkflow() rejects two stages with the same name", () => {
  const error = planError(defineWorkflow({
    name: "w",
    source: numbers(),
    pipeline: (rows) => rows.map("step", double).map("step", double),
  }));
  assertEquals(error.path, 'pipeline stage "step"');
  assertStringIncludes(error.message, 'Duplicate stage name "step"');
});

Deno.test("planWorkflow() rejects a pipeline function that does not return the chain", () => {
  const error = planError(untyped({
    name: "w",
    source: numbers(),
    pipeline: (rows: { map: (f: StageFn<number, number>) => unknown }) => {
      rows.map(double);
    },
  }));
  assertEquals(error.path, "pipeline");
  assertStringIncludes(error.message, "must return the chain");
  assertStringIncludes(error.message, "got undefined");
});

Deno.test("planWorkflow() reports a pipeline function that throws, keeping the cause", () => {
  const thrown = new Error("no stages today");
  const error = planError(defineWorkflow({
    name: "w",
    source: numbers(),
    pipeline: (): never => {
      throw thrown;
    },
  }));
  assertEquals(error.path, "pipeline");
  assertStringIncludes(error.message, "no stages today");
  assertStrictEquals(error.cause, thrown);
});

Deno.test("planWorkflow() rejects a source that is not a source", () => {
  const error = planError(untyped({ name: "w", source: [1, 2, 3] }));
  assertEquals(error.path, "source");
  assertStringIncludes(error.message, "fromIterable(items)");
  assertStringIncludes(error.message, "got an array");
});

Deno.test("planWorkflow() rejects a sink or dead-letter sink that is not a sink", () => {
  const sinkError = planError(
    untyped({ name: "w", source: numbers(), sink: "out.jsonl" }),
  );
  assertEquals(sinkError.path, "sink");
  assertStringIncludes(sinkError.message, 'got "out.jsonl"');
  const deadLetterError = planError(
    untyped({ name: "w", source: numbers(), deadLetter: 42 }),
  );
  assertEquals(deadLetterError.path, "deadLetter");
  assertStringIncludes(deadLetterError.message, "got 42");
});

Deno.test("planWorkflow() rejects a value not made by defineWorkflow", () => {
  const error = planError({ name: "w", source: numbers() });
  assertEquals(error.path, "default export");
  assertStringIncludes(error.message, "Not a workflow");
  assertStringIncludes(error.message, "defineWorkflow");
  assertEquals(planError(undefined).path, "default export");
});

// ------------------------------------------------------------------ params

const counted = defineWorkflow({
  name: "counted",
  params: {
    count: { type: "number" },
    loud: { type: "boolean", default: false },
    label: { type: "string", default: "n" },
  },
  source: (params) =>
    fromIterable(Array.from({ length: params.count }, (_, i) => i)),
});

Deno.test("planWorkflow() converts param strings to their declared types", () => {
  const plan = planWorkflow(counted, {
    params: { count: "3", loud: "true", label: "x" },
  });
  assertEquals(plan.params, { count: 3, loud: true, label: "x" });
  assertEquals(
    planWorkflow(counted, { params: { count: 2, loud: "0" } }).params,
    { count: 2, loud: false, label: "n" },
  );
});

Deno.test("planWorkflow() rejects a missing required param, telling how to pass it", () => {
  const error = planError(counted);
  assertEquals(error.path, "params.count");
  assertStringIncludes(error.message, 'Missing param "count" (number)');
  assertStringIncludes(error.message, "--param count=<number>");
});

Deno.test("planWorkflow() rejects an unknown param, listing the declared ones", () => {
  const error = planError(counted, { params: { count: 1, cuont: 2 } });
  assertEquals(error.path, "params.cuont");
  assertStringIncludes(error.message, "this workflow takes count, loud, label");
});

Deno.test("planWorkflow() rejects a param value that does not convert to its type", () => {
  const number = planError(counted, { params: { count: "x" } });
  assertEquals(number.path, "params.count");
  assertStringIncludes(number.message, 'expected a number, got "x"');
  const empty = planError(counted, { params: { count: " " } });
  assertStringIncludes(empty.message, "expected a number");
  const boolean = planError(counted, { params: { count: 1, loud: "yes" } });
  assertEquals(boolean.path, "params.loud");
  assertStringIncludes(boolean.message, 'expected a boolean, got "yes"');
});

Deno.test("planWorkflow() makes the source from the params", async () => {
  const plan = planWorkflow(counted, { params: { count: "4" } });
  const reader = plan.source.open({ signal: new AbortController().signal });
  assertEquals(await Array.fromAsync(reader), [0, 1, 2, 3]);
});

Deno.test("planWorkflow() reports a source or sink factory that throws, keeping the cause", () => {
  const thrown = new Error("no such file: in.csv");
  const sourceError = planError(untyped({
    name: "w",
    source: () => {
      throw thrown;
    },
  }));
  assertEquals(sourceError.path, "source");
  assertStringIncludes(sourceError.message, "Cannot make the source");
  assertStringIncludes(sourceError.message, "no such file: in.csv");
  assertStrictEquals(sourceError.cause, thrown);
  const sinkError = planError(untyped({
    name: "w",
    source: numbers(),
    sink: () => {
      throw new Error("read-only disk");
    },
  }));
  assertEquals(sinkError.path, "sink");
  assertStringIncludes(sinkError.message, "read-only disk");
});

// -------------------------------------------------------------- overrides

const layered = defineWorkflow({
  name: "layered",
  source: numbers(),
  concurrency: 4,
  errors: { onError: "continue", retry: { attempts: 3 }, timeout: "1s" },
  pipeline: (rows) =>
    rows
      .map("own", double, {
        concurrency: 16,
        errors: { timeout: "5s", onError: "continue" },
      })
      .map("default", double),
});

Deno.test("planWorkflow() gives stages the workflow's concurrency unless they set their own", () => {
  const plan = planWorkflow(layered);
  assertEquals(plan.stages.map((s) => [s.spec.name, s.concurrency]), [
    ["own", 16],
    ["default", 4],
  ]);
});

Deno.test("planWorkflow() defaults concurrency to 8", () => {
  const plan = planWorkflow(defineWorkflow({
    name: "w",
    source: numbers(),
    pipeline: (rows) => rows.map(double),
  }));
  assertEquals(plan.stages[0]?.concurrency, 8);
});

Deno.test("planWorkflow() lets options.concurrency change the default but not a stage's own", () => {
  const plan = planWorkflow(layered, { concurrency: 2 });
  assertEquals(plan.stages.map((s) => s.concurrency), [16, 2]);
});

Deno.test("planWorkflow() rejects a bad options.concurrency", () => {
  assertEquals(planError(layered, { concurrency: -1 }).path, "concurrency");
});

Deno.test("planWorkflow() merges a stage's errors over the workflow's field by field", () => {
  const plan = planWorkflow(layered);
  const [own, fallback] = plan.stages;
  assertEquals(own?.errors, {
    onError: "continue",
    retry: { attempts: 3 },
    timeout: "5s",
  });
  assertEquals(own?.policy.timeoutMs, 5000);
  assertEquals(own?.policy.attempts, 3);
  assertEquals(fallback?.policy.timeoutMs, 1000);
});

Deno.test("planWorkflow() lets options.onError override every stage's error mode", () => {
  const plan = planWorkflow(layered, { onError: "fail-fast" });
  assertEquals(plan.stages.map((s) => s.policy.failFast), [true, true]);
  assertEquals(plan.stages[0]?.policy.timeoutMs, 5000);
});

Deno.test("planWorkflow() uses options.sink instead of the workflow's sink", () => {
  const own = collect<number>();
  const override = collect<unknown>();
  const workflow = defineWorkflow({ name: "w", source: numbers(), sink: own });
  assertStrictEquals(planWorkflow(workflow).sink, own);
  assertStrictEquals(planWorkflow(workflow, { sink: override }).sink, override);
});

Deno.test("planWorkflow() takes options.limit as an integer >= 1", () => {
  assertEquals(planWorkflow(layered, { limit: 2 }).limit, 2);
  assertEquals(planWorkflow(layered).limit, undefined);
  const error = planError(layered, { limit: 0 });
  assertEquals(error.path, "limit");
  assertStringIncludes(error.message, "got 0");
});

// ---------------------------------------------------------- run() checks

Deno.test("run() throws the WorkflowError synchronously and opens nothing", () => {
  let opened = 0;
  const source: Source<number> = {
    kind: "counting",
    location: "memory",
    open(context) {
      opened++;
      return fromIterable([1]).open(context);
    },
  };
  const sink: Sink<number> = {
    kind: "counting",
    location: "memory",
    open() {
      opened++;
      return collect<number>().open({ signal: new AbortController().signal });
    },
  };
  const workflow = defineWorkflow({
    name: "w",
    source,
    sink,
    pipeline: (rows) =>
      rows.map("fetch", double, badOptions({ concurrency: 0 })),
  });
  const error = assertThrows(
    () => run(workflow, { file: "jobs/w.ts" }),
    WorkflowError,
  );
  assertEquals(error.file, "jobs/w.ts");
  assertEquals(error.path, 'pipeline stage "fetch": concurrency');
  assertEquals(opened, 0);
});

Deno.test("run() rejects a value not made by defineWorkflow", () => {
  assertThrows(
    () => run({ name: "w", source: numbers() } as unknown as AnyWorkflow),
    WorkflowError,
    "Not a workflow",
  );
});

Deno.test("run() rejects a progressInterval it cannot parse with a WorkflowError", () => {
  const workflow = defineWorkflow({ name: "w", source: numbers() });
  const error = assertThrows(
    () => run(workflow, { progressInterval: "often" as `${number}s` }),
    WorkflowError,
  );
  assertEquals(error.path, "progressInterval");
  assertStringIncludes(error.message, '"often"');
});
