/**
 * The contenders of the engine benchmark, each used the way its
 * documentation suggests at its best: run `fn` over `source` with at most
 * `concurrency` tasks at once and give the results as an async iterable,
 * which every workload reads with the same `for await` loop
 * ({@linkcode consume}); the iteration throws the first failure, by the
 * library's own stop-on-error mode.
 *
 * @module
 */

import fastq from "fastq";
import pLimit from "p-limit";
import { pMapIterable } from "p-map";
import PQueue from "p-queue";
// The engine itself, not mod.ts: the benchmark needs nothing else.
import { mapConcurrent } from "../lib/pool/map.ts";
import type { Outcome } from "../lib/pool/types.ts";
import { pooledMap } from "../std/pool.ts";
import { HandChannel } from "./hand_channel.ts";

/** A task of the benchmark. */
export type Task<I, O> = (input: I) => Promise<O>;

/** One contender, driven the way its documentation suggests. */
export interface Peer {
  /** Whether it pulls from the source only as slots free up. */
  readonly lazy: boolean;
  /** Whether it is a library (rather than the hand-written baseline). */
  readonly library: boolean;
  /** How it stops on the first failure. */
  readonly stopMode: string;
  /** Runs every input; the items as they finish; throws the first failure. */
  iterate<I, O>(
    source: Iterable<I>,
    fn: Task<I, O>,
    concurrency: number,
  ): AsyncIterable<unknown>;
  /** The task's value in one item (an outcome for poolflow). */
  value(item: unknown): unknown;
}

const itself = (item: unknown): unknown => item;

/**
 * The one loop that reads every contender: `for await` over its items,
 * handing each value to `onValue`.
 */
export async function consume<I, O>(
  peer: Peer,
  source: Iterable<I>,
  fn: Task<I, O>,
  concurrency: number,
  onValue: (value: unknown) => void,
): Promise<void> {
  const value = peer.value;
  for await (const item of peer.iterate(source, fn, concurrency)) {
    onValue(value(item));
  }
}

/** `mapConcurrent`, fail-fast, outcomes unwrapped to values. */
const poolflow: Peer = {
  lazy: true,
  library: true,
  stopMode: '`onError: "fail-fast"`',
  iterate: (source, fn, concurrency) =>
    mapConcurrent(source, fn, { concurrency, onError: "fail-fast" }),
  value: (item) => (item as Outcome<unknown, unknown> & { ok: true }).value,
};

/** p-map's lazy `pMapIterable` (it stops at the first error by design). */
const pMap: Peer = {
  lazy: true,
  library: true,
  stopMode: "built in (ordered: throws at the failed index)",
  iterate: (source, fn, concurrency) =>
    pMapIterable(source, fn, { concurrency, backpressure: concurrency }),
  value: itself,
};

/**
 * fastq fed with back-pressure: push while its queue has room, else wait
 * for its `empty` hook; a worker holds its slot until the reader has room
 * for the value.
 */
const fastqFed: Peer = {
  lazy: true,
  library: true,
  stopMode: "stop pushing, `kill()` the queue",
  iterate<I, O>(source: Iterable<I>, fn: Task<I, O>, concurrency: number) {
    const out = new HandChannel<O>(concurrency);
    let failed = false;
    const queue = fastq<unknown, I, void>((input, cb) => {
      fn(input).then((value) => {
        const pending = out.send(value);
        if (pending) pending.then(() => cb(null));
        else cb(null);
      }, cb);
    }, concurrency);
    const done = (error: unknown) => {
      if (error && !failed) {
        failed = true;
        queue.kill();
        out.close(error);
      }
    };
    void (async () => {
      for (const input of source) {
        if (failed) return;
        if (queue.length() >= concurrency) {
          await new Promise<void>((resolve) => queue.empty = resolve);
          if (failed) return;
        }
        queue.push(input, done);
      }
      if (!queue.idle()) {
        await new Promise<void>((resolve) => queue.drain = resolve);
      }
      out.close();
    })();
    return out;
  },
  value: itself,
};

/** p-queue with `onSizeLessThan` back-pressure, as its documentation shows. */
const pQueue: Peer = {
  lazy: true,
  library: true,
  stopMode: "stop adding, `clear()` the queue",
  iterate<I, O>(source: Iterable<I>, fn: Task<I, O>, concurrency: number) {
    const out = new HandChannel<O>(concurrency);
    const queue = new PQueue({ concurrency });
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      queue.clear();
      out.close(error);
    };
    void (async () => {
      for (const input of source) {
        if (failed) return;
        if (queue.size >= concurrency) {
          await queue.onSizeLessThan(concurrency);
          if (failed) return;
        }
        queue.add(async () => {
          const pending = out.send(await fn(input));
          if (pending) await pending;
        }).catch(fail);
      }
      await queue.onIdle();
      out.close();
    })();
    return out;
  },
  value: itself,
};

/** The Deno standard library's `pooledMap`. */
const stdPool: Peer = {
  lazy: true,
  library: true,
  stopMode: "built in (running tasks finish, then `AggregateError`)",
  iterate: (source, fn, concurrency) => pooledMap(concurrency, source, fn),
  value: itself,
};

/** p-limit: `limit.map` (a `Promise.all`), clearing the queue on failure. */
const pLimitAll: Peer = {
  lazy: false,
  library: true,
  stopMode: "`Promise.all` rejects, then `clearQueue()`",
  async *iterate<I, O>(
    source: Iterable<I>,
    fn: Task<I, O>,
    concurrency: number,
  ) {
    const limit = pLimit(concurrency);
    let values: O[];
    try {
      values = await limit.map(source, fn);
    } catch (error) {
      limit.clearQueue();
      throw error;
    }
    yield* values;
  },
  value: itself,
};

/**
 * Hand-written floor: `concurrency` async loops sharing one iterator,
 * delivering through a bounded channel; a shared flag stops the pulls.
 */
const handLoop: Peer = {
  lazy: true,
  library: false,
  stopMode: "shared `failed` flag checked before each pull",
  iterate<I, O>(source: Iterable<I>, fn: Task<I, O>, concurrency: number) {
    const out = new HandChannel<O>(concurrency);
    const iterator = source[Symbol.iterator]();
    let failed = false;
    const loop = async (): Promise<void> => {
      while (!failed) {
        const step = iterator.next();
        if (step.done) return;
        let value: O;
        try {
          value = await fn(step.value);
        } catch (error) {
          failed = true;
          throw error;
        }
        const pending = out.send(value);
        if (pending) await pending;
      }
    };
    Promise.all(Array.from({ length: concurrency }, loop))
      .then(() => out.close(), (error) => out.close(error));
    return out;
  },
  value: itself,
};

/** Every contender, by the name the table shows. */
export const PEERS: Readonly<Record<string, Peer>> = {
  mapConcurrent: poolflow,
  "hand loop": handLoop,
  "fastq (back-pressure)": fastqFed,
  "p-queue (onSizeLessThan)": pQueue,
  "p-map pMapIterable": pMap,
  pooledMap: stdPool,
  "p-limit (Promise.all)": pLimitAll,
};

/** The subject of the benchmark. */
export const SUBJECT = "mapConcurrent";
/** The hand-written reference. */
export const BASELINE = "hand loop";
