/**
 * Ctrl-C handling, with a fake signal source.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { watchInterrupts } from "../../cli/signals.ts";

function fakeRun() {
  const calls: string[] = [];
  let fire = (): void => {};
  let listening = 0;
  return {
    calls,
    fire: () => fire(),
    get listening() {
      return listening;
    },
    handle: {
      stop: () => void calls.push("stop"),
      abort: (reason?: unknown) =>
        void calls.push(`abort: ${(reason as DOMException).name}`),
    },
    source: (listener: () => void) => {
      fire = listener;
      listening++;
      return () => void listening--;
    },
  };
}

Deno.test("watchInterrupts() stops, then aborts, then exits, telling the user each time", () => {
  const run = fakeRun();
  const told: string[] = [];
  let exited = 0;
  const watch = watchInterrupts(run.handle, {
    notify: (message) => told.push(message),
    exit: () => exited++,
    source: run.source,
  });
  assertEquals(run.listening, 1);
  run.fire();
  assertEquals(run.calls, ["stop"]);
  run.fire();
  assertEquals(run.calls, ["stop", "abort: AbortError"]);
  run.fire();
  assertEquals(exited, 1);
  assertEquals(watch.interrupts, 3);
  assertEquals(told.length, 2);
  watch[Symbol.dispose]();
  watch[Symbol.dispose]();
  assertEquals(run.listening, 0);
});

Deno.test("watchInterrupts() removes its listener when disposed without an interrupt", () => {
  const run = fakeRun();
  {
    using watch = watchInterrupts(run.handle, {
      notify: () => {},
      source: run.source,
    });
    assertEquals(watch.interrupts, 0);
  }
  assertEquals([run.listening, run.calls.length], [0, 0]);
});

Deno.test("watchInterrupts() listens to the process's SIGINT by default and cleans up", () => {
  using watch = watchInterrupts({ stop: () => {}, abort: () => {} }, {
    notify: () => {},
  });
  assertEquals(watch.interrupts, 0);
});
