import {
  assert,
  assertEquals,
  assertFalse,
  assertLessOrEqual,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import fc from "fast-check";
import { type Permit, Semaphore } from "../../lib/sync/semaphore.ts";

/** Lets every pending promise callback run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}

/** Tracks a promise so a test can ask whether it settled yet. */
function track<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
} {
  const state = {
    settled: false,
    value: undefined as T | undefined,
    error: undefined as unknown,
  };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Counts the abort listeners currently attached to `signal`. */
function countListeners(signal: AbortSignal): () => number {
  const live = new Set<EventListenerOrEventListenerObject>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void => {
    if (type === "abort") {
      live.add(listener);
      if (typeof options === "object" && options.once) {
        // A `once` listener leaves after it runs.
        add(type, () => live.delete(listener), { once: true });
      }
    }
    add(type, listener, options);
  };
  signal.removeEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void => {
    if (type === "abort") live.delete(listener);
    remove(type, listener, options);
  };
  return () => live.size;
}

Deno.test("new Semaphore() exposes its limit with nobody running or waiting", () => {
  const sem = new Semaphore(3);
  assertEquals(sem.limit, 3);
  assertEquals(sem.running, 0);
  assertEquals(sem.waiting, 0);
});

Deno.test("new Semaphore() accepts 0 and Infinity as limits", async () => {
  assertEquals(new Semaphore(0).limit, 0);
  const unbounded = new Semaphore(Infinity);
  const permits = await Promise.all(
    Array.from({ length: 100 }, () => unbounded.acquire()),
  );
  assertEquals(unbounded.running, 100);
  for (const permit of permits) permit.release();
  assertEquals(unbounded.running, 0);
});

Deno.test("new Semaphore() rejects a negative, fractional or NaN limit with a RangeError naming it", () => {
  for (const bad of [-1, 1.5, NaN, -Infinity]) {
    const error = assertThrows(
      () => new Semaphore(bad),
      RangeError,
      "semaphore limit",
    );
    assertStringIncludes(error.message, String(bad));
  }
});

Deno.test("new Semaphore() rejects a non-number limit with a TypeError", () => {
  assertThrows(
    () => new Semaphore("2" as unknown as number),
    TypeError,
    'got "2"',
  );
});

Deno.test("Semaphore limit, running and waiting are read-only", () => {
  const sem = new Semaphore(1);
  const writable = sem as unknown as Record<string, unknown>;
  for (const key of ["limit", "running", "waiting"]) {
    assertThrows(() => {
      writable[key] = 99;
    }, TypeError);
  }
  assertEquals(sem.limit, 1);
  assertEquals(sem.running, 0);
  assertEquals(sem.waiting, 0);
});

Deno.test("Semaphore.acquire() resolves at once while permits are free", async () => {
  const sem = new Semaphore(2);
  const a = await sem.acquire();
  const b = await sem.acquire();
  assertEquals(sem.running, 2);
  assertFalse(a.released);
  a.release();
  b.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.acquire() waits while every permit is held", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const waiting = track(sem.acquire());
  await flush();
  assertFalse(waiting.settled);
  assertEquals(sem.waiting, 1);
  held.release();
  await flush();
  assert(waiting.settled);
  assertEquals(sem.running, 1);
  assertEquals(sem.waiting, 0);
  waiting.value?.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore permits work with `using` and release at the end of the scope", async () => {
  const sem = new Semaphore(1);
  {
    using permit = await sem.acquire();
    assertEquals(sem.running, 1);
    assertFalse(permit.released);
  }
  assertEquals(sem.running, 0);
  // A scope that throws still releases.
  await assertRejects(
    async () => {
      using _permit = await sem.acquire();
      throw new Error("task failed");
    },
    Error,
    "task failed",
  );
  assertEquals(sem.running, 0);
});

Deno.test("Permit.release() twice is a no-op, not a double release", async () => {
  const sem = new Semaphore(2);
  const a = await sem.acquire();
  const b = await sem.acquire();
  a.release();
  assert(a.released);
  a.release();
  a[Symbol.dispose]();
  assertEquals(sem.running, 1);
  // The second release must not hand out a slot that `b` still holds.
  const c = await sem.acquire();
  assertEquals(sem.running, 2);
  assertEquals(sem.tryAcquire(), undefined);
  b.release();
  c.release();
  assertEquals(sem.running, 0);
});

Deno.test("Permit.release() after `using` disposed it does nothing", async () => {
  const sem = new Semaphore(1);
  let escaped: Permit | undefined;
  {
    using permit = await sem.acquire();
    escaped = permit;
  }
  escaped.release();
  assertEquals(sem.running, 0);
  const next = await sem.acquire();
  assertEquals(sem.running, 1);
  next.release();
});

Deno.test("Semaphore.tryAcquire() takes a free permit and returns undefined when none is free", () => {
  const sem = new Semaphore(1);
  const permit = sem.tryAcquire();
  assert(permit !== undefined);
  assertEquals(sem.running, 1);
  assertEquals(sem.tryAcquire(), undefined);
  assertEquals(sem.running, 1);
  permit.release();
  const again = sem.tryAcquire();
  assert(again !== undefined);
  again.release();
});

Deno.test("Semaphore.tryAcquire() returns undefined for a zero limit", () => {
  assertEquals(new Semaphore(0).tryAcquire(), undefined);
});

Deno.test("Semaphore.tryAcquire() does not jump ahead of waiters", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const waiter = sem.acquire();
  held.release();
  // The freed slot went to the waiter, not to whoever tries next.
  assertEquals(sem.tryAcquire(), undefined);
  (await waiter).release();
});

Deno.test("Semaphore.acquire() admits waiters in FIFO order", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const order: number[] = [];
  const waiters = [0, 1, 2, 3, 4].map((i) =>
    sem.acquire().then((permit) => {
      order.push(i);
      return permit;
    })
  );
  assertEquals(sem.waiting, 5);
  held.release();
  for (const waiter of waiters) (await waiter).release();
  assertEquals(order, [0, 1, 2, 3, 4]);
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.acquire() does not let a newcomer overtake a waiter", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const order: string[] = [];
  const first = sem.acquire().then((p) => (order.push("first"), p));
  held.release();
  // A slot is free for a moment, but it belongs to `first`.
  const second = sem.acquire().then((p) => (order.push("second"), p));
  (await first).release();
  (await second).release();
  assertEquals(order, ["first", "second"]);
});

Deno.test("Semaphore.acquire() with an aborted signal rejects at once with its reason", async () => {
  const sem = new Semaphore(1);
  const reason = new Error("already gone");
  const error = await assertRejects(() =>
    sem.acquire(AbortSignal.abort(reason))
  );
  assertStrictEquals(error, reason);
  // Even with a free permit, it was not taken.
  assertEquals(sem.running, 0);
  assertEquals(sem.waiting, 0);
});

Deno.test("Semaphore.acquire() rejects with a non-Error abort reason as given", async () => {
  const sem = new Semaphore(0);
  const controller = new AbortController();
  const waiting = sem.acquire(controller.signal);
  controller.abort("user cancelled");
  let caught: unknown;
  try {
    await waiting;
  } catch (error) {
    caught = error;
  }
  assertStrictEquals(caught, "user cancelled");
});

Deno.test("Semaphore.acquire() whose signal aborts leaves the queue at once and rejects with the reason", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const controller = new AbortController();
  const aborted = track(sem.acquire(controller.signal));
  const later = sem.acquire();
  assertEquals(sem.waiting, 2);
  const reason = new DOMException("stop", "AbortError");
  controller.abort(reason);
  // It leaves synchronously, before any promise callback runs.
  assertEquals(sem.waiting, 1);
  await flush();
  assertStrictEquals(aborted.error, reason);
  held.release();
  // The freed slot skips the aborted waiter.
  const permit = await later;
  assertEquals(sem.running, 1);
  assertEquals(sem.waiting, 0);
  assertEquals(aborted.value, undefined);
  permit.release();
});

Deno.test("Semaphore.acquire() abort of a middle waiter keeps the others in FIFO order", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const controllers = [0, 1, 2, 3].map(() => new AbortController());
  const order: number[] = [];
  const waiters = controllers.map((c, i) =>
    sem.acquire(c.signal).then(
      (permit) => {
        order.push(i);
        return permit;
      },
      () => undefined,
    )
  );
  controllers[1]!.abort();
  controllers[2]!.abort();
  assertEquals(sem.waiting, 2);
  held.release();
  for (const waiter of waiters) (await waiter)?.release();
  assertEquals(order, [0, 3]);
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.acquire() aborting after admission does not take the permit back", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const controller = new AbortController();
  const waiting = sem.acquire(controller.signal);
  held.release();
  controller.abort();
  // It was admitted before the abort, so it holds a permit to release.
  const permit = await waiting;
  assertEquals(sem.running, 1);
  permit.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.acquire() removes its abort listener once admitted or aborted", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const admitted = new AbortController();
  const listenersOfAdmitted = countListeners(admitted.signal);
  const waiting = sem.acquire(admitted.signal);
  assertEquals(listenersOfAdmitted(), 1);
  held.release();
  const permit = await waiting;
  assertEquals(listenersOfAdmitted(), 0);

  const aborted = new AbortController();
  const listenersOfAborted = countListeners(aborted.signal);
  const rejected = sem.acquire(aborted.signal);
  assertEquals(listenersOfAborted(), 1);
  aborted.abort();
  await assertRejects(() => rejected);
  assertEquals(listenersOfAborted(), 0);
  permit.release();
});

Deno.test("Semaphore.resize() growing admits waiters at once, in FIFO order", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const order: number[] = [];
  const waiters = [0, 1, 2, 3].map((i) =>
    sem.acquire().then((permit) => {
      order.push(i);
      return permit;
    })
  );
  sem.resize(3);
  // Synchronously: two more run, two still wait.
  assertEquals(sem.limit, 3);
  assertEquals(sem.running, 3);
  assertEquals(sem.waiting, 2);
  await flush();
  assertEquals(order, [0, 1]);
  held.release();
  await flush();
  assertEquals(order, [0, 1, 2]);
  sem.resize(Infinity);
  await flush();
  assertEquals(order, [0, 1, 2, 3]);
  for (const waiter of waiters) (await waiter).release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.resize() from 0 admits callers that were waiting for any slot", async () => {
  const sem = new Semaphore(0);
  const waiting = track(sem.acquire());
  await flush();
  assertFalse(waiting.settled);
  sem.resize(1);
  await flush();
  assert(waiting.settled);
  waiting.value?.release();
});

Deno.test("Semaphore.resize() shrinking lets running holders finish and admits nobody until running < limit", async () => {
  const sem = new Semaphore(4);
  const holders = await Promise.all([1, 2, 3, 4].map(() => sem.acquire()));
  const waiter = track(sem.acquire());
  sem.resize(2);
  // Holders keep their permits: running may exceed the new limit.
  assertEquals(sem.limit, 2);
  assertEquals(sem.running, 4);
  assertEquals(sem.tryAcquire(), undefined);

  holders[0]!.release();
  await flush();
  assertEquals(sem.running, 3);
  assertFalse(waiter.settled);

  holders[1]!.release();
  await flush();
  // running === limit: still nobody is admitted.
  assertEquals(sem.running, 2);
  assertFalse(waiter.settled);

  holders[2]!.release();
  await flush();
  // running dropped below the limit: the waiter takes the slot.
  assert(waiter.settled);
  assertEquals(sem.running, 2);
  assertEquals(sem.waiting, 0);

  holders[3]!.release();
  waiter.value?.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.resize() to 2 with 2 running and 4 waiting keeps 2 running (asyncio-taskpool regression)", async () => {
  const sem = new Semaphore(2);
  const holders = await Promise.all([sem.acquire(), sem.acquire()]);
  let peak = sem.running;
  const admitted: Permit[] = [];
  const waiters = [0, 1, 2, 3].map(() =>
    sem.acquire().then((permit) => {
      admitted.push(permit);
      peak = Math.max(peak, sem.running);
      return permit;
    })
  );
  sem.resize(2);
  await flush();
  assertEquals(sem.running, 2);
  assertEquals(sem.waiting, 4);
  assertEquals(admitted.length, 0);

  // Each release admits exactly one waiter, never more.
  for (const holder of holders) holder.release();
  await flush();
  assertEquals(sem.running, 2);
  assertEquals(admitted.length, 2);
  for (const permit of admitted.splice(0)) permit.release();
  await Promise.all(waiters);
  assertEquals(peak, 2);
  for (const permit of admitted) permit.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.resize() to 2 from a larger limit with 2 running lets no more than 2 run", async () => {
  const sem = new Semaphore(4);
  const holders = await Promise.all([sem.acquire(), sem.acquire()]);
  sem.resize(2);
  const more = [track(sem.acquire()), track(sem.acquire())];
  await flush();
  assertEquals(sem.running, 2);
  assertEquals(sem.waiting, 2);
  assert(more.every((m) => !m.settled));
  for (const holder of holders) holder.release();
  await flush();
  assertEquals(sem.running, 2);
  for (const m of more) m.value?.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.resize() to the same limit admits nobody extra", async () => {
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const waiter = track(sem.acquire());
  sem.resize(1);
  sem.resize(1);
  await flush();
  assertFalse(waiter.settled);
  assertEquals(sem.running, 1);
  held.release();
  await flush();
  waiter.value?.release();
  assertEquals(sem.running, 0);
});

Deno.test("Semaphore.resize() rejects a bad limit and keeps the old one", () => {
  const sem = new Semaphore(2);
  for (const bad of [-1, 0.5, NaN]) {
    assertThrows(() => sem.resize(bad), RangeError, "semaphore limit");
  }
  assertEquals(sem.limit, 2);
});

// ---------------------------------------------------------------------------
// Property test against a model

type Op =
  | { kind: "acquire"; abortable: boolean }
  | { kind: "tryAcquire" }
  | { kind: "release"; pick: number }
  | { kind: "releaseAgain"; pick: number }
  | { kind: "abort"; pick: number }
  | { kind: "resize"; limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("acquire" as const),
      abortable: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("tryAcquire" as const) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("release" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("releaseAgain" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("abort" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("resize" as const),
      limit: fc.integer({ min: 0, max: 5 }),
    }),
  },
);

Deno.test("Semaphore matches a FIFO model under random acquire, release, abort and resize", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 4 }),
      fc.array(opArb, { maxLength: 40 }),
      async (initialLimit, ops) => {
        const sem = new Semaphore(initialLimit);
        // The model.
        let limit = initialLimit;
        let running = 0;
        const queue: number[] = [];
        const held: number[] = [];
        const expectedOrder: number[] = [];
        const aborted = new Map<number, object>();
        // What really happened.
        const actualOrder: number[] = [];
        const permits = new Map<number, Permit>();
        const released: Permit[] = [];
        const rejections = new Map<number, unknown>();
        const controllers = new Map<number, AbortController>();
        let nextId = 0;

        const admitFromQueue = (): void => {
          while (running < limit && queue.length > 0) {
            const id = queue.shift()!;
            running++;
            held.push(id);
            expectedOrder.push(id);
          }
        };

        for (const op of ops) {
          const admittedBefore = expectedOrder.length;
          switch (op.kind) {
            case "acquire": {
              const id = nextId++;
              const controller = op.abortable
                ? new AbortController()
                : undefined;
              if (controller) controllers.set(id, controller);
              sem.acquire(controller?.signal).then(
                (permit) => {
                  actualOrder.push(id);
                  permits.set(id, permit);
                },
                (reason: unknown) => rejections.set(id, reason),
              );
              if (queue.length === 0 && running < limit) {
                running++;
                held.push(id);
                expectedOrder.push(id);
              } else {
                queue.push(id);
              }
              break;
            }
            case "tryAcquire": {
              const id = nextId++;
              const permit = sem.tryAcquire();
              if (queue.length === 0 && running < limit) {
                assert(permit !== undefined, "tryAcquire should succeed");
                running++;
                held.push(id);
                expectedOrder.push(id);
                actualOrder.push(id);
                permits.set(id, permit);
              } else {
                assertEquals(permit, undefined);
              }
              break;
            }
            case "release": {
              if (held.length === 0) break;
              const [id] = held.splice(op.pick % held.length, 1);
              const permit = permits.get(id!);
              assert(permit !== undefined, `holder ${id} has its permit`);
              permit.release();
              released.push(permit);
              running--;
              admitFromQueue();
              break;
            }
            case "releaseAgain": {
              if (released.length === 0) break;
              released[op.pick % released.length]!.release();
              break;
            }
            case "abort": {
              const abortable = queue.filter((id) => controllers.has(id));
              if (abortable.length === 0) break;
              const id = abortable[op.pick % abortable.length]!;
              const reason = { aborted: id };
              controllers.get(id)!.abort(reason);
              queue.splice(queue.indexOf(id), 1);
              aborted.set(id, reason);
              // Leaving the queue is synchronous.
              assertEquals(sem.waiting, queue.length);
              break;
            }
            case "resize": {
              sem.resize(op.limit);
              limit = op.limit;
              admitFromQueue();
              break;
            }
          }
          await flush();

          assertEquals(sem.limit, limit);
          assertEquals(sem.running, running);
          assertEquals(sem.waiting, queue.length);
          assertEquals(actualOrder, expectedOrder, "FIFO admission order");
          if (expectedOrder.length > admittedBefore) {
            // Whoever was just admitted fitted under the current limit.
            assertLessOrEqual(sem.running, sem.limit);
          }
          assertEquals(
            [...rejections.keys()].sort((a, b) => a - b),
            [...aborted.keys()].sort((a, b) => a - b),
          );
          for (const [id, reason] of aborted) {
            assertStrictEquals(rejections.get(id), reason);
            assertFalse(permits.has(id), `aborted waiter ${id} got a permit`);
          }
        }

        // Clean up: let everyone in, then release every permit.
        sem.resize(Infinity);
        await flush();
        for (const permit of permits.values()) permit.release();
        assertEquals(sem.running, 0);
        assertEquals(sem.waiting, 0);
      },
    ),
    { numRuns: 200 },
  );
});
