/**
 * Errors across the thread boundary, without threads: what
 * `serializeThrown` makes survives `structuredClone`, and
 * `deserializeThrown` rebuilds the same class, name, message, stack,
 * cause, fields and aggregated errors.
 */

import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertStringIncludes,
} from "@std/assert";
import {
  deserializeThrown,
  serializeThrown,
} from "../../lib/workers/serialize_error.ts";

/** Through a structured clone, as a message would carry it. */
function roundTrip(thrown: unknown): unknown {
  return deserializeThrown(structuredClone(serializeThrown(thrown)));
}

class QuotaError extends Error {
  override name = "QuotaError";
  readonly limit = 10;
}

class Unnamed extends Error {}

Deno.test("serializeThrown() keeps a custom error's name, stack and fields", () => {
  const original = new QuotaError("over quota");
  const copy = roundTrip(original);
  assertInstanceOf(copy, Error);
  assertEquals(copy.name, "QuotaError");
  assertEquals(copy.message, "over quota");
  assertEquals(copy.stack, original.stack);
  assertEquals((copy as Error & { limit?: number }).limit, 10);
});

Deno.test("serializeThrown() names an error after its class when it has no name of its own", () => {
  const copy = roundTrip(new Unnamed("anonymous")) as Error;
  assertEquals(copy.name, "Unnamed");
  assert(copy.stack?.startsWith("Unnamed: anonymous"));
});

Deno.test("serializeThrown() rebuilds built-in classes and cause chains", () => {
  const original = new TypeError("outer", {
    cause: new RangeError("inner", { cause: { code: 7 } }),
  });
  const copy = roundTrip(original);
  assertInstanceOf(copy, TypeError);
  assertInstanceOf(copy.cause, RangeError);
  assertEquals((copy.cause as Error).cause, { code: 7 });
});

Deno.test("serializeThrown() keeps a DOMException's name", () => {
  const copy = roundTrip(new DOMException("stopped", "AbortError"));
  assertInstanceOf(copy, DOMException);
  assertEquals([copy.name, copy.message], ["AbortError", "stopped"]);
});

Deno.test("serializeThrown() keeps an AggregateError's errors", () => {
  const copy = roundTrip(
    new AggregateError([new Error("a"), "b"], "several"),
  );
  assertInstanceOf(copy, AggregateError);
  assertEquals(copy.message, "several");
  assertEquals((copy.errors[0] as Error).message, "a");
  assertEquals(copy.errors[1], "b");
});

Deno.test("serializeThrown() passes clonable non-errors through and describes the rest", () => {
  assertEquals(roundTrip("text"), "text");
  assertEquals(roundTrip(42), 42);
  assertEquals(roundTrip({ status: 500 }), { status: 500 });
  assertEquals(roundTrip(undefined), undefined);
  const symbol = roundTrip(Symbol("nope"));
  assertInstanceOf(symbol, TypeError);
  assertStringIncludes(symbol.message, "Symbol(nope)");
  const fn = roundTrip(function handler() {});
  assertInstanceOf(fn, TypeError);
  assertStringIncludes(fn.message, "handler");
});

Deno.test("serializeThrown() drops an unclonable cause's value but keeps the error", () => {
  const copy = roundTrip(new Error("outer", { cause: () => 1 })) as Error;
  assertEquals(copy.message, "outer");
  assertInstanceOf(copy.cause, TypeError);
});

Deno.test("serializeThrown() stops at a cause cycle", () => {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  const copy = roundTrip(a) as Error;
  assertEquals(copy.message, "a");
  assertEquals((copy.cause as Error).message, "b");
});
