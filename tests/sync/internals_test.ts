import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
} from "@std/assert";
import fc from "fast-check";
import { RingQueue } from "../../lib/sync/ring_queue.ts";
import { type Parked, WaitList } from "../../lib/sync/wait_list.ts";

interface Entry extends Parked {
  readonly id: number;
  readonly rejections: unknown[];
}

function entry(id: number, signal?: AbortSignal): Entry {
  const rejections: unknown[] = [];
  return {
    id,
    signal,
    rejections,
    reject: (reason) => rejections.push(reason),
  };
}

/** Shifts every entry and returns their ids in order. */
function drain(list: WaitList<Entry>): number[] {
  const ids: number[] = [];
  for (let e = list.shift(); e; e = list.shift()) ids.push(e.id);
  return ids;
}

// ---------------------------------------------------------------------------
// WaitList

Deno.test("WaitList.shift() returns entries in FIFO order and undefined when empty", () => {
  const list = new WaitList<Entry>();
  assertEquals(list.size, 0);
  assertEquals(list.shift(), undefined);
  for (const id of [1, 2, 3]) list.push(entry(id));
  assertEquals(list.size, 3);
  assertEquals(drain(list), [1, 2, 3]);
  assertEquals(list.size, 0);
  assertEquals(list.shift(), undefined);
});

Deno.test("WaitList can be refilled after it was emptied", () => {
  const list = new WaitList<Entry>();
  list.push(entry(1));
  list.shift();
  list.push(entry(2));
  list.push(entry(3));
  assertEquals(drain(list), [2, 3]);
});

Deno.test("WaitList removes an aborted entry at once and rejects it with the signal's reason", () => {
  for (const position of [0, 1, 2]) {
    const list = new WaitList<Entry>();
    const controllers = [0, 1, 2].map(() => new AbortController());
    const entries = controllers.map((c, id) => entry(id, c.signal));
    for (const e of entries) list.push(e);
    const reason = new Error(`abort ${position}`);
    controllers[position]!.abort(reason);
    assertEquals(list.size, 2);
    assertEquals(entries[position]!.rejections.length, 1);
    assertStrictEquals(entries[position]!.rejections[0], reason);
    assertEquals(
      drain(list),
      [0, 1, 2].filter((id) => id !== position),
      `after aborting position ${position}`,
    );
  }
});

Deno.test("WaitList keeps a consistent order when every entry aborts in any order", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }).chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.shuffledSubarray([...Array(n).keys()]),
        )
      ),
      ([n, toAbort]) => {
        const list = new WaitList<Entry>();
        const controllers = Array.from(
          { length: n },
          () => new AbortController(),
        );
        controllers.forEach((c, id) => list.push(entry(id, c.signal)));
        for (const id of toAbort) controllers[id]!.abort();
        assertEquals(list.size, n - toAbort.length);
        const aborted = new Set(toAbort);
        assertEquals(
          drain(list),
          [...Array(n).keys()].filter((id) => !aborted.has(id)),
        );
        // The list is usable afterwards.
        list.push(entry(99));
        assertEquals(drain(list), [99]);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("WaitList calls onAbandon after an aborted entry has left the list", () => {
  const sizes: number[] = [];
  const list: WaitList<Entry> = new WaitList<Entry>(() =>
    sizes.push(list.size)
  );
  const a = new AbortController();
  const b = new AbortController();
  list.push(entry(1, a.signal));
  list.push(entry(2, b.signal));
  a.abort();
  b.abort();
  assertEquals(sizes, [1, 0]);
});

Deno.test("WaitList.shift() detaches the abort listener so a later abort does nothing", () => {
  let abandoned = 0;
  const list = new WaitList<Entry>(() => abandoned++);
  const controller = new AbortController();
  const e = entry(1, controller.signal);
  list.push(e);
  list.push(entry(2));
  assertStrictEquals(list.shift(), e);
  controller.abort();
  assertEquals(e.rejections, []);
  assertEquals(abandoned, 0);
  assertEquals(list.size, 1);
  assertEquals(drain(list), [2]);
});

Deno.test("WaitList entries sharing one signal all leave when it aborts", () => {
  const list = new WaitList<Entry>();
  const controller = new AbortController();
  const shared = [1, 2, 3].map((id) => entry(id, controller.signal));
  list.push(entry(0));
  for (const e of shared) list.push(e);
  list.push(entry(4));
  controller.abort("bye");
  assertEquals(list.size, 2);
  assert(shared.every((e) => e.rejections.length === 1));
  assert(shared.every((e) => e.rejections[0] === "bye"));
  assertEquals(drain(list), [0, 4]);
});

Deno.test("WaitList entries without a signal cannot be aborted", () => {
  const list = new WaitList<Entry>();
  const e = entry(1);
  list.push(e);
  assertEquals(list.size, 1);
  assertStrictEquals(list.shift(), e);
  assertEquals(e.rejections, []);
});

// ---------------------------------------------------------------------------
// RingQueue

Deno.test("RingQueue.shift() returns items in FIFO order and undefined when empty", () => {
  const queue = new RingQueue<string>();
  assertEquals(queue.size, 0);
  assertEquals(queue.shift(), undefined);
  queue.push("a");
  queue.push("b");
  assertEquals(queue.size, 2);
  assertEquals(queue.shift(), "a");
  assertEquals(queue.shift(), "b");
  assertEquals(queue.shift(), undefined);
  assertEquals(queue.size, 0);
});

Deno.test("RingQueue grows past its initial capacity and keeps FIFO order", () => {
  const queue = new RingQueue<number>(2);
  for (let i = 0; i < 1000; i++) queue.push(i);
  assertEquals(queue.size, 1000);
  for (let i = 0; i < 1000; i++) assertEquals(queue.shift(), i);
  assertEquals(queue.size, 0);
});

Deno.test("RingQueue grows correctly while its contents wrap around the end", () => {
  const queue = new RingQueue<number>(4);
  for (let i = 0; i < 4; i++) queue.push(i);
  // Move the head forward so the next pushes wrap around.
  assertEquals(queue.shift(), 0);
  assertEquals(queue.shift(), 1);
  for (let i = 4; i < 12; i++) queue.push(i);
  const out: (number | undefined)[] = [];
  while (queue.size > 0) out.push(queue.shift());
  assertEquals(out, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

Deno.test("RingQueue keeps falsy values such as 0, empty string and null", () => {
  const queue = new RingQueue<number | string | null | boolean>();
  for (const value of [0, "", null, false]) queue.push(value);
  assertEquals(queue.size, 4);
  assertStrictEquals(queue.shift(), 0);
  assertStrictEquals(queue.shift(), "");
  assertStrictEquals(queue.shift(), null);
  assertStrictEquals(queue.shift(), false);
});

Deno.test("RingQueue.clear() empties the queue, which stays usable", () => {
  const queue = new RingQueue<number>();
  for (let i = 0; i < 20; i++) queue.push(i);
  queue.shift();
  queue.clear();
  assertEquals(queue.size, 0);
  assertEquals(queue.shift(), undefined);
  queue.push(7);
  queue.push(8);
  assertEquals(queue.shift(), 7);
  assertEquals(queue.shift(), 8);
});

Deno.test("RingQueue accepts a zero or odd initial capacity", () => {
  for (const capacity of [0, 1, 3, 5, 17]) {
    const queue = new RingQueue<number>(capacity);
    for (let i = 0; i < 40; i++) queue.push(i);
    for (let i = 0; i < 40; i++) assertEquals(queue.shift(), i);
  }
});

Deno.test("RingQueue behaves like an array used as a FIFO under random pushes and shifts", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 20 }),
      fc.array(fc.oneof(fc.integer(), fc.constant<"shift">("shift")), {
        maxLength: 300,
      }),
      (capacity, ops) => {
        const queue = new RingQueue<number>(capacity);
        const model: number[] = [];
        for (const op of ops) {
          if (op === "shift") assertEquals(queue.shift(), model.shift());
          else {
            queue.push(op);
            model.push(op);
          }
          assertEquals(queue.size, model.length);
        }
        while (model.length > 0) assertEquals(queue.shift(), model.shift());
        assertFalse(queue.size > 0);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("RingQueue works at both ends across growth: unshift, pop, peek and takeAll", () => {
  const queue = new RingQueue<number>(4);
  for (let i = 1; i <= 6; i++) queue.push(i);
  queue.unshift(0);
  queue.unshift(-1);
  assertEquals(queue.peek(), -1);
  assertEquals(queue.pop(), 6);
  assertEquals(queue.size, 7);
  assertEquals(queue.takeAll(), [-1, 0, 1, 2, 3, 4, 5]);
  assertEquals([queue.size, queue.peek(), queue.pop()], [
    0,
    undefined,
    undefined,
  ]);
});
