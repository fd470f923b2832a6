/**
 * The contenders of the engine benchmark, each behind one adapter: run `fn`
 * over `source` with at most `concurrency` tasks at once, hand every value to
 * `onValue`, and reject with the first failure using the library's own
 * stop-on-error mode.
 *
 * @module
 */

import fastq from "fastq";
import pLimit from "p-limit";
import { pMapIterable } from "p-map";
// The engine itself, not mod.ts: the benchmark needs nothing else.
import { mapConcurrent } from "../lib/pool/map.ts";
import { pooledMap } from "../std/pool.ts";

/** One library, driven the way its documentation suggests. */
export interface Peer {
  /** Whether it pulls from the source only as slots free up. */
  readonly lazy: boolean;
  /** Whether it is a library (rather than the hand-written baseline). */
  readonly library: boolean;
  /** How it stops on the first failure. */
  readonly stopMode: string;
  /** Runs every input; resolves when all are done, rejects on the first failure. */
  run<I, O>(
    source: Iterable<I>,
    fn: (input: I) => Promise<O>,
    concurrency: number,
    onValue: (value: O) => void,
  ): Promise<void>;
}

/** `mapConcurrent`, fail-fast, reading outcomes as they come. */
const poolflow: Peer = {
  lazy: true,
  library: true,
  stopMode: '`onError: "fail-fast"`',
  async run(source, fn, concurrency, onValue) {
    const run = mapConcurrent(source, fn, {
      concurrency,
      onError: "fail-fast",
    });
    for await (const outcome of run) if (outcome.ok) onValue(outcome.value);
  },
};

/** p-map's lazy `pMapIterable` (it stops at the first error by design). */
const pMap: Peer = {
  lazy: true,
  library: true,
  stopMode: "built in (ordered: throws at the failed index)",
  async run(source, fn, concurrency, onValue) {
    for await (const value of pMapIterable(source, fn, { concurrency })) {
      onValue(value);
    }
  },
};

/** p-limit: `limit.map` (a `Promise.all`), clearing the queue on failure. */
const pLimitPeer: Peer = {
  lazy: false,
  library: true,
  stopMode: "`Promise.all` rejects, then `clearQueue()`",
  async run(source, fn, concurrency, onValue) {
    const limit = pLimit(concurrency);
    try {
      for (const value of await limit.map(source, fn)) onValue(value);
    } catch (error) {
      limit.clearQueue();
      throw error;
    }
  },
};

/** fastq's promise queue: push everything, `Promise.all`, kill on failure. */
const fastqPeer: Peer = {
  lazy: false,
  library: true,
  stopMode: "`Promise.all` rejects, then `kill()`",
  async run(source, fn, concurrency, onValue) {
    const queue = fastq.promise(fn, concurrency);
    try {
      const pushed = Array.from(source, (input) => queue.push(input));
      for (const value of await Promise.all(pushed)) onValue(value);
    } catch (error) {
      queue.kill();
      throw error;
    }
  },
};

/** The Deno standard library's `pooledMap`. */
const stdPool: Peer = {
  lazy: true,
  library: true,
  stopMode: "built in (running tasks finish, then `AggregateError`)",
  async run(source, fn, concurrency, onValue) {
    for await (const value of pooledMap(concurrency, source, fn)) {
      onValue(value);
    }
  },
};

/** Hand-written floor: `concurrency` async loops sharing one iterator. */
const baseline: Peer = {
  lazy: true,
  library: false,
  stopMode: "shared `failed` flag checked before each pull",
  async run(source, fn, concurrency, onValue) {
    const iterator = source[Symbol.iterator]();
    let failed = false;
    const loop = async (): Promise<void> => {
      while (!failed) {
        const step = iterator.next();
        if (step.done) return;
        try {
          onValue(await fn(step.value));
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
  },
};

/** Every contender, by the name the table shows. */
export const PEERS: Readonly<Record<string, Peer>> = {
  mapConcurrent: poolflow,
  "p-map": pMap,
  "p-limit": pLimitPeer,
  fastq: fastqPeer,
  pooledMap: stdPool,
  baseline,
};

/** The subject of the benchmark. */
export const SUBJECT = "mapConcurrent";
/** The hand-written reference. */
export const BASELINE = "baseline";
