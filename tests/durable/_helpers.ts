/**
 * Shared helpers of the durable-run tests: temporary folders, a sink
 * wrapper that interrupts a run at an exact write, a store that keeps the
 * last record it saved, and reading files back.
 *
 * @module
 */

import {
  type CheckpointRecord,
  type CheckpointStore,
  MemoryCheckpointStore,
  type Sink,
} from "../../mod.ts";

/** Runs `body` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_durable_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Wraps a sink: `onWrite(n)` is called before its n-th write (from 1) of
 * each opening, so a test can abort, stop or crash a run at an exact
 * point. The wrapped writer keeps its `checkpoint` and `suspend`.
 */
export function interrupting<T>(
  inner: Sink<T>,
  onWrite: (count: number) => void,
): Sink<T> {
  return {
    kind: inner.kind,
    location: inner.location,
    async open(context) {
      const writer = await inner.open(context);
      let count = 0;
      return {
        write: (item: T) => {
          onWrite(++count);
          return writer.write(item);
        },
        close: () => writer.close(),
        ...(writer.checkpoint
          ? { checkpoint: () => writer.checkpoint!() }
          : {}),
        ...(writer.suspend ? { suspend: () => writer.suspend!() } : {}),
      };
    },
  };
}

/** A memory store that keeps the last record saved, for the tests to look at. */
export class SpyStore implements CheckpointStore {
  readonly inner: MemoryCheckpointStore = new MemoryCheckpointStore();
  /** Every record saved, in order. */
  readonly saved: CheckpointRecord[] = [];

  /** The last record saved. */
  get last(): CheckpointRecord | undefined {
    return this.saved.at(-1);
  }

  latest(scope: string): Promise<CheckpointRecord | undefined> {
    return this.inner.latest(scope);
  }

  save(record: CheckpointRecord, doneKeys?: readonly string[]): Promise<void> {
    this.saved.push(structuredClone(record));
    return this.inner.save(record, doneKeys);
  }

  doneKeys(runId: string): Promise<ReadonlySet<string>> {
    return this.inner.doneKeys(runId);
  }

  close(): void {
    this.inner.close();
  }
}

/** Lines of a text file, without the last empty one. */
export async function lines(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}

/** The JSON values of a JSON-lines file. */
export async function jsonLines<T = unknown>(path: string): Promise<T[]> {
  return (await lines(path)).map((line) => JSON.parse(line) as T);
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Names of the files in a folder, sorted. */
export async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/**
 * How many source positions a checkpoint records as done: all below the
 * watermark and those in its ranges above it.
 */
export function doneIn(
  record: { watermark: number; doneAbove?: readonly number[] },
): number {
  let done = record.watermark;
  const ranges = record.doneAbove ?? [];
  for (let i = 0; i < ranges.length; i += 2) {
    done += ranges[i + 1]! - ranges[i]!;
  }
  return done;
}
