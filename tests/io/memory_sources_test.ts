import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { fromIterable } from "../../lib/io/iterable_source.ts";
import { range } from "../../lib/io/range_source.ts";
import type { SourceReader } from "../../lib/io/types.ts";
import { context, readAll } from "./_helpers.ts";

Deno.test("range() counts from 0, or from start to end by step", async () => {
  assertEquals(await readAll(range(4)), [0, 1, 2, 3]);
  assertEquals(await readAll(range(2, 5)), [2, 3, 4]);
  assertEquals(await readAll(range(0, 1, 0.25)), [0, 0.25, 0.5, 0.75]);
  assertEquals(await readAll(range(5, 0, -2)), [5, 3, 1]);
  assertEquals(await readAll(range(5, 0)), []);
  assertEquals(await readAll(range(0)), []);
  assertEquals((await readAll(range(5000))).length, 5000);
  assertEquals([range(3).location, range(1, 9, 2).location], [
    "range(3)",
    "range(1, 9, 2)",
  ]);
});

Deno.test("range() rejects a step of 0 and bounds that are not finite", () => {
  assertThrows(() => range(0, 5, 0), RangeError, "0 never ends");
  assertThrows(() => range(Infinity), RangeError, "count");
  assertThrows(() => range(0, NaN), RangeError, "end");
});

Deno.test("range() reports items handed out against the total", async () => {
  const reader = range(3000).open(context());
  const iterator = reader[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.next();
  assertEquals(reader.progress(), { done: 2, total: 3000, unit: "items" });
  await iterator.return!();
});

Deno.test("fromIterable() reads arrays, generators and async iterables", async () => {
  assertEquals(await readAll(fromIterable([1, 2])), [1, 2]);
  function* letters() {
    yield "a";
    yield "b";
  }
  assertEquals(await readAll(fromIterable(letters())), ["a", "b"]);
  async function* later() {
    yield 1;
    await Promise.resolve();
    yield 2;
  }
  assertEquals(await readAll(fromIterable(later())), [1, 2]);
  assertEquals(await readAll(fromIterable(ReadableStream.from([3, 4]))), [
    3,
    4,
  ]);
  assertEquals(await readAll(fromIterable(new Set(["x"]))), ["x"]);
});

Deno.test("fromIterable() pulls lazily and stops the iterator when left early", async () => {
  let pulled = 0;
  let stopped = false;
  function* endless() {
    try {
      while (true) {
        pulled++;
        yield pulled;
      }
    } finally {
      stopped = true;
    }
  }
  const source = fromIterable(endless(), { name: "endless" });
  assertEquals([source.kind, source.location], ["iterable", "endless"]);
  const reader: SourceReader<number> = source.open(context());
  assertEquals(pulled, 0);
  for await (const n of reader) if (n === 3) break;
  assertEquals(pulled, 3);
  assertEquals(stopped, true);
  assertEquals(reader.progress(), { done: 3, total: undefined, unit: "items" });
});

Deno.test("fromIterable() stops with the signal's reason", async () => {
  const controller = new AbortController();
  const reader = fromIterable([1, 2, 3]).open(context(controller.signal));
  const reason = new Error("aborted run");
  await assertRejects(
    async () => {
      for await (const _ of reader) controller.abort(reason);
    },
    Error,
    "aborted run",
  );
});

Deno.test("fromIterable() rejects what is not iterable", () => {
  for (const value of [42, null, { length: 1 }]) {
    assertThrows(
      () => fromIterable(value as unknown as number[]),
      TypeError,
      "expected an iterable",
    );
  }
});
