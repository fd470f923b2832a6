import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import fc from "fast-check";
import { RateLimiter } from "../../lib/sync/rate_limiter.ts";
import type { Rate } from "../../lib/units/rate.ts";
import { type FakeTime, useFakeTime } from "../_helpers/fake_time.ts";

/** Starts `count` acquisitions and records when each one is granted. */
function acquireMany(
  limiter: RateLimiter,
  count: number,
  grants: { id: number; at: number }[],
  firstId = 0,
): Promise<void>[] {
  return Array.from({ length: count }, (_, i) =>
    limiter.acquire().then(() => {
      grants.push({ id: firstId + i, at: Date.now() });
    }));
}

/** Asserts that no window of `intervalMs` holds more than `count` grants. */
function assertWindows(times: number[], count: number, intervalMs: number) {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + count < sorted.length; i++) {
    assertGreaterOrEqual(
      sorted[i + count]! - sorted[i]!,
      intervalMs,
      `grants ${i} and ${i + count} at ${sorted[i]} and ${
        sorted[i + count]
      } share a window of ${intervalMs}ms`,
    );
  }
}

Deno.test("new RateLimiter() parses string and object rates", () => {
  const cases: [Rate, number, number][] = [
    ["50/s", 50, 1000],
    ["600/min", 600, 60_000],
    ["2/100ms", 2, 100],
    ["10/h", 10, 3_600_000],
    [{ count: 3, interval: "1m" }, 3, 60_000],
    [{ count: 7, interval: 250 }, 7, 250],
  ];
  for (const [rate, count, intervalMs] of cases) {
    const limiter = new RateLimiter(rate);
    assertEquals(limiter.count, count, JSON.stringify(rate));
    assertEquals(limiter.intervalMs, intervalMs, JSON.stringify(rate));
    assertEquals(limiter.waiting, 0);
  }
});

Deno.test("new RateLimiter() rejects a malformed rate with a RangeError naming the option", () => {
  for (const bad of ["fast", "0/s", "5/0ms", "5/fortnight", "-1/s"]) {
    const error = assertThrows(
      () => new RateLimiter(bad as Rate),
      RangeError,
      "rate limit",
    );
    assertStringIncludes(error.message, JSON.stringify(bad));
  }
  assertThrows(
    () => new RateLimiter({ count: 0, interval: "1s" }),
    RangeError,
    "rate limit.count",
  );
  assertThrows(
    () => new RateLimiter({ count: 1, interval: 0 }),
    RangeError,
    "rate limit.interval",
  );
});

Deno.test("RateLimiter.acquire() lets `count` callers pass at once, then waits for the window", async () => {
  using time = useFakeTime();
  const start = time.now;
  const limiter = new RateLimiter("2/100ms");
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 3, grants);
  await time.tickAsync(0);
  assertEquals(grants.map((g) => g.id), [0, 1]);
  assertEquals(limiter.waiting, 1);
  await time.tickAsync(99);
  assertEquals(grants.length, 2);
  await time.tickAsync(1);
  assertEquals(grants.map((g) => g.id), [0, 1, 2]);
  assertEquals(grants[2]!.at - start, 100);
  await Promise.all(done);
  assertEquals(time.countTimers(), 0);
});

Deno.test("RateLimiter.acquire() spaces a burst so no window of the interval holds more than `count`", async () => {
  using time = useFakeTime();
  const start = time.now;
  const limiter = new RateLimiter("3/1s");
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 10, grants);
  await time.runAllAsync();
  await Promise.all(done);
  assertEquals(
    grants.map((g) => g.at - start),
    [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000],
  );
  assertWindows(grants.map((g) => g.at), 3, 1000);
  assertEquals(time.countTimers(), 0);
});

Deno.test("RateLimiter.acquire() counts grants in a sliding window, not in fixed buckets", async () => {
  using time = useFakeTime();
  const start = time.now;
  const limiter = new RateLimiter("2/100ms");
  await limiter.acquire();
  await time.tickAsync(90);
  await limiter.acquire();
  // A fixed bucket would reset at 100ms; the window starting at 0 still
  // holds two grants until then, and the one at 90 until 190.
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 2, grants);
  await time.runAllAsync();
  await Promise.all(done);
  assertEquals(grants.map((g) => g.at - start), [100, 190]);
});

Deno.test("RateLimiter.acquire() serves concurrent callers in FIFO order", async () => {
  using time = useFakeTime();
  const limiter = new RateLimiter("1/10ms");
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 6, grants);
  // A late caller joins the back of the queue.
  await time.tickAsync(15);
  done.push(...acquireMany(limiter, 2, grants, 6));
  await time.runAllAsync();
  await Promise.all(done);
  assertEquals(grants.map((g) => g.id), [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(time.countTimers(), 0);
});

Deno.test("RateLimiter.acquire() does not let a newcomer overtake waiters once the window frees", async () => {
  using time = useFakeTime();
  const limiter = new RateLimiter("1/10ms");
  await limiter.acquire();
  const order: string[] = [];
  const waiter = limiter.acquire().then(() => order.push("waiter"));
  await time.tickAsync(10);
  const newcomer = limiter.acquire().then(() => order.push("newcomer"));
  await time.runAllAsync();
  await Promise.all([waiter, newcomer]);
  assertEquals(order, ["waiter", "newcomer"]);
});

Deno.test("RateLimiter.acquire() with an aborted signal rejects at once and uses no grant", async () => {
  using time = useFakeTime();
  const limiter = new RateLimiter("1/1s");
  const reason = new Error("never mind");
  const error = await assertRejects(() =>
    limiter.acquire(AbortSignal.abort(reason))
  );
  assertStrictEquals(error, reason);
  // The only grant of the window is still free.
  let granted = false;
  const next = limiter.acquire().then(() => (granted = true));
  await time.tickAsync(0);
  assert(granted);
  await next;
  assertEquals(time.countTimers(), 0);
});

Deno.test("RateLimiter.acquire() whose signal aborts while waiting leaves the queue and rejects with the reason", async () => {
  using time = useFakeTime();
  const start = time.now;
  const limiter = new RateLimiter("1/100ms");
  await limiter.acquire();
  const controller = new AbortController();
  const aborted = limiter.acquire(controller.signal);
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 1, grants);
  assertEquals(limiter.waiting, 2);
  await time.tickAsync(50);
  const reason = new Error("too slow");
  controller.abort(reason);
  assertEquals(limiter.waiting, 1);
  assertStrictEquals(await assertRejects(() => aborted), reason);
  // The next caller takes the slot the aborted one would have had.
  await time.runAllAsync();
  await Promise.all(done);
  assertEquals(grants.map((g) => g.at - start), [100]);
  assertEquals(time.countTimers(), 0);
});

Deno.test("RateLimiter.acquire() leaves no timer once every waiter has aborted", async () => {
  using time = useFakeTime();
  const limiter = new RateLimiter("1/1h");
  await limiter.acquire();
  const controllers = [0, 1, 2].map(() => new AbortController());
  const waiting = controllers.map((c) => limiter.acquire(c.signal));
  assertEquals(time.countTimers(), 1);
  controllers[0]!.abort();
  controllers[2]!.abort();
  // Someone still waits, so the timer stays.
  assertEquals(time.countTimers(), 1);
  controllers[1]!.abort();
  assertEquals(limiter.waiting, 0);
  assertEquals(time.countTimers(), 0);
  for (const w of waiting) await assertRejects(() => w);
});

Deno.test("RateLimiter holds no timer while idle or after its queue drains", async () => {
  using time = useFakeTime();
  const limiter = new RateLimiter("2/50ms");
  assertEquals(time.countTimers(), 0);
  await limiter.acquire();
  await limiter.acquire();
  // The window is full but nobody waits: still no timer.
  assertEquals(time.countTimers(), 0);
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 5, grants);
  assertEquals(time.countTimers(), 1);
  await time.runAllAsync();
  await Promise.all(done);
  assertEquals(grants.length, 5);
  assertEquals(limiter.waiting, 0);
  assertEquals(time.countTimers(), 0);
});

Deno.test("RateLimiter can be used again after it went idle", async () => {
  using time = useFakeTime();
  const start = time.now;
  const limiter = new RateLimiter("1/10ms");
  await limiter.acquire();
  await time.tickAsync(1000);
  const grants: { id: number; at: number }[] = [];
  const done = acquireMany(limiter, 2, grants);
  await time.runAllAsync();
  await Promise.all(done);
  assertEquals(grants.map((g) => g.at - start), [1000, 1010]);
});

// ---------------------------------------------------------------------------
// Property tests with random arrivals on a fake clock

async function runArrivals(
  time: FakeTime,
  limiter: RateLimiter,
  gaps: number[],
): Promise<{ arrivals: number[]; grants: { id: number; at: number }[] }> {
  const arrivals: number[] = [];
  const grants: { id: number; at: number }[] = [];
  const pending: Promise<void>[] = [];
  for (const [id, gap] of gaps.entries()) {
    await time.tickAsync(gap);
    arrivals.push(time.now);
    pending.push(
      limiter.acquire().then(() => {
        grants.push({ id, at: Date.now() });
      }),
    );
  }
  await time.runAllAsync();
  await Promise.all(pending);
  return { arrivals, grants };
}

Deno.test("RateLimiter never lets more than `count` pass in any window, serves FIFO and wastes no slot", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.integer({ min: 0, max: 80 }), {
        minLength: 1,
        maxLength: 25,
      }),
      async (count, intervalMs, gaps) => {
        using time = useFakeTime();
        const limiter = new RateLimiter({ count, interval: intervalMs });
        const { arrivals, grants } = await runArrivals(time, limiter, gaps);

        assertEquals(grants.map((g) => g.id), arrivals.map((_, i) => i));
        assertWindows(grants.map((g) => g.at), count, intervalMs);
        // Each caller passes as early as the window and FIFO allow.
        const expected: number[] = [];
        for (const [i, arrival] of arrivals.entries()) {
          expected.push(Math.max(
            arrival,
            expected[i - 1] ?? -Infinity,
            (expected[i - count] ?? -Infinity) + intervalMs,
          ));
        }
        assertEquals(grants.map((g) => g.at), expected);
        assertEquals(time.countTimers(), 0);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("RateLimiter keeps its window and FIFO order when random waiters abort", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 5, max: 50 }),
      fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 40 }),
          abortAfter: fc.option(fc.integer({ min: 0, max: 120 })),
        }),
        { minLength: 1, maxLength: 20 },
      ),
      async (count, intervalMs, callers) => {
        using time = useFakeTime();
        const limiter = new RateLimiter({ count, interval: intervalMs });
        const granted: { id: number; at: number }[] = [];
        const rejected = new Map<number, unknown>();
        const reasons = new Map<number, Error>();
        const pending: Promise<void>[] = [];
        for (const [id, caller] of callers.entries()) {
          await time.tickAsync(caller.gap);
          const controller = new AbortController();
          if (caller.abortAfter !== null) {
            const reason = new Error(`caller ${id} gave up`);
            reasons.set(id, reason);
            setTimeout(() => controller.abort(reason), caller.abortAfter);
          }
          pending.push(
            limiter.acquire(controller.signal).then(
              () => {
                granted.push({ id, at: Date.now() });
              },
              (reason: unknown) => {
                rejected.set(id, reason);
              },
            ),
          );
        }
        await time.runAllAsync();
        await Promise.all(pending);

        assertEquals(granted.length + rejected.size, callers.length);
        for (const [id, reason] of rejected) {
          assertStrictEquals(reason, reasons.get(id));
        }
        const ids = granted.map((g) => g.id);
        assertEquals(ids, [...ids].sort((a, b) => a - b));
        assertWindows(granted.map((g) => g.at), count, intervalMs);
        assertEquals(limiter.waiting, 0);
        assertEquals(time.countTimers(), 0);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("RateLimiter with a real clock spaces calls by at least the interval", async () => {
  const limiter = new RateLimiter("1/20ms");
  const start = performance.now();
  await limiter.acquire();
  await limiter.acquire();
  const elapsed = performance.now() - start;
  // Generous bound: only the lower one is guaranteed.
  assertGreaterOrEqual(elapsed, 18);
  assertEquals(limiter.waiting, 0);
});
