/**
 * Error policy of `mapConcurrent`: fail-fast, the error budget, per-attempt
 * timeouts, retries with backoff, rate limits and a shared semaphore (a
 * scheduler option, so through `MapRun`).
 * Deadlines and backoff run on a fake clock; times asserted are fake times.
 */

import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertLessOrEqual,
  assertStrictEquals,
} from "@std/assert";
import {
  ErrorBudgetError,
  mapConcurrent,
  type Outcome,
  RateLimiter,
  type RetryEvent,
  Semaphore,
  TaskError,
} from "../../mod.ts";
import { MapRun } from "../../lib/pool/map_run.ts";
import { useFakeTime } from "../_helpers/fake_time.ts";

// ---------------------------------------------------------------- helpers

/** Lets pending microtasks and follow-ups run (real time only). */
const flush = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 0));

interface Collected<I, O> {
  outcomes: Outcome<I, O>[];
  error: unknown;
  threw: boolean;
}

async function collect<I, O>(
  run: AsyncIterable<Outcome<I, O>>,
): Promise<Collected<I, O>> {
  const outcomes: Outcome<I, O>[] = [];
  try {
    for await (const outcome of run) outcomes.push(outcome);
    return { outcomes, error: undefined, threw: false };
  } catch (error) {
    return { outcomes, error, threw: true };
  }
}

/** Resolves when `signal` aborts, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(signal.reason), {
      once: true,
    })
  );
}

/** A promise settled by the (possibly fake) clock after `ms`. */
function after<T>(ms: number, settle: () => T): Promise<Awaited<T>> {
  return new Promise((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(settle() as Awaited<T>);
      } catch (error) {
        reject(error);
      }
    }, ms)
  );
}

/** Records unhandled rejections so a test can assert there were none. */
function recordUnhandled(): Disposable & { readonly reasons: unknown[] } {
  const reasons: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent): void => {
    event.preventDefault();
    reasons.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  return {
    reasons,
    [Symbol.dispose]: () =>
      globalThis.removeEventListener("unhandledrejection", onUnhandled),
  };
}

function isTimeoutError(value: unknown): value is DOMException {
  return value instanceof DOMException && value.name === "TimeoutError";
}

// ---------------------------------------------------------------- fail-fast

Deno.test("mapConcurrent() fail-fast aborts the run with the first TaskError, starts nothing new and throws it last", async () => {
  const cause = new Error("boom");
  const cleanupError = new Error("cleanup failed");
  const failNow = Promise.withResolvers<void>();
  const started: number[] = [];
  const reasons = new Map<number, unknown>();
  const settled: number[] = [];
  const run = mapConcurrent(
    Array.from({ length: 10 }, (_, i) => i),
    async (n, { signal }) => {
      started.push(n);
      if (n === 0) return n;
      if (n === 1) {
        await failNow.promise;
        throw cause;
      }
      const reason = await aborted(signal);
      reasons.set(n, reason);
      await flush(); // clean-up after the abort takes a while
      settled.push(n);
      // Input 2 echoes the abort; input 3 fails in its own way.
      throw n === 2 ? reason : cleanupError;
    },
    { concurrency: 3, onError: "fail-fast" },
  );
  const reading = collect(run);
  await flush();
  assertEquals(started, [0, 1, 2, 3]);
  failNow.resolve();
  const { outcomes, error } = await reading;
  assertEquals(outcomes.map((o) => o.index), [0]);
  assertInstanceOf(error, TaskError);
  assertEquals(error.index, 1);
  assertEquals(error.input, 1);
  assertStrictEquals(error.cause, cause);
  // The other tasks saw the failure itself as the abort reason and settled
  // before the iteration threw.
  assertEquals([...reasons.keys()].sort(), [2, 3]);
  for (const reason of reasons.values()) assertStrictEquals(reason, error);
  assertEquals(settled.sort(), [2, 3]);
  // Only the error that is not an echo of the abort is kept.
  assertEquals(error.suppressed, [cleanupError]);
  assertEquals(started, [0, 1, 2, 3]);
  assertEquals(run.failed, 1);
  assert(run.finished);
});

Deno.test("mapConcurrent() fail-fast yields outcomes that finished before the failure to a slow reader", async () => {
  const run = mapConcurrent([0, 1, 2], async (n) => {
    if (n === 1) {
      await flush();
      throw new Error("one");
    }
    return n;
  }, { concurrency: 3, onError: "fail-fast" });
  const first = run.next();
  await flush();
  await flush();
  const head = await first;
  assert(!head.done);
  const rest = await collect(run);
  assertEquals([head.value, ...rest.outcomes].map((o) => o.index).sort(), [
    0,
    2,
  ]);
  assertInstanceOf(rest.error, TaskError);
  assertEquals(rest.error.index, 1);
});

Deno.test("mapConcurrent() ordered fail-fast yields every success, in order, skipping the failing input", async () => {
  const slowHead = Promise.withResolvers<void>();
  const run = mapConcurrent([0, 1, 2], async (n) => {
    if (n === 0) {
      await slowHead.promise; // ignores the abort and succeeds
      return "zero";
    }
    if (n === 1) {
      await Promise.resolve();
      throw new Error("one");
    }
    return "two";
  }, { concurrency: 3, ordered: true, onError: "fail-fast" });
  const reading = collect(run);
  await flush();
  slowHead.resolve();
  const { outcomes, error } = await reading;
  // Input 2 finished before the failure, input 0 after it: both are kept.
  assertEquals(outcomes.map((o) => o.index), [0, 2]);
  assertInstanceOf(error, TaskError);
  assertEquals(error.index, 1);
});

Deno.test("mapConcurrent() fail-fast delivers the tasks that were running and then succeed, before the error", async () => {
  for (const ordered of [false, true]) {
    using time = useFakeTime();
    const started: number[] = [];
    const sawAbort: number[] = [];
    const run = mapConcurrent([0, 1, 2, 3, 4, 5], (n, { signal }) => {
      started.push(n);
      if (n > 0) signal.addEventListener("abort", () => sawAbort.push(n));
      // Input 0 throws at 10 ms; 1 to 3 do their work and succeed at 30 ms.
      return n === 0
        ? after(10, () => {
          throw new Error("zero");
        })
        : after(30, () => n * 10);
    }, { concurrency: 4, ordered, onError: "fail-fast" });
    const reading = collect(run);
    await time.tickAsync(10);
    assert(run.signal.aborted, "the failure stops the run at once");
    await time.tickAsync(20);
    const { outcomes, error } = await reading;
    assertEquals(
      outcomes.map((o) => o.ok && o.value),
      [10, 20, 30],
      `ordered: ${ordered}`,
    );
    assertInstanceOf(error, TaskError);
    assertEquals(error.index, 0);
    assertEquals(error.suppressed, []);
    assertEquals(started, [0, 1, 2, 3], "nothing starts after the failure");
    assertEquals(sawAbort, [1, 2, 3], "running tasks see their signal abort");
    assert(run.finished);
  }
});

Deno.test("mapConcurrent() fail-fast keeps late successes and attaches late failures as suppressed", async () => {
  using time = useFakeTime();
  const late = new Error("three failed on its own");
  const run = mapConcurrent([0, 1, 2, 3], (n, { signal }) => {
    if (n === 0) return after(10, () => Promise.reject(new Error("zero")));
    if (n === 1) return after(20, () => 1);
    // Input 2 echoes the abort; input 3 fails in its own way, later.
    if (n === 2) {
      return aborted(signal).then((reason) => Promise.reject(reason));
    }
    return after(40, () => Promise.reject(late));
  }, { concurrency: 4, ordered: true, onError: "fail-fast" });
  const reading = collect(run);
  await time.tickAsync(40);
  const { outcomes, error } = await reading;
  assertEquals(outcomes.map((o) => [o.index, o.ok]), [[1, true]]);
  assertInstanceOf(error, TaskError);
  assertEquals(error.index, 0);
  assertEquals(error.suppressed, [late]);
  assertEquals(run.failed, 1);
});

Deno.test("mapConcurrent() delivers successes that finish after an abort, then throws the reason", async () => {
  using time = useFakeTime();
  const controller = new AbortController();
  const run = mapConcurrent([0, 1, 2], (n) => after(10 * (n + 1), () => n), {
    concurrency: 2,
    signal: controller.signal,
  });
  const reading = collect(run);
  await time.tickAsync(5);
  controller.abort(new Error("enough"));
  await time.tickAsync(30);
  const { outcomes, error } = await reading;
  assertEquals(outcomes.map((o) => o.index), [0, 1]);
  assertInstanceOf(error, Error);
  assertEquals(error.message, "enough");
});

Deno.test("mapConcurrent() drops what finishes after the loop breaks: nobody reads it", async () => {
  using time = useFakeTime();
  const finished: number[] = [];
  const run = mapConcurrent([0, 1, 2], (n) =>
    after(n === 0 ? 1 : 20, () => {
      finished.push(n);
      return n;
    }), { concurrency: 3 });
  const loop = (async () => {
    for await (const _ of run) break;
  })();
  await time.tickAsync(20);
  await loop;
  assertEquals(finished, [0, 1, 2]);
  assertEquals(run.buffered, 0);
  assertEquals(await run.next(), { done: true, value: undefined });
});

Deno.test("mapConcurrent() fail-fast retries nothing once the run is stopped", async () => {
  using time = useFakeTime();
  const attempts = new Map<number, number[]>();
  const retried: number[] = [];
  const run = mapConcurrent([0, 1], async (n, { attempt }) => {
    attempts.set(n, [...(attempts.get(n) ?? []), attempt]);
    if (n === 1) await after(50, () => undefined);
    throw new Error(n === 1 ? "fatal" : "transient");
  }, {
    concurrency: 2,
    onError: "fail-fast",
    retry: {
      attempts: 3,
      delay: 100,
      jitter: "none",
      retryIf: (error) => error instanceof Error && error.message !== "fatal",
    },
    onRetry: (event) => retried.push(event.index),
  });
  const reading = collect(run);
  await time.tickAsync(1_000);
  const { error } = await reading;
  assertInstanceOf(error, TaskError);
  assertEquals(error.index, 1);
  assertEquals(error.attempts, 1);
  // Input 0 was waiting out its backoff when input 1 failed for good.
  assertEquals(attempts.get(0), [1]);
  assertEquals(retried, [0]);
  assertEquals(error.suppressed, []);
  assertEquals(time.countTimers(), 0);
});

Deno.test("mapConcurrent() does not retry an attempt that fails after the run stopped", async () => {
  const retried: number[] = [];
  const attempts: number[] = [];
  const interrupted = new Error("interrupted");
  const run = mapConcurrent([0, 1], async (n, { signal, attempt }) => {
    if (n === 1) {
      await flush();
      throw new Error("fatal");
    }
    attempts.push(attempt);
    await aborted(signal);
    throw interrupted; // its own error, with attempts left
  }, {
    concurrency: 2,
    onError: "fail-fast",
    retry: {
      attempts: 3,
      delay: 0,
      retryIf: (error) => error instanceof Error && error.message !== "fatal",
    },
    onRetry: (event) => retried.push(event.index),
  });
  const { error } = await collect(run);
  assertInstanceOf(error, TaskError);
  assertEquals(error.index, 1);
  assertEquals(attempts, [1]);
  assertEquals(retried, []);
  assertEquals(run.retried, 0);
  assertEquals(error.suppressed, [interrupted]);
});

// ---------------------------------------------------------------- error budget

Deno.test("mapConcurrent() yields failures up to maxFailures and throws ErrorBudgetError on one more", async () => {
  const started: number[] = [];
  const run = mapConcurrent(
    Array.from({ length: 8 }, (_, i) => i),
    (n) => {
      started.push(n);
      if (n % 2 === 1) throw new Error(`odd ${n}`);
      return n;
    },
    { concurrency: 1, maxFailures: 2 },
  );
  const { outcomes, error } = await collect(run);
  assertEquals(outcomes.map((o) => [o.index, o.ok]), [
    [0, true],
    [1, false],
    [2, true],
    [3, false],
    [4, true],
  ]);
  assertInstanceOf(error, ErrorBudgetError);
  assertEquals(error.maxFailures, 2);
  assertEquals(error.failures, 3);
  assertInstanceOf(error.cause, TaskError);
  assertEquals(error.cause.index, 5);
  assertEquals(error.cause.input, 5);
  assertEquals(started, [0, 1, 2, 3, 4, 5]);
});

Deno.test("mapConcurrent() stops like fail-fast when the error budget runs out", async () => {
  const reasons: unknown[] = [];
  const run = mapConcurrent([0, 1, 2, 3], async (n, { signal }) => {
    if (n === 1) {
      await flush();
      throw new Error("over budget");
    }
    const reason = await aborted(signal);
    reasons.push(reason);
    throw reason;
  }, { concurrency: 2, maxFailures: 0 });
  const { outcomes, error } = await collect(run);
  assertEquals(outcomes, []);
  assertInstanceOf(error, ErrorBudgetError);
  assertEquals(error.maxFailures, 0);
  assertEquals(reasons.length, 1);
  assertStrictEquals(reasons[0], error);
  assertEquals(run.started, 2);
});

Deno.test("mapConcurrent() never throws while failures stay within maxFailures", async () => {
  const { outcomes, threw } = await collect(
    mapConcurrent([0, 1, 2, 3], (n) => {
      if (n < 2) throw new Error("bad");
      return n;
    }, { maxFailures: 2 }),
  );
  assertFalse(threw);
  assertEquals(outcomes.length, 4);
  assertEquals(outcomes.filter((o) => !o.ok).length, 2);
});

// ---------------------------------------------------------------- timeouts

Deno.test("mapConcurrent() fails a timed-out attempt with a TimeoutError, aborts its signal and frees its slot at the deadline", async () => {
  using time = useFakeTime();
  const t0 = time.now;
  const starts: [number, number][] = [];
  const signals: AbortSignal[] = [];
  const run = mapConcurrent([0, 1], (n, { signal }) => {
    starts.push([n, Date.now() - t0]);
    signals.push(signal);
    return n === 0 ? new Promise<number>(() => {}) : n;
  }, { concurrency: 1, timeout: "50ms" });
  const reading = collect(run);
  await time.tickAsync(49);
  assertEquals(starts, [[0, 0]]);
  assertFalse(signals[0]?.aborted);
  await time.tickAsync(1);
  const { outcomes, threw } = await reading;
  assertFalse(threw);
  assertEquals(starts, [[0, 0], [1, 50]]);
  const [timedOut, fine] = outcomes;
  assert(timedOut !== undefined && !timedOut.ok);
  assertEquals(timedOut.index, 0);
  assert(isTimeoutError(timedOut.error.cause), String(timedOut.error.cause));
  assert(signals[0]?.aborted);
  assertStrictEquals(signals[0].reason, timedOut.error.cause);
  assertEquals(fine?.ok && fine.value, 1);
  assertEquals(time.countTimers(), 0);
});

Deno.test("mapConcurrent() swallows a late settlement of a timed-out attempt and counts it in settledLate", async () => {
  using time = useFakeTime();
  using unhandled = recordUnhandled();
  const run = mapConcurrent(
    ["resolves", "rejects"],
    (kind) =>
      kind === "resolves" ? after(80, () => "too late") : after(90, () => {
        throw new Error("too late as well");
      }),
    { concurrency: 2, timeout: 50 },
  );
  const reading = collect(run);
  await time.tickAsync(50);
  const { outcomes } = await reading;
  assertEquals(outcomes.length, 2);
  for (const outcome of outcomes) {
    assert(!outcome.ok);
    assert(isTimeoutError(outcome.error.cause));
  }
  assertEquals(run.settledLate, 0);
  await time.tickAsync(100);
  assertEquals(run.settledLate, 2);
  assertEquals(unhandled.reasons, []);
  assertEquals(run.failed, 2);
});

Deno.test("mapConcurrent() gives each attempt its own deadline and signal", async () => {
  using time = useFakeTime();
  const t0 = time.now;
  const calls: { attempt: number; at: number; signal: AbortSignal }[] = [];
  const run = mapConcurrent(["x"], (input, { attempt, signal }) => {
    calls.push({ attempt, at: Date.now() - t0, signal });
    return attempt === 1 ? new Promise<string>(() => {}) : input;
  }, { timeout: "50ms", retry: { attempts: 2, delay: 10, jitter: "none" } });
  const reading = collect(run);
  await time.tickAsync(60);
  const { outcomes } = await reading;
  assertEquals(outcomes, [{
    ok: true,
    index: 0,
    input: "x",
    value: "x",
    attempts: 2,
  }]);
  assertEquals(calls.map((c) => [c.attempt, c.at]), [[1, 0], [2, 60]]);
  assert(calls[0]?.signal.aborted);
  assert(isTimeoutError(calls[0].signal.reason));
  assertFalse(calls[1]?.signal.aborted);
  assertEquals(run.retried, 1);
  assertEquals(time.countTimers(), 0);
});

Deno.test("mapConcurrent() fail-fast on a timeout throws a TaskError caused by a TimeoutError", async () => {
  using time = useFakeTime();
  const run = mapConcurrent([1], () => new Promise<number>(() => {}), {
    timeout: "1s",
    onError: "fail-fast",
  });
  const reading = collect(run);
  await time.tickAsync(1_000);
  const { error } = await reading;
  assertInstanceOf(error, TaskError);
  assert(isTimeoutError(error.cause));
  assertEquals(time.countTimers(), 0);
});

Deno.test("mapConcurrent() clears the deadlines of tasks aborted by a break", async () => {
  using time = useFakeTime();
  const reasons: unknown[] = [];
  const run = mapConcurrent([0, 1, 2], async (n, { signal }) => {
    if (n === 0) return n;
    const reason = await aborted(signal);
    reasons.push(reason);
    throw reason;
  }, { concurrency: 3, timeout: "1h" });
  for await (const _ of run) break;
  assertEquals(reasons.length, 2);
  for (const reason of reasons) {
    assertInstanceOf(reason, DOMException);
    assertEquals(reason.name, "AbortError");
  }
  assertEquals(time.countTimers(), 0);
  assertEquals(run.settledLate, 0);
});

// ---------------------------------------------------------------- retries

Deno.test("mapConcurrent() retries a failing attempt with exponential backoff until it succeeds", async () => {
  using time = useFakeTime();
  const t0 = time.now;
  const calls: [number, number][] = [];
  const events: RetryEvent<string>[] = [];
  const errors: Error[] = [];
  const run = mapConcurrent(["job"], (input, { attempt, index }) => {
    calls.push([attempt, Date.now() - t0]);
    assertEquals(index, 0);
    if (attempt < 3) {
      const error = new Error(`attempt ${attempt}`);
      errors.push(error);
      throw error;
    }
    return input.toUpperCase();
  }, {
    retry: { attempts: 5, delay: 100, backoff: "exponential", jitter: "none" },
    onRetry: (event) => events.push(event),
  });
  const reading = collect(run);
  await time.tickAsync(300);
  const { outcomes } = await reading;
  assertEquals(outcomes, [{
    ok: true,
    index: 0,
    input: "job",
    value: "JOB",
    attempts: 3,
  }]);
  assertEquals(calls, [[1, 0], [2, 100], [3, 300]]);
  assertEquals(events, [
    { index: 0, input: "job", attempt: 1, error: errors[0], delayMs: 100 },
    { index: 0, input: "job", attempt: 2, error: errors[1], delayMs: 200 },
  ]);
  assertEquals(run.retried, 2);
  assertEquals(run.failed, 0);
});

Deno.test("mapConcurrent() reports the last error after the final attempt", async () => {
  using time = useFakeTime();
  const run = mapConcurrent(["job"], (_, { attempt }) => {
    throw new Error(`attempt ${attempt}`);
  }, { retry: { attempts: 3, delay: 10, jitter: "none" } });
  const reading = collect(run);
  await time.tickAsync(100);
  const { outcomes } = await reading;
  const [failure] = outcomes;
  assert(failure !== undefined && !failure.ok);
  assertEquals(failure.attempts, 3);
  assertEquals(failure.error.attempts, 3);
  assertInstanceOf(failure.error.cause, Error);
  assertEquals(failure.error.cause.message, "attempt 3");
  assertEquals(run.retried, 2);
  assertEquals(run.failed, 1);
});

Deno.test("mapConcurrent() retries only when retryIf(error, attempt) says so", async () => {
  using time = useFakeTime();
  const asked: [string, number][] = [];
  const run = mapConcurrent(["job"], (_, { attempt }) => {
    throw new Error(attempt < 2 ? "transient" : "fatal");
  }, {
    retry: {
      attempts: 5,
      delay: 10,
      jitter: "none",
      retryIf: (error, attempt) => {
        assertInstanceOf(error, Error);
        asked.push([error.message, attempt]);
        return error.message === "transient";
      },
    },
  });
  const reading = collect(run);
  await time.tickAsync(100);
  const { outcomes } = await reading;
  assertEquals(asked, [["transient", 1], ["fatal", 2]]);
  const [failure] = outcomes;
  assert(failure !== undefined && !failure.ok);
  assertEquals(failure.attempts, 2);
  assertEquals(run.retried, 1);
});

Deno.test("mapConcurrent() spaces retries by the backoff, capped by maxDelay", async () => {
  using time = useFakeTime();
  const cases = [
    ["constant", [100, 100, 100]],
    ["linear", [100, 200, 250]],
    ["exponential", [100, 200, 250]],
  ] as const;
  for (const [backoff, expected] of cases) {
    const delays: number[] = [];
    const run = mapConcurrent([1], () => {
      throw new Error("again");
    }, {
      retry: {
        attempts: 4,
        backoff,
        delay: "100ms",
        maxDelay: "250ms",
        jitter: "none",
      },
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    const reading = collect(run);
    await time.tickAsync(1_000);
    await reading;
    assertEquals(delays, [...expected], backoff);
  }
});

Deno.test("mapConcurrent() keeps jittered delays within the backoff", async () => {
  using time = useFakeTime();
  const delays: number[] = [];
  const run = mapConcurrent([1, 2, 3, 4], () => {
    throw new Error("again");
  }, {
    retry: { attempts: 3, delay: 100, jitter: "equal" },
    onRetry: ({ delayMs, attempt }) => {
      const full = 100 * 2 ** (attempt - 1);
      assertLessOrEqual(full / 2, delayMs);
      assertLessOrEqual(delayMs, full);
      delays.push(delayMs);
    },
  });
  const reading = collect(run);
  await time.tickAsync(1_000);
  await reading;
  assertEquals(delays.length, 8);
});

Deno.test("mapConcurrent() retries with a zero delay on the real clock", async () => {
  let calls = 0;
  const { outcomes } = await collect(
    mapConcurrent([1], (n, { attempt }) => {
      calls++;
      if (attempt === 1) throw new Error("once");
      return n;
    }, { retry: { attempts: 2, delay: 0 } }),
  );
  assertEquals(calls, 2);
  assertEquals(outcomes, [{
    ok: true,
    index: 0,
    input: 1,
    value: 1,
    attempts: 2,
  }]);
});

Deno.test("mapConcurrent() does not retry once the caller aborts during the backoff", async () => {
  using time = useFakeTime();
  const controller = new AbortController();
  const attempts: number[] = [];
  const run = mapConcurrent([1], (_, { attempt }) => {
    attempts.push(attempt);
    throw new Error("flaky");
  }, {
    signal: controller.signal,
    retry: { attempts: 5, delay: 1_000, jitter: "none" },
  });
  const reading = collect(run);
  await time.tickAsync(10);
  const reason = new Error("shutting down");
  controller.abort(reason);
  await time.tickAsync(0);
  const { error, outcomes } = await reading;
  assertStrictEquals(error, reason);
  assertEquals(outcomes, []);
  assertEquals(attempts, [1]);
  assertEquals(time.countTimers(), 0);
  await time.tickAsync(10_000);
  assertEquals(attempts, [1]);
});

// ---------------------------------------------------------------- rate limit

Deno.test("mapConcurrent() starts attempts no faster than rateLimit", async () => {
  using time = useFakeTime();
  const t0 = time.now;
  const starts: number[] = [];
  const run = mapConcurrent([0, 1, 2, 3, 4], (n) => {
    starts.push(Date.now() - t0);
    return n;
  }, { concurrency: 5, rateLimit: "2/100ms" });
  const reading = collect(run);
  await time.tickAsync(200);
  const { outcomes } = await reading;
  assertEquals(outcomes.length, 5);
  assertEquals(starts, [0, 0, 100, 100, 200]);
  assertEquals(time.countTimers(), 0);
});

Deno.test("mapConcurrent() shares a RateLimiter instance between runs", async () => {
  using time = useFakeTime();
  const t0 = time.now;
  const limiter = new RateLimiter("1/100ms");
  const starts: number[] = [];
  const task = (n: number): number => {
    starts.push(Date.now() - t0);
    return n;
  };
  const a = collect(mapConcurrent([1, 2], task, { rateLimit: limiter }));
  const b = collect(mapConcurrent([3, 4], task, { rateLimit: limiter }));
  await time.tickAsync(300);
  await Promise.all([a, b]);
  assertEquals(starts.sort((x, y) => x - y), [0, 100, 200, 300]);
  assertEquals(limiter.waiting, 0);
});

Deno.test("mapConcurrent() stops waiting for the rate limit when the run is aborted", async () => {
  using time = useFakeTime();
  let calls = 0;
  const run = mapConcurrent([1, 2, 3], (n) => {
    calls++;
    return n;
  }, { concurrency: 3, rateLimit: "1/h" });
  const reading = collect(run);
  await time.tickAsync(10);
  run.abort(new Error("stop"));
  const { error, outcomes } = await reading;
  assertInstanceOf(error, Error);
  assertEquals(error.message, "stop");
  assertEquals(outcomes.length, 1);
  assertEquals(calls, 1);
  assertEquals(time.countTimers(), 0);
});

// ---------------------------------------------------------------- shared semaphore

Deno.test("mapConcurrent() holds a shared Semaphore permit for each running task", async () => {
  using time = useFakeTime();
  const semaphore = new Semaphore(2);
  let active = 0;
  let peak = 0;
  const task = async (n: number): Promise<number> => {
    active++;
    peak = Math.max(peak, active);
    assertLessOrEqual(semaphore.running, 2);
    await after(10, () => undefined);
    active--;
    return n;
  };
  const a = collect(
    new MapRun([1, 2, 3, 4], task, { concurrency: 3, limiter: semaphore }),
  );
  const b = collect(
    new MapRun([5, 6, 7, 8], task, { concurrency: 3, limiter: semaphore }),
  );
  await time.tickAsync(100);
  const [ra, rb] = await Promise.all([a, b]);
  assertEquals(ra.outcomes.length + rb.outcomes.length, 8);
  assertEquals(peak, 2);
  assertEquals(semaphore.running, 0);
  assertEquals(semaphore.waiting, 0);
});

Deno.test("mapConcurrent() leaves the shared Semaphore's queue when the run is aborted", async () => {
  const semaphore = new Semaphore(1);
  const held = await semaphore.acquire();
  let calls = 0;
  const run = new MapRun([1, 2], (n) => {
    calls++;
    return n;
  }, { limiter: semaphore });
  const reading = collect(run);
  await flush();
  assertEquals(semaphore.waiting, 2);
  // Tasks waiting for a permit are not counted as running.
  assertEquals(run.waiting, 2);
  assertEquals(run.running, 0);
  run.abort(new Error("stop"));
  const { error } = await reading;
  assertInstanceOf(error, Error);
  assertEquals(semaphore.waiting, 0);
  assertEquals(calls, 0);
  held.release();
  assertEquals(semaphore.running, 0);
});

// ---------------------------------------------------------------- abandonAfter

Deno.test("mapConcurrent() with abandonAfter ends a stopped run without a task that ignores its signal", async () => {
  using time = useFakeTime();
  let release!: () => void;
  const stubborn = new Promise<number>((resolve) =>
    release = () => resolve(-1)
  );
  const run = mapConcurrent([0, 1, 2], (n) => (n === 0 ? stubborn : n), {
    concurrency: 3,
    abandonAfter: "100ms",
  });
  const seen: number[] = [];
  const loop = (async () => {
    for await (const outcome of run) {
      if (outcome.ok) seen.push(outcome.value);
      if (seen.length === 2) break;
    }
  })();
  let exited = false;
  loop.then(() => exited = true);
  await time.tickAsync(99);
  assertFalse(
    exited,
    "the loop waits for the stubborn task until abandonAfter",
  );
  await time.tickAsync(2);
  await loop;
  assert(exited);
  assertEquals(seen.sort(), [1, 2]);
  assertEquals(run.settledLate, 0);
  release();
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(run.settledLate, 1);
});

Deno.test("mapConcurrent() without abandonAfter waits for every task after a stop", async () => {
  using time = useFakeTime();
  let release!: () => void;
  const stubborn = new Promise<number>((resolve) =>
    release = () => resolve(-1)
  );
  const run = mapConcurrent([0], () => stubborn, { concurrency: 1 });
  const next = run.next();
  run.abort(new Error("stop"));
  let settled = false;
  next.then(() => settled = true, () => settled = true);
  await time.tickAsync(60_000);
  assertFalse(settled);
  release();
  // The task finished anyway: its success comes first, then the reason.
  const first = await next;
  assertEquals(first.done ? undefined : first.value.ok, true);
  const error = await run.next().then(() => undefined, (e: unknown) => e);
  assertInstanceOf(error, Error);
  assertEquals(error.message, "stop");
});
