/**
 * Distributed runs on Redis with BullMQ: the same workflow across any
 * number of worker processes and machines. The coordinator runs the
 * workflow with {@linkcode redisExecutor} (it reads the source, writes the
 * sinks and dead letters and keeps the checkpoint); workers serve its
 * stages with {@linkcode serveWorkflow}. A stage's `concurrency` and
 * `rateLimit` are global across workers. This entry point loads `bullmq`
 * and `ioredis`; the main one does not.
 *
 * @example Coordinator and one worker in one process
 * ```ts ignore
 * import { collect, defineWorkflow, fromIterable, planWorkflow, run } from "@poolflow/poolflow";
 * import { planFingerprint, redisExecutor, serveWorkflow } from "@poolflow/poolflow/distributed";
 *
 * const workflow = defineWorkflow({
 *   name: "squares",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("square", (n) => n * n, { concurrency: 8 }),
 *   sink: collect<number>(),
 * });
 * const redis = "redis://127.0.0.1:6379";
 * const worker = await serveWorkflow(workflow, { redis });
 * const fingerprint = await planFingerprint(planWorkflow(workflow));
 * await using executor = redisExecutor({ redis, workflow: workflow.name, fingerprint });
 * console.log((await run(workflow, { executor }).done).written); // 3
 * await worker.close();
 * ```
 *
 * @module
 */

export {
  type DistributedExecutor,
  redisExecutor,
  type RedisExecutorOptions,
} from "./lib/distributed/executor.ts";
export {
  type ServeOptions,
  serveWorkflow,
  type WorkflowWorker,
} from "./lib/distributed/serve.ts";
export { planFingerprint } from "./lib/distributed/fingerprint.ts";
export {
  DistributedError,
  type DistributedErrorCode,
} from "./lib/distributed/errors.ts";
export {
  parseRedisUrl,
  type RedisAddress,
} from "./lib/distributed/connection.ts";
