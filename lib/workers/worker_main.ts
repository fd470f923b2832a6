/**
 * The bootstrap every pool worker starts with: it imports the modules that
 * tasks name, calls their exported functions one task at a time in the
 * order sent, and posts results back in batches. Errors a task throws
 * become that task's result; an error that escapes every task (an uncaught
 * exception or unhandled rejection), `self.close()` and `Deno.exit()` are
 * reported as a crash, and the pool replaces the worker.
 *
 * Not imported by anything: the pool starts it with `new Worker(url)`.
 *
 * @module
 */

import {
  ABORT_SLOTS,
  type FromWorker,
  OK,
  SKIPPED,
  THREW,
  type ToWorker,
} from "./protocol.ts";
import { deserializeThrown, serializeThrown } from "./serialize_error.ts";
import { pollingController } from "./polling_signal.ts";
import { isTransferred } from "./transfer.ts";
import type { WorkerContext } from "./types.ts";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: "message", fn: (e: MessageEvent) => void): void;
  addEventListener(type: "error", fn: (e: ErrorEvent) => void): void;
  addEventListener(
    type: "unhandledrejection",
    fn: (e: PromiseRejectionEvent) => void,
  ): void;
  close(): void;
}

type Callable = (input: unknown, ctx: WorkerContext) => unknown;

interface FunctionEntry {
  readonly module: string;
  readonly name: string;
  fn: Callable | undefined;
  loading: Promise<Callable> | undefined;
}

interface Running {
  readonly seq: number;
  controller: AbortController | undefined;
}

/** Results are posted at least this often (ms of work) while tasks run. */
const FLUSH_MS = 1;

const scope = globalThis as unknown as WorkerScope;
const functions = new Map<number, FunctionEntry>();
// Abort reasons that arrived by message, until their task ends.
const reasons = new Map<number, unknown>();
const batches: (unknown[])[] = [];
let cursor = 0;
let flags: Int32Array | undefined;
let pumping = false;
let dead = false;
let current: Running | undefined;
let out: unknown[] = [];
let outTransfer: Transferable[] = [];
let busyMs = 0;
let flushTimer: ReturnType<typeof setTimeout> | undefined;

scope.addEventListener("message", (event) => {
  if (dead) return;
  const message = event.data as ToWorker;
  switch (message.type) {
    case "init":
      flags = message.flags;
      break;
    case "run":
      for (const [id, module, name] of message.define ?? []) {
        functions.set(id, { module, name, fn: undefined, loading: undefined });
      }
      batches.push(message.tasks as unknown[]);
      if (!pumping) void pump();
      break;
    case "abort": {
      const reason = deserializeThrown(message.reason);
      if (current?.seq === message.seq) {
        reasons.set(message.seq, reason);
        current.controller?.abort(reason);
      } else if (isPending(message.seq)) {
        reasons.set(message.seq, reason);
      }
      break;
    }
  }
});

scope.addEventListener("error", (event) => {
  event.preventDefault();
  crash(event.error ?? new Error(event.message), undefined);
});

scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  crash(event.reason, undefined);
});

// Neither ends a worker with an event the parent can see: say so first.
const close = scope.close.bind(scope);
scope.close = () => {
  crash(undefined, "The worker called self.close()");
  close();
};
if (typeof Deno !== "undefined") {
  const exit = Deno.exit.bind(Deno);
  Object.defineProperty(Deno, "exit", {
    value: (code?: number): never => {
      crash(undefined, `The worker called Deno.exit(${code ?? ""})`);
      return exit(code);
    },
    configurable: true,
    writable: true,
  });
}

function crash(error: unknown, exited: string | undefined): void {
  if (dead) return;
  dead = true;
  flush();
  scope.postMessage({
    type: "crash",
    seq: current?.seq ?? -1,
    error: exited === undefined ? serializeThrown(error) : null,
    exited: exited ?? null,
  });
}

/** Whether task `seq` is waiting to run (aborts of finished tasks are late). */
function isPending(seq: number): boolean {
  for (const [b, batch] of batches.entries()) {
    for (let i = b === 0 ? cursor : 0; i < batch.length; i += 3) {
      if (batch[i] === seq) return true;
    }
  }
  return false;
}

function isAborted(seq: number): boolean {
  return reasons.has(seq) ||
    (flags !== undefined &&
      Atomics.load(flags, seq % ABORT_SLOTS) === seq + 1);
}

async function pump(): Promise<void> {
  pumping = true;
  let last = performance.now();
  let sliceStart = last;
  try {
    while (!dead) {
      const batch = batches[0];
      if (batch === undefined) break;
      if (cursor >= batch.length) {
        batches.shift();
        cursor = 0;
        continue;
      }
      const seq = batch[cursor] as number;
      const entry = functions.get(batch[cursor + 1] as number)!;
      const input = batch[cursor + 2];
      batch[cursor + 2] = undefined;
      cursor += 3;
      if (isAborted(seq)) {
        reasons.delete(seq);
        out.push(seq, SKIPPED, undefined);
        continue;
      }
      let fn = entry.fn;
      if (fn === undefined) {
        scheduleFlush();
        try {
          fn = await load(entry);
        } catch (error) {
          out.push(seq, THREW, serializeThrown(error));
          continue;
        }
        // Loading is not the task's time: it would skew batch sizes.
        last = performance.now();
      }
      const running: Running = { seq, controller: undefined };
      current = running;
      try {
        let value = fn(input, contextOf(running));
        if (isThenable(value)) {
          scheduleFlush();
          value = await value;
        }
        if (isTransferred(value)) {
          outTransfer.push(...value.transfer);
          value = value.value;
        }
        out.push(seq, OK, value);
      } catch (error) {
        out.push(seq, THREW, serializeThrown(error));
      }
      current = undefined;
      reasons.delete(seq);
      const now = performance.now();
      busyMs += now - last;
      last = now;
      if (now - sliceStart >= FLUSH_MS) {
        flush();
        sliceStart = now;
      }
    }
  } finally {
    pumping = false;
  }
  flush();
}

function load(entry: FunctionEntry): Promise<Callable> {
  entry.loading ??= import(entry.module).then(
    (namespace: Record<string, unknown>) => {
      const fn = namespace[entry.name];
      if (typeof fn !== "function") {
        const names = Object.keys(namespace).filter((key) =>
          typeof namespace[key] === "function"
        );
        throw new TypeError(
          fn === undefined
            ? `Module "${entry.module}" has no export "${entry.name}" (its exported functions: ${
              names.length ? names.join(", ") : "none"
            }): export a function (input, ctx) under that name`
            : `Export "${entry.name}" of "${entry.module}" is ${typeof fn}, not a function`,
        );
      }
      entry.fn = fn as Callable;
      return entry.fn;
    },
    (error: unknown) => {
      // Let a later task try again: a fetch may fail only once.
      entry.loading = undefined;
      throw error;
    },
  );
  return entry.loading;
}

/** The context of a running task; its signal is made only when read. */
function contextOf(running: Running): WorkerContext {
  return {
    get signal(): AbortSignal {
      const { seq } = running;
      running.controller ??= pollingController(
        () => isAborted(seq),
        () =>
          reasons.get(seq) ??
            new DOMException("The task was aborted", "AbortError"),
      );
      return running.controller.signal;
    },
  };
}

function scheduleFlush(): void {
  if (out.length > 0 && flushTimer === undefined) {
    flushTimer = setTimeout(flush, FLUSH_MS);
  }
}

function flush(): void {
  if (flushTimer !== undefined) {
    clearTimeout(flushTimer);
    flushTimer = undefined;
  }
  if (out.length === 0) return;
  const results = out;
  const transfer = outTransfer;
  const message: FromWorker = { type: "results", results, busyMs };
  out = [];
  outTransfer = [];
  busyMs = 0;
  try {
    scope.postMessage(message, transfer);
  } catch {
    postOneByOne(results);
  }
}

/**
 * A batch failed to clone: post the results one at a time, copied rather
 * than transferred, failing only those that cannot be copied.
 */
function postOneByOne(results: unknown[]): void {
  for (let i = 0; i < results.length; i += 3) {
    const seq = results[i] as number;
    try {
      scope.postMessage({
        type: "results",
        results: [seq, results[i + 1], results[i + 2]],
        busyMs: 0,
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const failure = new TypeError(
        `The task's result cannot be copied to the main thread (${why}): return structured-clonable data, and list in transferable(value, list) only transferable objects inside the value`,
      );
      scope.postMessage({
        type: "results",
        results: [seq, THREW, serializeThrown(failure)],
        busyMs: 0,
      });
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
