/**
 * `jsonSafe()`: what a dead letter holds in place of what JSON cannot.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { jsonSafe } from "../../lib/io/json_safe.ts";

Deno.test("jsonSafe() keeps JSON data as JSON.stringify writes it", () => {
  const shared = { x: 1 };
  const data = {
    s: "a",
    n: 1.5,
    b: true,
    z: null,
    u: undefined,
    list: [1, "two", null, shared],
    again: shared, // seen twice, not a cycle
    when: new Date(0),
    boxed: new Number(3),
  };
  assertEquals(JSON.stringify(jsonSafe(data)), JSON.stringify(data));
});

Deno.test("jsonSafe() describes what has no JSON form", () => {
  const cycle: unknown[] = [1];
  cycle.push(cycle);
  const value = {
    big: -12n,
    cycle,
    named: function hello() {},
    anonymous: [() => {}][0],
    symbol: Symbol("tag"),
    broken: {
      toJSON() {
        throw new RangeError("nope");
      },
    },
    get unreadable(): never {
      throw new Error("secret");
    },
  };
  assertEquals(JSON.parse(JSON.stringify(jsonSafe(value))), {
    big: "-12n",
    cycle: [1, "[Circular]"],
    named: "[Function hello]",
    anonymous: "[Function]",
    symbol: "[Symbol(tag)]",
    broken: "[toJSON threw: RangeError: nope]",
    unreadable: "[Unreadable: Error: secret]",
  });
  assertEquals(jsonSafe(5n), "5n");
});
