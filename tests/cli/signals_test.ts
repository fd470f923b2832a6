/**
 * Ctrl-C and SIGTERM handling, with a fake signal source and a fake clock.
 *
 * @module
 */

import { assertEquals, assertMatch } from "@std/assert";
import { type StopSignal, watchInterrupts } from "../../cli/signals.ts";
import { useFakeTime } from "../_helpers/fake_time.ts";

function fakeRun() {
  const calls: string[] = [];
  let fire = (_signal: StopSignal): void => {};
  let listening = 0;
  return {
    calls,
    fire: (signal: StopSignal = "SIGINT") => fire(signal),
    get listening() {
      return listening;
    },
    handle: {
      stop: () => void calls.push("stop"),
      abort: (reason?: unknown) =>
        void calls.push(`abort: ${(reason as DOMException).message}`),
    },
    source: (listener: (signal: StopSignal) => void) => {
      fire = listener;
      listening++;
      return () => void listening--;
    },
  };
}

Deno.test("watchInterrupts() stops, then aborts, then exits, telling the user each time", () => {
  const run = fakeRun();
  const told: string[] = [];
  const exits: number[] = [];
  const watch = watchInterrupts(run.handle, {
    notify: (message) => told.push(message),
    exit: (code) => exits.push(code),
    source: run.source,
  });
  assertEquals(run.listening, 1);
  run.fire();
  assertEquals(run.calls, ["stop"]);
  assertEquals(watch.signal, "SIGINT");
  run.fire();
  assertEquals(run.calls, ["stop", "abort: Interrupted by Ctrl-C"]);
  run.fire();
  assertEquals(exits, [130]);
  assertEquals(watch.interrupts, 3);
  assertEquals(told.length, 2);
  assertMatch(told[0]!, /^Stopping: no new items; those in flight have 30 s/);
  watch[Symbol.dispose]();
  watch[Symbol.dispose]();
  assertEquals(run.listening, 0);
});

Deno.test("watchInterrupts() treats SIGTERM like Ctrl-C, exiting with 143", () => {
  const run = fakeRun();
  const told: string[] = [];
  const exits: number[] = [];
  using watch = watchInterrupts(run.handle, {
    notify: (message) => told.push(message),
    exit: (code) => exits.push(code),
    source: run.source,
  });
  run.fire("SIGTERM");
  run.fire("SIGINT");
  run.fire("SIGINT");
  assertEquals(watch.signal, "SIGTERM");
  assertEquals(run.calls, ["stop", "abort: Interrupted by Ctrl-C"]);
  assertEquals(exits, [143]);
  assertMatch(told[0]!, /^Stopping \(SIGTERM\): no new items/);
});

Deno.test("watchInterrupts() aborts when the grace period is over, and exits if the run still does not end", async () => {
  using time = useFakeTime();
  const run = fakeRun();
  const told: string[] = [];
  const exits: number[] = [];
  using _watch = watchInterrupts(run.handle, {
    notify: (message) => told.push(message),
    exit: (code) => exits.push(code),
    source: run.source,
    graceMs: 200,
  });
  run.fire("SIGTERM");
  await time.tickAsync(199);
  assertEquals(run.calls, ["stop"]);
  await time.tickAsync(1);
  assertEquals(run.calls, [
    "stop",
    "abort: Items in flight did not finish within the 200 ms grace period after SIGTERM",
  ]);
  assertEquals(
    told[1],
    "Aborting: items in flight did not finish within 200 ms",
  );
  // A task that ignores its signal keeps the run going: at least 1 s later, exit.
  await time.tickAsync(999);
  assertEquals(exits, []);
  await time.tickAsync(1);
  assertEquals(exits, [143]);
  assertMatch(told[2]!, /^Exiting: items in flight ignore the abort/);
  assertEquals(time.countTimers(), 0);
});

Deno.test("watchInterrupts() clears its timers when the run ends in time", async () => {
  using time = useFakeTime();
  const run = fakeRun();
  {
    using _watch = watchInterrupts(run.handle, {
      notify: () => {},
      exit: () => run.calls.push("exit"),
      source: run.source,
      graceMs: 5000,
    });
    run.fire();
    assertEquals(time.countTimers(), 1);
    await time.tickAsync(100);
  }
  assertEquals([time.countTimers(), run.listening], [0, 0]);
  await time.tickAsync(60_000);
  assertEquals(run.calls, ["stop"]);
});

Deno.test("watchInterrupts() removes its listener when disposed without an interrupt", () => {
  const run = fakeRun();
  {
    using watch = watchInterrupts(run.handle, {
      notify: () => {},
      source: run.source,
    });
    assertEquals([watch.interrupts, watch.signal], [0, undefined]);
  }
  assertEquals([run.listening, run.calls.length], [0, 0]);
});

Deno.test("watchInterrupts() listens to the process's SIGINT and SIGTERM by default and cleans up", () => {
  using watch = watchInterrupts({ stop: () => {}, abort: () => {} }, {
    notify: () => {},
  });
  assertEquals(watch.interrupts, 0);
});
