/**
 * Compile-time checks of the workflow DSL: types flow from the source's
 * items through every stage to the sink. `deno check` (and `deno test`)
 * fail if a line marked `@ts-expect-error` compiles, or if a correct
 * workflow does not.
 *
 * @module
 */

import {
  collect,
  type DeadLetter,
  defineWorkflow,
  fromCsv,
  fromIterable,
  type Sink,
  type Source,
  toJsonl,
  type Workflow,
} from "../../mod.ts";
import { assert } from "@std/assert";

interface User {
  id: number;
  active: boolean;
}

function fetchUser(id: string, signal: AbortSignal): Promise<User> {
  signal.throwIfAborted();
  return Promise.resolve({ id: Number(id), active: id !== "0" });
}

const users: Source<{ id: string }> = fromIterable([{ id: "1" }, { id: "0" }]);

Deno.test("a well-typed workflow compiles and keeps its types", () => {
  const workflow = defineWorkflow({
    name: "enrich-users",
    params: {
      input: { type: "string", default: "data/users.csv" },
      batch: { type: "number", default: 100 },
    },
    source: (params) => fromCsv(params.input),
    concurrency: 10,
    rateLimit: "50/s",
    errors: {
      onError: "continue",
      retry: { attempts: 3, backoff: "exponential" },
      timeout: "5s",
    },
    pipeline: (rows) =>
      rows
        .map("fetch", (row, ctx) => fetchUser(row["id"] ?? "", ctx.signal), {
          concurrency: 20,
        })
        .filter("active", (user) => user.active)
        .batch(100)
        .map("save", (batch) => batch.length),
    sink: toJsonl<number>("out/users.jsonl"),
    deadLetter: toJsonl<DeadLetter>("out/failed.jsonl"),
  });
  const typed: Workflow<
    {
      readonly input: {
        readonly type: "string";
        readonly default: "data/users.csv";
      };
    } & {
      readonly batch: { readonly type: "number"; readonly default: 100 };
    },
    Record<string, string>,
    number
  > = workflow;
  assert(typed.name === "enrich-users");
});

Deno.test("a stage that takes the wrong type does not compile", () => {
  defineWorkflow({
    name: "bad-stage",
    source: users,
    // @ts-expect-error: rows carry a string id, the stage wants a number
    pipeline: (rows) => rows.map((row: { id: number }) => row.id + 1),
  });
  defineWorkflow({
    name: "bad-chain",
    source: users,
    pipeline: (rows) =>
      rows
        .map((row) => row.id.length)
        // @ts-expect-error: the previous stage outputs numbers
        .map((text: string) => text.toUpperCase()),
  });
  assert(true);
});

Deno.test("a sink that cannot hold the output does not compile", () => {
  // The compiler reports the mismatch at the pipeline, whose output type
  // the sink fixes, or at the call when there is no pipeline.
  defineWorkflow({
    name: "bad-sink",
    source: users,
    // @ts-expect-error: the pipeline outputs numbers, the sink takes strings
    pipeline: (rows) => rows.map((row) => row.id.length),
    sink: collect<string>(),
  });
  // @ts-expect-error: without stages the sink receives the source rows
  defineWorkflow({
    name: "bad-sink-without-stages",
    source: users,
    sink: collect<number>(),
  });
  const anything: Sink<unknown> = collect<unknown>();
  defineWorkflow({ name: "sink-of-unknown", source: users, sink: anything });
  assert(true);
});

Deno.test("params are typed from their declaration", () => {
  defineWorkflow({
    name: "typed-params",
    params: { count: { type: "number", default: 3 } },
    // @ts-expect-error: count is a number, fromCsv wants a path
    source: (params) => fromCsv(params.count),
  });
  defineWorkflow({
    name: "param-used-right",
    params: { count: { type: "number", default: 3 } },
    source: (params) =>
      fromIterable(Array.from({ length: params.count }, (_, i) => i)),
    pipeline: (rows) => rows.map((n) => n.toFixed(1)),
    sink: collect<string>(),
  });
  assert(true);
});

Deno.test("a type-guard filter narrows the item type", () => {
  defineWorkflow({
    name: "narrow",
    source: fromIterable<string | number>([1, "a"]),
    pipeline: (rows) =>
      rows
        .filter((item): item is number => typeof item === "number")
        .map((n) => n.toFixed(2)),
    sink: collect<string>(),
  });
  defineWorkflow({
    name: "not-narrowed",
    source: fromIterable<string | number>([1, "a"]),
    pipeline: (rows) =>
      rows
        .filter((item) => String(item).length > 0)
        // @ts-expect-error: a plain boolean filter does not narrow
        .map((n: number) => n.toFixed(2)),
  });
  assert(true);
});
