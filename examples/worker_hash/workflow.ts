/**
 * A CPU-bound stage on worker threads: every document of
 * `data/documents.jsonl` is hashed (SHA-256, 1,500 rounds, in plain
 * JavaScript) by `hashDocument` from `hash.ts`, running on two worker
 * threads, four documents in flight so that both workers stay busy, and
 * written in input order. The main thread only reads, dispatches and
 * writes.
 *
 * `inWorker` names the module and the export, not a closure: functions
 * cannot cross threads. The type arguments make a stage fed the wrong item
 * type a compile error. The run disposes the stage at its end, which ends
 * the worker threads; a new run starts new ones.
 *
 * Run it: `deno run -A cli.ts examples/worker_hash/workflow.ts` (output
 * under `examples/worker_hash/out/`).
 *
 * @module
 */

import {
  defineWorkflow,
  fromJsonl,
  inWorker,
  toJsonl,
} from "@poolflow/poolflow";
import type { Document, HashedDocument } from "./hash.ts";

/** The bundled documents: 200 lines of JSON. */
export const DOCUMENTS_JSONL: URL = new URL(
  "./data/documents.jsonl",
  import.meta.url,
);

/** The module the workers import. */
export const HASH_MODULE: URL = new URL("./hash.ts", import.meta.url);

/** Worker threads of the hash stage. */
export const WORKERS = 2;

export default defineWorkflow({
  name: "worker-hash",
  description:
    "Hash documents with a CPU-bound function on 2 worker threads, 4 in flight",
  params: {
    out: {
      type: "path",
      root: "out",
      access: "write",
      default: "digests.jsonl",
      description: "The digests, as JSON lines",
    },
  },
  source: fromJsonl<Document>(DOCUMENTS_JSONL),
  pipeline: (docs) =>
    docs.map(
      "hash",
      inWorker<typeof import("./hash.ts"), "hashDocument">(
        HASH_MODULE,
        "hashDocument",
        { workers: WORKERS },
      ),
      { concurrency: WORKERS * 2, ordered: true },
    ),
  sink: ({ out }) => toJsonl<HashedDocument>(out),
});
