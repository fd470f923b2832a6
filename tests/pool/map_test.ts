/**
 * Unit tests of `mapConcurrent` and `mapAll`: sources, outcomes, order,
 * back-pressure, early exit, aborts, resizing, source errors and misuse.
 * Timing is driven by gates (deferred promises) and `flush()`, never by
 * measuring real time.
 */

import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertLessOrEqual,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  type Duration,
  mapAll,
  mapConcurrent,
  type MapOptions,
  type Outcome,
  type Rate,
  SourceError,
  TaskError,
  type TaskFn,
} from "../../mod.ts";

// ---------------------------------------------------------------- helpers

/** Lets every pending microtask and the tasks' follow-ups run. */
const flush = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 0));

/** A hang guard: fails the test if `promise` does not settle in `ms`. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle: it hangs`)),
      1_000,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

interface Collected<I, O> {
  outcomes: Outcome<I, O>[];
  error: unknown;
  threw: boolean;
}

/** Reads a run to its end, keeping the outcomes yielded before any throw. */
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

/** Tasks that each wait for the test to release them, in any order. */
class Gates {
  readonly #gates = new Map<number, PromiseWithResolvers<void>>();
  readonly started: number[] = [];
  active = 0;
  peak = 0;

  wait(index: number): Promise<void> {
    this.started.push(index);
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    return this.#get(index).promise.finally(() => this.active--);
  }

  release(index: number): void {
    this.#get(index).resolve();
  }

  releaseAll(): void {
    for (const index of this.started) this.release(index);
  }

  #get(index: number): PromiseWithResolvers<void> {
    let gate = this.#gates.get(index);
    if (gate === undefined) {
      gate = Promise.withResolvers<void>();
      this.#gates.set(index, gate);
    }
    return gate;
  }
}

/** An endless generator that counts what it hands out and notes its close. */
function counting(): {
  items: Generator<number>;
  pulled: () => number;
  closed: () => boolean;
} {
  let pulled = 0;
  let closed = false;
  function* items(): Generator<number> {
    try {
      for (let i = 0;; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { items: items(), pulled: () => pulled, closed: () => closed };
}

/** The async twin of {@linkcode counting}. */
function countingAsync(): {
  items: AsyncGenerator<number>;
  pulled: () => number;
  closed: () => boolean;
} {
  let pulled = 0;
  let closed = false;
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0;; i++) {
        await Promise.resolve();
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { items: items(), pulled: () => pulled, closed: () => closed };
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

/** An AbortController whose signal counts the listeners attached to it. */
function listenedController(): {
  controller: AbortController;
  listeners: () => number;
} {
  const controller = new AbortController();
  const signal = controller.signal;
  const live = new Set<EventListenerOrEventListenerObject>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void => {
    live.add(listener);
    add(type, listener, options);
  };
  signal.removeEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void => {
    live.delete(listener);
    remove(type, listener, options);
  };
  // A `once` listener leaves after it fires.
  add("abort", () => live.clear());
  return { controller, listeners: () => live.size };
}

/**
 * Records unhandled rejections instead of letting them end the test file,
 * so a test can assert there were none.
 */
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

function values<I, O>(outcomes: Outcome<I, O>[]): O[] {
  return outcomes.flatMap((o) => (o.ok ? [o.value] : []));
}

// ---------------------------------------------------------------- sources

Deno.test("mapConcurrent() pulls nothing from the source before the first next()", async () => {
  const source = counting();
  let calls = 0;
  const run = mapConcurrent(source.items, (n) => {
    calls++;
    return n;
  }, { concurrency: 4 });
  await flush();
  assertEquals(source.pulled(), 0);
  assertEquals(calls, 0);
  assertEquals(run.started, 0);
  const first = await run.next();
  assertEquals(first.done, false);
  assert(source.pulled() > 0);
  await run.return();
  assert(source.closed());
});

Deno.test("mapConcurrent() accepts arrays, sets, strings, generators and async iterables", async () => {
  async function* asyncGen(): AsyncGenerator<number> {
    yield 1;
    yield 2;
    yield 3;
  }
  function* syncGen(): Generator<number> {
    yield 1;
    yield 2;
    yield 3;
  }
  const handWritten: AsyncIterable<number> = {
    [Symbol.asyncIterator](): AsyncIterator<number> {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < 3
              ? { done: false, value: ++i }
              : { done: true, value: undefined },
          ),
      };
    },
  };
  const sources: [string, Iterable<number> | AsyncIterable<number>][] = [
    ["array", [1, 2, 3]],
    ["set", new Set([1, 2, 3])],
    ["sync generator", syncGen()],
    ["async generator", asyncGen()],
    ["hand-written async iterable", handWritten],
    ["ReadableStream", ReadableStream.from([1, 2, 3])],
  ];
  for (const [name, source] of sources) {
    const run = mapConcurrent(source, (n) => n * 10, { ordered: true });
    assertEquals(values((await collect(run)).outcomes), [10, 20, 30], name);
  }
  const letters = await mapAll("abc", (c) => c.toUpperCase());
  assertEquals(letters, ["A", "B", "C"]);
});

Deno.test("mapConcurrent() runs an endless sync generator pulling at most concurrency + buffer ahead of the reader", async () => {
  const concurrency = 3;
  const buffer = 2;
  const source = counting();
  const run = mapConcurrent(source.items, (n) => Promise.resolve(n), {
    concurrency,
    buffer,
  });
  let read = 0;
  for await (const outcome of run) {
    read++;
    assert(outcome.ok);
    assertLessOrEqual(source.pulled() - read, concurrency + buffer);
    if (read % 10 === 0) {
      // A paused reader: the run fills its window, then waits.
      await flush();
      assertEquals(source.pulled() - read, concurrency + buffer);
      assertLessOrEqual(run.buffered, concurrency + buffer);
    }
    if (read === 100) break;
  }
  assert(source.closed(), "the generator's finally block ran");
  assertEquals(run.running, 0);
});

Deno.test("mapConcurrent() runs an endless async generator pulling at most concurrency + buffer ahead of the reader", async () => {
  const concurrency = 2;
  const buffer = 1;
  const source = countingAsync();
  const run = mapConcurrent(source.items, (n) => Promise.resolve(n * 2), {
    concurrency,
    buffer,
  });
  let read = 0;
  for await (const outcome of run) {
    read++;
    assert(outcome.ok);
    assertEquals(outcome.value, outcome.index * 2);
    assertLessOrEqual(source.pulled() - read, concurrency + buffer);
    if (read % 10 === 0) {
      await flush();
      assertEquals(source.pulled() - read, concurrency + buffer);
    }
    if (read === 60) break;
  }
  assert(source.closed(), "the async generator's finally block ran");
});

Deno.test("mapConcurrent() starts no more than concurrency + buffer tasks while the reader is slow", async () => {
  // pooledMap from the standard library starts every mapper here.
  let calls = 0;
  const run = mapConcurrent(
    Array.from({ length: 100 }, (_, i) => i),
    (n) => {
      calls++;
      return Promise.resolve(n);
    },
    { concurrency: 4, buffer: 0 },
  );
  const first = await run.next();
  assertEquals(first.done, false);
  await flush();
  await flush();
  // One outcome read, four finished and held for the reader.
  assertEquals(calls, 5);
  assertEquals(run.started, 5);
  assertEquals(run.buffered, 4);
  assertEquals(run.running, 0);
  await run.return();
  assertEquals(calls, 5);
});

Deno.test("mapConcurrent() keeps exactly concurrency tasks running while work remains and the reader keeps up", async () => {
  const gates = new Gates();
  const total = 12;
  const concurrency = 3;
  const run = mapConcurrent(
    Array.from({ length: total }, (_, i) => i),
    async (n) => {
      await gates.wait(n);
      return n;
    },
    { concurrency },
  );
  const reading = collect(run);
  for (let done = 0; done < total; done++) {
    await flush();
    const expected = Math.min(concurrency, total - done);
    assertEquals(gates.active, expected, `after ${done} finished`);
    assertEquals(run.running, expected);
    gates.release(done);
  }
  const { outcomes, threw } = await reading;
  assertFalse(threw);
  assertEquals(outcomes.length, total);
  assertEquals(gates.peak, concurrency);
});

// ---------------------------------------------------------------- tasks and outcomes

Deno.test("mapConcurrent() gives each task its index, attempt 1 and a live signal", async () => {
  const seen: {
    input: string;
    index: number;
    attempt: number;
    aborted: boolean;
  }[] = [];
  const run = mapConcurrent(["a", "b", "c"], (input, ctx) => {
    assert(ctx.signal instanceof AbortSignal);
    seen.push({
      input,
      index: ctx.index,
      attempt: ctx.attempt,
      aborted: ctx.signal.aborted,
    });
    return input;
  }, { concurrency: 2 });
  await collect(run);
  assertEquals(seen, [
    { input: "a", index: 0, attempt: 1, aborted: false },
    { input: "b", index: 1, attempt: 1, aborted: false },
    { input: "c", index: 2, attempt: 1, aborted: false },
  ]);
});

Deno.test("mapConcurrent() yields a success or a failure outcome with index, input and attempts", async () => {
  const boom = new Error("boom");
  const { outcomes, threw } = await collect(
    mapConcurrent(["ok", "bad"], (input) => {
      if (input === "bad") throw boom;
      return input.length;
    }, { ordered: true }),
  );
  assertFalse(threw);
  assertEquals(outcomes.length, 2);
  const [success, failure] = outcomes;
  assertEquals(success, {
    ok: true,
    index: 0,
    input: "ok",
    value: 2,
    attempts: 1,
  });
  assert(failure !== undefined && !failure.ok);
  assertEquals(failure.index, 1);
  assertEquals(failure.input, "bad");
  assertEquals(failure.attempts, 1);
  assertInstanceOf(failure.error, TaskError);
  assertStrictEquals(failure.error.cause, boom);
  assertEquals(failure.error.index, 1);
  assertEquals(failure.error.input, "bad");
  assertEquals(failure.error.attempts, 1);
  assertStringIncludes(failure.error.message, "boom");
});

Deno.test("mapConcurrent() yields exactly one outcome per input under the default continue policy", async () => {
  const inputs = Array.from({ length: 50 }, (_, i) => i);
  const { outcomes, threw } = await collect(
    mapConcurrent(inputs, async (n) => {
      await Promise.resolve();
      if (n % 3 === 0) throw new RangeError(`bad ${n}`);
      return n;
    }, { concurrency: 7 }),
  );
  assertFalse(threw);
  assertEquals(outcomes.map((o) => o.index).sort((a, b) => a - b), inputs);
  for (const outcome of outcomes) {
    assertEquals(outcome.input, outcome.index);
    assertEquals(outcome.ok, outcome.index % 3 !== 0);
  }
});

Deno.test("mapConcurrent() records odd task results as outcomes, with the original as cause", async () => {
  type Odd =
    | "string"
    | "undefined"
    | "sync"
    | "value"
    | "void"
    | "thenable"
    | "null";
  const kinds: Odd[] = [
    "string",
    "undefined",
    "sync",
    "value",
    "void",
    "thenable",
    "null",
  ];
  const syncError = new TypeError("sync");
  const fn: TaskFn<Odd, unknown> = (kind) => {
    switch (kind) {
      case "string":
        return Promise.reject("a string");
      case "undefined":
        return Promise.reject(undefined);
      case "null":
        throw null;
      case "sync":
        throw syncError;
      case "value":
        return 42;
      case "void":
        return undefined;
      case "thenable":
        return { then: (resolve: (value: string) => void) => resolve("then") };
    }
  };
  // The plain path and the policy path (a timeout) are separate code.
  const policies: MapOptions<Odd>[] = [{}, { timeout: "1h" }];
  for (const options of policies) {
    const { outcomes, threw } = await collect(
      mapConcurrent(kinds, fn, { ...options, ordered: true }),
    );
    const label = JSON.stringify(options);
    assertFalse(threw, label);
    assertEquals(outcomes.length, kinds.length, label);
    const byKind = new Map(outcomes.map((o) => [o.input, o]));
    const causeOf = (kind: Odd): unknown => {
      const o = byKind.get(kind);
      assert(o !== undefined && !o.ok, `${kind} fails (${label})`);
      assertInstanceOf(o.error, TaskError);
      return o.error.cause;
    };
    const valueOf = (kind: Odd): unknown => {
      const o = byKind.get(kind);
      assert(o !== undefined && o.ok, `${kind} succeeds (${label})`);
      return o.value;
    };
    assertStrictEquals(causeOf("string"), "a string");
    assertStrictEquals(causeOf("undefined"), undefined);
    assertStrictEquals(causeOf("null"), null);
    assertStrictEquals(causeOf("sync"), syncError);
    assertStrictEquals(valueOf("value"), 42);
    assertStrictEquals(valueOf("void"), undefined);
    assertStrictEquals(valueOf("thenable"), "then");
  }
});

// ---------------------------------------------------------------- order

Deno.test("mapConcurrent() yields outcomes in completion order by default", async () => {
  const gates = new Gates();
  const run = mapConcurrent([0, 1, 2], async (n) => {
    await gates.wait(n);
    return n;
  }, { concurrency: 3 });
  const reading = collect(run);
  await flush();
  for (const n of [2, 0, 1]) {
    gates.release(n);
    await flush();
  }
  assertEquals((await reading).outcomes.map((o) => o.index), [2, 0, 1]);
});

Deno.test("mapConcurrent() yields outcomes in input order when ordered is true", async () => {
  const gates = new Gates();
  const run = mapConcurrent([0, 1, 2, 3, 4], async (n) => {
    await gates.wait(n);
    if (n === 3) throw new Error("three");
    return n;
  }, { concurrency: 5, ordered: true });
  const reading = collect(run);
  await flush();
  for (const n of [4, 2, 3, 0, 1]) {
    gates.release(n);
    await flush();
  }
  const { outcomes } = await reading;
  assertEquals(outcomes.map((o) => o.index), [0, 1, 2, 3, 4]);
  assertEquals(outcomes.map((o) => o.ok), [true, true, true, false, true]);
});

Deno.test("mapConcurrent() in ordered mode starts no more than concurrency + buffer inputs while the first task is slow", async () => {
  const gates = new Gates();
  const source = counting();
  const run = mapConcurrent(source.items, async (n) => {
    if (n === 0) await gates.wait(0);
    return n;
  }, { concurrency: 2, buffer: 1, ordered: true });
  const first = run.next();
  await flush();
  await flush();
  // Task 0 still runs; 1 and 2 finished and are held for order.
  assertEquals(run.started, 3);
  assertEquals(source.pulled(), 3);
  assertEquals(run.running, 1);
  assertEquals(run.buffered, 2);
  gates.release(0);
  const head = await first;
  assert(!head.done);
  assertEquals(head.value.index, 0);
  const second = await run.next();
  assert(!second.done);
  assertEquals(second.value.index, 1);
  await run.return();
  assert(source.closed());
});

// ---------------------------------------------------------------- early exit

Deno.test("mapConcurrent() aborts in-flight tasks and waits for them when the loop breaks", async () => {
  const source = counting();
  const reasons = new Map<number, unknown>();
  const settled = new Set<number>();
  const run = mapConcurrent(source.items, async (n, { signal }) => {
    if (n === 0) return n;
    const reason = await aborted(signal);
    reasons.set(n, reason);
    // Clean-up takes a while; the loop must not exit before it is done.
    await flush();
    settled.add(n);
    throw reason;
  }, { concurrency: 3 });
  for await (const outcome of run) {
    assertEquals(outcome.index, 0);
    break;
  }
  assert(reasons.size > 0);
  assertEquals([...settled].sort(), [...reasons.keys()].sort());
  for (const reason of reasons.values()) {
    assertInstanceOf(reason, DOMException);
    assertEquals(reason.name, "AbortError");
  }
  assert(source.closed(), "the generator's finally block ran");
  assertEquals(run.running, 0);
  assert(run.finished);
  assertEquals(await run.next(), { done: true, value: undefined });
});

Deno.test("mapConcurrent() closes an async generator source when the loop breaks", async () => {
  const source = countingAsync();
  const run = mapConcurrent(source.items, async (n, { signal }) => {
    if (n > 0) await aborted(signal);
    return n;
  }, { concurrency: 2 });
  for await (const _ of run) break;
  assert(source.closed(), "the async generator's finally block ran");
});

Deno.test("mapConcurrent() leaves no listener on the caller's signal", async () => {
  // A full run, a run left early and a failed run.
  for (const mode of ["complete", "break", "fail-fast"] as const) {
    const { controller, listeners } = listenedController();
    const run = mapConcurrent([1, 2, 3, 4], (n) => {
      if (mode === "fail-fast" && n === 3) throw new Error("three");
      return Promise.resolve(n);
    }, {
      concurrency: 2,
      signal: controller.signal,
      onError: mode === "fail-fast" ? "fail-fast" : "continue",
    });
    if (mode === "break") {
      for await (const _ of run) break;
    } else {
      await collect(run);
    }
    assertEquals(listeners(), 0, mode);
  }
});

Deno.test("mapConcurrent() stops the run when disposed with await using", async () => {
  const source = counting();
  const reasons: unknown[] = [];
  let handle: { finished: boolean; running: number } | undefined;
  {
    await using run = mapConcurrent(source.items, async (n, { signal }) => {
      if (n > 0) reasons.push(await aborted(signal));
      return n;
    }, { concurrency: 2 });
    handle = run;
    const first = await run.next();
    assert(!first.done);
    assertEquals(first.value.index, 0);
  }
  assert(handle.finished);
  assertEquals(handle.running, 0);
  assert(reasons.length > 0);
  for (const reason of reasons) {
    assertInstanceOf(reason, DOMException);
    assertEquals(reason.name, "AbortError");
  }
  assert(source.closed());
});

Deno.test("mapConcurrent() never surfaces a rejection that follows the abort", async () => {
  const run = mapConcurrent([0, 1, 2], async (n, { signal }) => {
    if (n === 0) return n;
    await aborted(signal);
    throw new Error(`late failure ${n}`);
  }, { concurrency: 3 });
  using unhandled = recordUnhandled();
  for await (const _ of run) break;
  await flush();
  assertEquals(unhandled.reasons, []);
  assertEquals(run.failed, 0);
});

// ---------------------------------------------------------------- source errors

Deno.test("mapConcurrent() reports a throwing sync source as a SourceError after in-flight outcomes", async () => {
  const gates = new Gates();
  const cause = new Error("disk gone");
  function* rows(): Generator<number> {
    yield 0;
    yield 1;
    throw cause;
  }
  const signals: AbortSignal[] = [];
  const run = mapConcurrent(rows(), async (n, { signal }) => {
    signals.push(signal);
    await gates.wait(n);
    return n * 10;
  }, { concurrency: 4 });
  const reading = collect(run);
  await flush();
  // The source failed, but the tasks already running go on.
  assertEquals(gates.started, [0, 1]);
  assert(signals.every((s) => !s.aborted));
  gates.releaseAll();
  const { outcomes, error } = await reading;
  assertEquals(values(outcomes).sort(), [0, 10]);
  assertInstanceOf(error, SourceError);
  assertStrictEquals(error.cause, cause);
  assertEquals(error.itemsRead, 2);
  assertEquals(run.failed, 0);
});

Deno.test("mapConcurrent() reports a throwing async source as a SourceError after in-flight outcomes", async () => {
  const cause = new Error("socket closed");
  async function* rows(): AsyncGenerator<string> {
    yield "a";
    await Promise.resolve();
    yield "b";
    throw cause;
  }
  const { outcomes, error } = await collect(
    mapConcurrent(rows(), async (s) => {
      await flush();
      return s.toUpperCase();
    }, { concurrency: 2 }),
  );
  assertEquals(values(outcomes).sort(), ["A", "B"]);
  assertInstanceOf(error, SourceError);
  assertStrictEquals(error.cause, cause);
  assertEquals(error.itemsRead, 2);
});

Deno.test("mapConcurrent() reports a source whose next() throws or rejects as a SourceError", async () => {
  const cause = new Error("next failed");
  const syncThrow: Iterable<number> = {
    [Symbol.iterator]: () => ({
      next: (): IteratorResult<number> => {
        throw cause;
      },
    }),
  };
  const asyncThrow: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: (): Promise<IteratorResult<number>> => {
        throw cause;
      },
    }),
  };
  const asyncReject: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: (): Promise<IteratorResult<number>> => Promise.reject(cause),
    }),
  };
  for (
    const [name, source] of [["sync throw", syncThrow], [
      "async throw",
      asyncThrow,
    ], [
      "async reject",
      asyncReject,
    ]] as const
  ) {
    let calls = 0;
    const { outcomes, error } = await within(
      collect(mapConcurrent(source, (n: number) => {
        calls++;
        return n;
      })),
      name,
    );
    assertEquals(outcomes, [], name);
    assertEquals(calls, 0, name);
    assertInstanceOf(error, SourceError, name);
    assertStrictEquals(error.cause, cause, name);
    assertEquals(error.itemsRead, 0, name);
  }
});

Deno.test("mapConcurrent() reports a source whose [Symbol.iterator]() throws as a SourceError", async () => {
  const cause = new Error("cannot open");
  const source: Iterable<number> = {
    [Symbol.iterator]: (): Iterator<number> => {
      throw cause;
    },
  };
  const { error } = await within(
    collect(mapConcurrent(source, (n) => n)),
    "a source whose [Symbol.iterator]() throws",
  );
  assertInstanceOf(error, SourceError);
  assertStrictEquals(error.cause, cause);
  assertEquals(error.itemsRead, 0);
});

Deno.test("mapConcurrent() reports a source whose [Symbol.asyncIterator]() throws as a SourceError", async () => {
  const cause = new Error("cannot connect");
  const source: AsyncIterable<number> = {
    [Symbol.asyncIterator]: (): AsyncIterator<number> => {
      throw cause;
    },
  };
  const { error } = await within(
    collect(mapConcurrent(source, (n) => n)),
    "a source whose [Symbol.asyncIterator]() throws",
  );
  assertInstanceOf(error, SourceError);
  assertStrictEquals(error.cause, cause);
});

Deno.test("mapConcurrent() reports a sync source whose next() returns a non-object as a SourceError", async () => {
  // What `for await` itself rejects with a TypeError.
  const source: Iterable<number> = {
    [Symbol.iterator]: () => ({
      next: () => undefined as unknown as IteratorResult<number>,
    }),
  };
  const { error } = await within(
    collect(mapConcurrent(source, (n: number) => n)),
    "a sync source with a malformed result",
  );
  assertInstanceOf(error, SourceError);
  assertInstanceOf(error.cause, TypeError);
});

Deno.test("mapConcurrent() reports an async source whose next() resolves to a non-object as a SourceError", async () => {
  const source: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        Promise.resolve(undefined as unknown as IteratorResult<number>),
    }),
  };
  using unhandled = recordUnhandled();
  let result: Collected<number, number> | undefined;
  let hang: unknown;
  try {
    result = await within(
      collect(mapConcurrent(source, (n: number) => n)),
      "an async source with a malformed result",
    );
  } catch (error) {
    hang = error;
  }
  assertEquals(unhandled.reasons, [], "an unhandled rejection");
  assert(result !== undefined, String(hang));
  const error = result.error;
  assertInstanceOf(error, SourceError);
  assertInstanceOf(error.cause, TypeError);
});

// ---------------------------------------------------------------- aborts

Deno.test("mapConcurrent() stops when the caller's signal aborts and throws its reason", async () => {
  const controller = new AbortController();
  const source = counting();
  const seen: unknown[] = [];
  const run = mapConcurrent(source.items, async (n, { signal }) => {
    if (n < 2) return n;
    const reason = await aborted(signal);
    seen.push(reason);
    throw reason;
  }, { concurrency: 3, signal: controller.signal });
  const reading = collect(run);
  await flush();
  const startedBefore = run.started;
  const reason = new Error("user cancelled");
  controller.abort(reason);
  const { outcomes, error } = await reading;
  assertStrictEquals(error, reason);
  assertEquals(values(outcomes).sort(), [0, 1]);
  assert(seen.length > 0);
  for (const r of seen) assertStrictEquals(r, reason);
  assertEquals(run.started, startedBefore);
  assert(source.closed());
  assertEquals(await run.next(), { done: true, value: undefined });
});

Deno.test("mapConcurrent() with an already aborted signal throws its reason without pulling anything", async () => {
  const source = counting();
  let calls = 0;
  const reason = new Error("too late");
  const run = mapConcurrent(source.items, (n) => {
    calls++;
    return n;
  }, { signal: AbortSignal.abort(reason) });
  const { outcomes, error } = await collect(run);
  assertStrictEquals(error, reason);
  assertEquals(outcomes, []);
  assertEquals(source.pulled(), 0);
  assertEquals(calls, 0);
});

Deno.test("mapConcurrent() run.abort(reason) aborts the tasks and throws the reason", async () => {
  const source = counting();
  const seen: unknown[] = [];
  const run = mapConcurrent(source.items, async (n, { signal }) => {
    const reason = await aborted(signal);
    seen.push(reason);
    throw new Error(`task ${n} stopped`);
  }, { concurrency: 2 });
  const reading = collect(run);
  await flush();
  assertEquals(run.running, 2);
  const reason = new Error("operator said stop");
  run.abort(reason);
  const { outcomes, error } = await reading;
  assertStrictEquals(error, reason);
  assertEquals(outcomes, []);
  assertEquals(seen, [reason, reason]);
  assertEquals(run.started, 2);
  assert(run.finished);
  assert(source.closed());
});

Deno.test("mapConcurrent() run.abort() without a reason throws an AbortError", async () => {
  const run = mapConcurrent([1, 2], async (_, { signal }) => {
    throw await aborted(signal);
  });
  const reading = collect(run);
  await flush();
  run.abort();
  const { error } = await reading;
  assertInstanceOf(error, DOMException);
  assertEquals(error.name, "AbortError");
});

Deno.test("mapConcurrent() run.abort() before iterating throws on the first next() without pulling", async () => {
  const source = counting();
  const run = mapConcurrent(source.items, (n) => n);
  const reason = new Error("never mind");
  run.abort(reason);
  await assertRejects(() => run.next(), Error, "never mind");
  assertEquals(source.pulled(), 0);
  assertEquals(await run.next(), { done: true, value: undefined });
});

// ---------------------------------------------------------------- resize and counts

Deno.test("mapConcurrent() resize() grows the pool and starts tasks at once", async () => {
  const gates = new Gates();
  const run = mapConcurrent([0, 1, 2, 3, 4], async (n) => {
    await gates.wait(n);
    return n;
  }, { concurrency: 1 });
  const reading = collect(run);
  await flush();
  assertEquals(gates.active, 1);
  run.resize(3);
  assertEquals(gates.active, 3, "started synchronously by resize()");
  assertEquals(run.concurrency, 3);
  assertEquals(run.running, 3);
  gates.releaseAll();
  await flush();
  gates.releaseAll();
  assertEquals((await reading).outcomes.length, 5);
});

Deno.test("mapConcurrent() resize() shrinks the pool by letting running tasks finish", async () => {
  const gates = new Gates();
  const signals: AbortSignal[] = [];
  const run = mapConcurrent([0, 1, 2, 3, 4, 5], async (n, { signal }) => {
    signals.push(signal);
    await gates.wait(n);
    return n;
  }, { concurrency: 3 });
  const reading = collect(run);
  await flush();
  assertEquals(gates.started, [0, 1, 2]);
  run.resize(1);
  assertEquals(run.running, 3, "running tasks are not cancelled");
  assert(signals.every((s) => !s.aborted));
  gates.release(0);
  await flush();
  assertEquals(gates.started, [0, 1, 2], "nothing starts above the new limit");
  gates.release(1);
  await flush();
  assertEquals(gates.started, [0, 1, 2]);
  gates.release(2);
  await flush();
  assertEquals(gates.started, [0, 1, 2, 3]);
  assertEquals(gates.active, 1);
  for (const n of [3, 4, 5]) {
    gates.release(n);
    await flush();
    assertLessOrEqual(gates.active, 1);
  }
  assertEquals((await reading).outcomes.length, 6);
});

Deno.test("mapConcurrent() resize(0) pauses the run and a later resize resumes it", async () => {
  const gates = new Gates();
  const run = mapConcurrent([0, 1, 2, 3], async (n) => {
    await gates.wait(n);
    return n;
  }, { concurrency: 2 });
  const reading = collect(run);
  await flush();
  run.resize(0);
  gates.releaseAll();
  await flush();
  await flush();
  assertEquals(gates.started, [0, 1]);
  assertEquals(run.running, 0);
  assertFalse(run.finished);
  run.resize(2);
  assertEquals(gates.started, [0, 1, 2, 3]);
  gates.releaseAll();
  const { outcomes } = await reading;
  assertEquals(outcomes.length, 4);
  assert(run.finished);
});

Deno.test("mapConcurrent() resize(0) starts no input that an async source delivers afterwards", async () => {
  const sourceGate = Promise.withResolvers<void>();
  async function* rows(): AsyncGenerator<number> {
    yield 0;
    await sourceGate.promise; // a slow read is in flight during resize(0)
    yield 1;
  }
  const gates = new Gates();
  const run = mapConcurrent(rows(), async (n) => {
    await gates.wait(n);
    return n;
  }, { concurrency: 2 });
  const reading = collect(run);
  await flush();
  assertEquals(gates.started, [0]);
  run.resize(0);
  sourceGate.resolve();
  await flush();
  const startedWhilePaused = [...gates.started];
  run.resize(2);
  gates.releaseAll();
  await flush();
  gates.releaseAll();
  assertEquals((await reading).outcomes.length, 2);
  assertEquals(startedWhilePaused, [0], "a task started while paused");
});

Deno.test("mapConcurrent() resize() rejects a negative, fractional or NaN limit", () => {
  const run = mapConcurrent([1], (n) => n);
  for (const bad of [-1, 1.5, NaN]) {
    const error = assertThrows(
      () => run.resize(bad),
      RangeError,
      "concurrency",
    );
    assertStringIncludes(error.message, String(bad));
  }
  assertEquals(run.concurrency, 8);
});

Deno.test("mapConcurrent() reports live counts while it runs", async () => {
  const gates = new Gates();
  const run = mapConcurrent([0, 1, 2, 3, 4], async (n) => {
    await gates.wait(n);
    if (n === 1) throw new Error("one");
    return n;
  }, { concurrency: 2, buffer: 1 });
  assertEquals(
    [run.started, run.running, run.buffered, run.failed, run.finished],
    [0, 0, 0, 0, false],
  );
  const first = run.next();
  await flush();
  assertEquals([run.started, run.running, run.buffered], [2, 2, 0]);
  gates.release(1);
  assert(!(await first).done); // the failure of input 1 goes to the reader
  await flush();
  assertEquals([run.started, run.running, run.failed], [3, 2, 1]);
  // Nobody reads: finished outcomes are buffered up to the window.
  gates.release(0);
  gates.release(2);
  await flush();
  assertEquals([run.started, run.running, run.buffered], [4, 1, 2]);
  gates.releaseAll();
  await flush();
  assertEquals([run.started, run.running, run.buffered], [4, 0, 3]);
  gates.release(4);
  const rest = await collect(run);
  assertEquals(rest.outcomes.length, 4);
  assertEquals(run.buffered, 0);
  assertEquals(run.started, 5);
  assertEquals(run.failed, 1);
  assertEquals(run.retried, 0);
  assertEquals(run.settledLate, 0);
  assert(run.finished);
});

// ---------------------------------------------------------------- misuse

Deno.test("mapConcurrent() rejects a bad concurrency, naming the option and quoting the value", () => {
  for (const bad of [0, -2, 1.5, NaN, Infinity]) {
    const error = assertThrows(
      () => mapConcurrent([1], (n) => n, { concurrency: bad }),
      RangeError,
      "concurrency",
    );
    assertStringIncludes(error.message, String(bad));
  }
  const error = assertThrows(
    () =>
      mapConcurrent([1], (n) => n, { concurrency: "4" as unknown as number }),
    TypeError,
    "concurrency",
  );
  assertStringIncludes(error.message, '"4"');
});

Deno.test("mapConcurrent() rejects a bad buffer, naming the option and quoting the value", () => {
  for (const bad of [-1, 0.5, NaN]) {
    const error = assertThrows(
      () => mapConcurrent([1], (n) => n, { buffer: bad }),
      RangeError,
      "buffer",
    );
    assertStringIncludes(error.message, String(bad));
  }
  // Zero is a valid buffer: no outcome is held beyond the running tasks.
  mapConcurrent([1], (n) => n, { buffer: 0 });
});

Deno.test("mapConcurrent() rejects malformed durations and rates, quoting the value", () => {
  const badTimeout = assertThrows(
    () =>
      mapConcurrent([1], (n) => n, { timeout: "5x" as unknown as Duration }),
    RangeError,
    "timeout",
  );
  assertStringIncludes(badTimeout.message, '"5x"');
  assertThrows(
    () => mapConcurrent([1], (n) => n, { timeout: 0 }),
    RangeError,
    "timeout",
  );
  const badDelay = assertThrows(
    () =>
      mapConcurrent([1], (n) => n, {
        retry: { attempts: 2, delay: "soon" as unknown as Duration },
      }),
    RangeError,
    "delay",
  );
  assertStringIncludes(badDelay.message, '"soon"');
  for (const rate of ["fast", "10/lightyear", "0/s"]) {
    const error = assertThrows(
      () => mapConcurrent([1], (n) => n, { rateLimit: rate as Rate }),
      RangeError,
    );
    assertStringIncludes(error.message, JSON.stringify(rate));
    assert(/rate ?limit/i.test(error.message), error.message);
  }
  assertThrows(
    () => mapConcurrent([1], (n) => n, { retry: { attempts: 0 } }),
    RangeError,
    "attempts",
  );
  assertThrows(
    () => mapConcurrent([1], (n) => n, { maxFailures: -1 }),
    RangeError,
    "maxFailures",
  );
  assertThrows(
    () =>
      mapConcurrent([1], (n) => n, {
        onError: "ignore" as unknown as "continue",
      }),
    RangeError,
    '"ignore"',
  );
});

Deno.test("mapConcurrent() rejects a non-iterable source or a non-function task with a TypeError", () => {
  for (const bad of [42, null, undefined, {}, Promise.resolve([1])]) {
    assertThrows(
      () => mapConcurrent(bad as unknown as Iterable<number>, (n) => n),
      TypeError,
      "source",
    );
  }
  for (const bad of [undefined, "fn", 1]) {
    assertThrows(
      () => mapConcurrent([1], bad as unknown as TaskFn<number, number>),
      TypeError,
      "function",
    );
  }
});

// ---------------------------------------------------------------- mapAll

Deno.test("mapAll() resolves to the values in input order", async () => {
  const gates = new Gates();
  const collecting = mapAll([0, 1, 2, 3], async (n) => {
    await gates.wait(n);
    return `v${n}`;
  }, { concurrency: 4 });
  await flush();
  for (const n of [3, 1, 0, 2]) {
    gates.release(n);
    await flush();
  }
  assertEquals(await collecting, ["v0", "v1", "v2", "v3"]);
});

Deno.test("mapAll() rejects with the first TaskError after aborting and awaiting the others", async () => {
  const cause = new Error("bad row");
  const settled: number[] = [];
  const reasons: unknown[] = [];
  const error = await assertRejects(
    () =>
      mapAll([0, 1, 2, 3, 4, 5], async (n, { signal }) => {
        if (n === 1) {
          await flush();
          throw cause;
        }
        if (n === 0) return n;
        reasons.push(await aborted(signal));
        settled.push(n);
        return n;
      }, { concurrency: 3 }),
    TaskError,
  );
  assertStrictEquals(error.cause, cause);
  assertEquals(error.index, 1);
  assertEquals(error.input, 1);
  assert(reasons.length > 0);
  for (const reason of reasons) assertStrictEquals(reason, error);
  assertEquals(settled.length, reasons.length);
});

Deno.test("mapAll() works with async iterables and empty sources", async () => {
  async function* numbers(): AsyncGenerator<number> {
    for (let i = 0; i < 20; i++) {
      await Promise.resolve();
      yield i;
    }
  }
  const doubled = await mapAll(numbers(), async (n) => {
    await Promise.resolve();
    return n * 2;
  }, { concurrency: 3 });
  assertEquals(doubled, Array.from({ length: 20 }, (_, i) => i * 2));
  assertEquals(await mapAll([], (n: number) => n), []);
});

Deno.test("mapAll() rejects bad options through its promise", async () => {
  await assertRejects(
    () => mapAll([1], (n) => n, { concurrency: 0 }),
    RangeError,
    "concurrency",
  );
});
