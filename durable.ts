/**
 * Durable runs: the checkpoint stores that let a workflow run resume after
 * a crash or an abort, neither losing nor repeating an item at its sink.
 * `SqliteCheckpointStore` keeps checkpoints in a local SQLite file through
 * `node:sqlite`, fetched only when a store opens; `MemoryCheckpointStore`
 * keeps them in memory. Pass either (or a file path) as `durable.store` to
 * `run`. Everything here is also exported by the package's main entry
 * point.
 *
 * @example A durable run leaves a checkpoint; a finished run is not resumed
 * ```ts
 * import { MemoryCheckpointStore, ResumeError } from "@poolflow/poolflow/durable";
 * import { defineWorkflow, run } from "@poolflow/poolflow/workflow";
 * import { range, toJsonl } from "@poolflow/poolflow/io";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = new MemoryCheckpointStore();
 *   const workflow = defineWorkflow({
 *     name: "count",
 *     source: range(5),
 *     sink: toJsonl(`${dir}/out.jsonl`),
 *   });
 *   const first = await run(workflow, { durable: { store } }).done;
 *   assertEquals(first.status, "succeeded");
 *
 *   const again = await run(workflow, { durable: { store, resume: true } }).done;
 *   assertEquals(again.status, "failed");
 *   assertEquals(again.error?.name, ResumeError.name);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */

export type { DurableOptions } from "./lib/workflow/checkpointer.ts";
export {
  type CheckpointRecord,
  type CheckpointStatus,
  type CheckpointStore,
  CheckpointStoreError,
  MemoryCheckpointStore,
  ResumeError,
} from "./lib/durable/store.ts";
export { SqliteCheckpointStore } from "./lib/durable/sqlite_store.ts";
// Types the options and records name, for readers of this entry.
export type { SinkCheckpoint } from "./lib/io/types.ts";
export type { Duration } from "./lib/units/duration.ts";
