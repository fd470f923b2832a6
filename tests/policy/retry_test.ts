/**
 * `retry()` and `withTimeout()`: the standalone retry loop and deadline
 * that `mapConcurrent` and the HTTP helpers use. Waits run on a fake clock.
 */

import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import { retry, withTimeout } from "../../mod.ts";
import { useFakeTime } from "../_helpers/fake_time.ts";

Deno.test("retry() waits the backoff between attempts and returns the first success", async () => {
  using time = useFakeTime();
  const calledAt: number[] = [];
  const done = retry((attempt) => {
    calledAt.push(time.now);
    if (attempt < 3) throw new Error(`attempt ${attempt}`);
    return attempt;
  }, { attempts: 3, delay: 100, backoff: "exponential", jitter: "none" });
  await time.tickAsync(300);
  assertEquals(await done, 3);
  const start = calledAt[0]!;
  assertEquals(calledAt.map((t) => t - start), [0, 100, 300]);
});

Deno.test("retry() throws the last error once the attempts run out", async () => {
  using time = useFakeTime();
  let calls = 0;
  const done = retry(() => {
    throw new RangeError(`failure ${++calls}`);
  }, { attempts: 2, delay: 10, jitter: "none" });
  const checked = assertRejects(() => done, RangeError, "failure 2");
  await time.tickAsync(10);
  await checked;
  assertEquals(calls, 2);
});

Deno.test("retry() stops at once when its signal aborts during a wait, and retries nothing after", async () => {
  using time = useFakeTime();
  const controller = new AbortController();
  const reason = new Error("stop");
  let calls = 0;
  const done = retry(
    () => {
      calls++;
      throw new Error("flaky");
    },
    { attempts: 5, delay: 1_000, jitter: "none" },
    {
      signal: controller.signal,
    },
  );
  await time.tickAsync(10);
  controller.abort(reason);
  const error = await done.catch((e: unknown) => e);
  assertStrictEquals(error, reason);
  assertEquals(calls, 1);
  assertEquals(time.countTimers(), 0);
});

Deno.test("retry() takes the delay a caller computes from the error, and reports each retry", async () => {
  using time = useFakeTime();
  const retries: [number, number][] = [];
  let calls = 0;
  const done = retry(
    () => {
      if (++calls === 1) throw Object.assign(new Error("busy"), { waitMs: 42 });
      return "ok";
    },
    { attempts: 2, jitter: "none" },
    {
      delay: (error) => (error as { waitMs: number }).waitMs,
      onRetry: ({ attempt, delayMs }) => retries.push([attempt, delayMs]),
    },
  );
  await time.tickAsync(42);
  assertEquals(await done, "ok");
  assertEquals(retries, [[1, 42]]);
});

Deno.test("retry() rejects a bad policy, naming the field", async () => {
  await assertRejects(
    () => retry(() => 1, { attempts: 0 }),
    RangeError,
    "retry.attempts",
  );
});

Deno.test("withTimeout() rejects with a TimeoutError at the deadline and aborts the call's signal", async () => {
  using time = useFakeTime();
  let seen: unknown;
  let late = 0;
  const done = withTimeout(
    (signal) =>
      new Promise((resolve) => {
        signal.addEventListener("abort", () => {
          seen = signal.reason;
          setTimeout(resolve, 5); // finishes after its deadline anyway
        });
      }),
    "20ms",
    { message: "too slow", onLate: () => late++ },
  );
  const checked = done.catch((e: unknown) => e);
  await time.tickAsync(20);
  const error = await checked;
  assertInstanceOf(error, DOMException);
  assertEquals([error.name, error.message], ["TimeoutError", "too slow"]);
  assertStrictEquals(seen, error);
  await time.tickAsync(5);
  assertEquals(late, 1);
  assertEquals(time.countTimers(), 0);
});

Deno.test("withTimeout() forwards its signal's abort to the call and settles as the call does", async () => {
  const controller = new AbortController();
  const reason = new Error("cancelled");
  const done = withTimeout(
    (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
    60_000,
    { signal: controller.signal },
  );
  controller.abort(reason);
  assertStrictEquals(await done.catch((e: unknown) => e), reason);
  await assertRejects(() => withTimeout(() => 1, 0), RangeError, "timeout");
});
