/**
 * The four engine workloads. Each runs one {@linkcode Peer} once in this
 * process and returns flat numeric metrics for the parent to tabulate.
 *
 * @module
 */

import { consume, type Peer } from "./peers.ts";
import { readMemoryMb, settledHeapMb, settledRssMb } from "./proc.ts";

/** What a workload reports: flat numbers, JSON-safe (`NaN` becomes `null`). */
export type Metrics = Record<string, number>;

/** A workload: runs `peer` over `n` inputs (or its own default). */
export type Workload = (peer: Peer, n?: number) => Promise<Metrics>;

/** The 1000th task (index 999) throws in W4. */
export const FAIL_AT = 999;
/** Where W3 takes its first memory reading. */
export const CHECKPOINT = 1_000_000;

function* range(n: number): Generator<number, void, undefined> {
  for (let i = 0; i < n; i++) yield i;
}

function expectAll(count: number, n: number): void {
  if (count !== n) throw new Error(`got ${count} values for ${n} inputs`);
}

/** The no-op task of W1 and W3: a real async function, `async (x) => x`. */
// deno-lint-ignore require-await
const noop = async (x: number): Promise<number> => x;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** W1: 1,000,000 no-op async tasks at concurrency 100. */
async function w1(peer: Peer, n = 1_000_000): Promise<Metrics> {
  let count = 0;
  const start = performance.now();
  await consume(peer, range(n), noop, 100, () => count++);
  const wallMs = performance.now() - start;
  expectAll(count, n);
  return {
    count,
    wallMs,
    tasksPerSec: n / (wallMs / 1000),
    peakRssMb: readMemoryMb("VmHWM"),
  };
}

/** W2: 10,000 tasks of a 10 ms timer at concurrency 500 (ideal 200 ms). */
async function w2(peer: Peer, n = 10_000): Promise<Metrics> {
  let count = 0;
  const task = (x: number) =>
    new Promise<number>((resolve) => setTimeout(() => resolve(x), 10));
  const start = performance.now();
  await consume(peer, range(n), task, 500, () => count++);
  const wallMs = performance.now() - start;
  expectAll(count, n);
  return {
    count,
    wallMs,
    peakRssMb: readMemoryMb("VmHWM"),
  };
}

/**
 * W3: `n` (default 5,000,000) no-op tasks from a generator at concurrency
 * 64; settled RSS and heap at {@linkcode CHECKPOINT} outputs and at the end.
 */
async function w3(peer: Peer, n = 5_000_000): Promise<Metrics> {
  let count = 0;
  let rssAtCheckpoint = NaN;
  let heapAtCheckpoint = NaN;
  const onValue = () => {
    if (++count !== CHECKPOINT) return;
    rssAtCheckpoint = settledRssMb();
    heapAtCheckpoint = settledHeapMb();
  };
  const start = performance.now();
  await consume(peer, range(n), noop, 64, onValue);
  const wallMs = performance.now() - start;
  expectAll(count, n);
  return {
    count,
    wallMs,
    rssAtCheckpoint,
    heapAtCheckpoint,
    rssAtEnd: settledRssMb(),
    heapAtEnd: settledHeapMb(),
    peakRssMb: readMemoryMb("VmHWM"),
  };
}

/**
 * W4: 100,000 tasks of a 1 ms timer at concurrency 100, the 1000th throws.
 * Counts tasks started after the throw (until starts stop for 50 ms) and
 * times the throw-to-rejection delay seen by the caller.
 */
async function w4(peer: Peer, n = 100_000): Promise<Metrics> {
  let started = 0;
  let startedAtThrow = NaN;
  let thrownAt = NaN;
  const task = async (x: number) => {
    started++;
    await sleep(1);
    if (x === FAIL_AT) {
      startedAtThrow = started;
      thrownAt = performance.now();
      throw new Error("task #1000 failed");
    }
    return x;
  };
  let surfacedAt = NaN;
  let startedAtSurface = NaN;
  try {
    await consume(peer, range(n), task, 100, () => {});
  } catch {
    surfacedAt = performance.now();
    startedAtSurface = started;
  }
  // Let stragglers start: wait until no task has started for 50 ms.
  for (let seen = -1; seen !== started;) {
    seen = started;
    await sleep(50);
  }
  return {
    startedAfterThrow: started - startedAtThrow,
    startedBeforeSurface: startedAtSurface - startedAtThrow,
    surfaceMs: surfacedAt - thrownAt,
    peakRssMb: readMemoryMb("VmHWM"),
  };
}

/** The workloads by name. */
export const WORKLOADS: Readonly<Record<string, Workload>> = {
  W1: w1,
  W2: w2,
  W3: w3,
  W4: w4,
};
