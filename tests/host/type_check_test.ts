/**
 * Keeping `deno check`'s output short and readable.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { summarizeCheckOutput } from "../../host/type_check.ts";

Deno.test("summarizeCheckOutput() keeps the first diagnostic, without colours, backtrace or URLs", () => {
  const output = [
    "\x1b[0m\x1b[32mCheck\x1b[0m file:///work/etl.ts",
    "\x1b[0m\x1b[1mTS2322 \x1b[0m[\x1b[0m\x1b[1;31mERROR\x1b[0m]: Type 'string' is not assignable to type 'number'.",
    'const n: number = "x";',
    "      ^",
    "    at \x1b[0m\x1b[36mfile:///work/flows/etl.ts\x1b[0m:\x1b[0m\x1b[33m2\x1b[0m:\x1b[0m\x1b[33m7\x1b[0m",
    "",
    "error: Type checking failed.",
    "",
    "Stack backtrace:",
    "   0: <unknown>",
    "   1: deno::main",
  ].join("\n");
  assertEquals(
    summarizeCheckOutput(output, "/work"),
    [
      "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.",
      'const n: number = "x";',
      "      ^",
      "    at flows/etl.ts:2:7",
    ].join("\n"),
  );
});

Deno.test("summarizeCheckOutput() cuts a long diagnostic and counts the others", () => {
  const long = Array.from({ length: 12 }, (_, i) => `line ${i}`);
  const output = [...long, "", "TS1 [ERROR]: second", "", "Found 3 errors.", ""]
    .join("\n");
  assertEquals(
    summarizeCheckOutput(output, "/work"),
    [...long.slice(0, 8), "…", "(Found 3 errors.)"].join("\n"),
  );
});

Deno.test("summarizeCheckOutput() keeps other failures, such as a missing import", () => {
  assertEquals(
    summarizeCheckOutput(
      'error: Module not found "file:///srv/flows/lib.ts".\n    at file:///srv/flows/etl.ts:1:20\n',
      "/work",
    ),
    'error: Module not found "/srv/flows/lib.ts".\n    at /srv/flows/etl.ts:1:20',
  );
  assertEquals(
    summarizeCheckOutput("", "/work"),
    "deno check failed without a message",
  );
});

Deno.test("summarizeCheckOutput() drops an overload error's chain, keeping its hint, source line and location", () => {
  const output = [
    "TS2769 [ERROR]: No overload matches this call.",
    "  Overload 1 of 2, '(spec: WorkflowSpec<...>): Workflow<...>', gave the following error.",
    "    Object literal may only specify known properties, but 'concurency' does not exist in type 'WorkflowSpec<...>'. Did you mean to write 'concurrency'?",
    "  Overload 2 of 2, '(spec: WorkflowSpec<...>): Workflow<...>', gave the following error.",
    "    Type '(rows: Pipeline<number>) => Pipeline<number>' is not assignable to type 'never'.",
    "  concurency: 4,",
    "  ~~~~~~~~~~",
    "    at file:///work/etl.ts:6:3",
    "",
    "error: Type checking failed.",
  ].join("\n");
  assertEquals(
    summarizeCheckOutput(output, "/work"),
    [
      "TS2769 [ERROR]: No overload matches this call.",
      "  Did you mean to write 'concurrency'?",
      "  concurency: 4,",
      "  ~~~~~~~~~~",
      "    at etl.ts:6:3",
      '(run "deno check" on the file for the whole message)',
    ].join("\n"),
  );
});

Deno.test("summarizeCheckOutput() keeps the most specific reason of a chain without a hint", () => {
  const output = [
    "TS2769 [ERROR]: No overload matches this call.",
    "  Overload 1 of 2, '(fn: StageFn<number, unknown>)', gave the following error.",
    "    Argument of type 'string' is not assignable to parameter of type 'StageFn<number, unknown>'.",
    "  Overload 2 of 2, '(name: string, fn: StageFn<number, number>)', gave the following error.",
    "    Argument of type '(s: string) => number' is not assignable to parameter of type 'StageFn<number, number>'.",
    "      Types of parameters 's' and 'item' are incompatible.",
    "        Type 'number' is not assignable to type 'string'.",
    'rows.map("length", (s: string) => s.length)',
    "         ~~~",
    "    at file:///work/etl.ts:4:12",
    "",
    "Found 2 errors.",
  ].join("\n");
  assertEquals(
    summarizeCheckOutput(output, "/work"),
    [
      "TS2769 [ERROR]: No overload matches this call.",
      "  Type 'number' is not assignable to type 'string'.",
      'rows.map("length", (s: string) => s.length)',
      "         ~~~",
      "    at etl.ts:4:12",
      '(run "deno check" on the file for the whole message)',
      "(Found 2 errors.)",
    ].join("\n"),
  );
});
