/**
 * The worker side of a distributed run: one BullMQ worker per task stage
 * of the workflow, running the stage's function on each job's value. A
 * job of a run with another fingerprint is refused, not run.
 *
 * @module
 */

import { Worker } from "npm:bullmq@6.7.6";
import type { Redis } from "npm:ioredis@6.1.0";
import type { AnyWorkflow } from "../workflow/define.ts";
import { planWorkflow } from "../workflow/plan.ts";
import type { TaskFn } from "../pool/types.ts";
import { serializeThrown } from "../workers/serialize_error.ts";
import { connect, parseRedisUrl } from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { planFingerprint } from "./fingerprint.ts";
import { type JobData, type JobResult, PREFIX, queueName } from "./wire.ts";

/** Options of {@linkcode serveWorkflow}. */
export interface ServeOptions {
  /** Where Redis is: `redis://host:port[/db]`. */
  readonly redis: string;
  /** The workflow's parameter values, as the coordinator's run has them. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** The folder path params resolve against (the workflow file's). */
  readonly folder?: string | URL;
  /** The fingerprint to serve; by default `planFingerprint` of the plan. */
  readonly fingerprint?: string;
  /**
   * Jobs of one stage this process runs at once; by default the stage's
   * own concurrency (which is global: the coordinator's limit holds too).
   */
  readonly concurrency?: number;
  /**
   * How soon the jobs of a worker that died are run again elsewhere, in
   * milliseconds. Default 10 s.
   */
  readonly stallTimeoutMs?: number;
  /** Told about refused jobs and worker errors. */
  readonly log?: (message: string) => void;
}

/** A serving worker process's handle. */
export interface WorkflowWorker extends AsyncDisposable {
  /** The fingerprint it serves. */
  readonly fingerprint: string;
  /** Jobs run so far (refused ones not counted). */
  readonly processed: number;
  /**
   * Stops taking jobs, lets those running finish for `graceMs` (default
   * 30 s), then hands the rest back (they run again elsewhere) and closes.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves a workflow's stages to distributed runs on Redis: any number of
 * these, in any processes on any machines, may serve the same workflow.
 *
 * @param workflow The same workflow the coordinator runs.
 * @param options Where Redis is, parameters, per-process limits.
 * @returns The serving worker, ready.
 * @throws {DistributedError} `BAD_REDIS_URL` if the URL is wrong.
 * @throws {WorkflowError} If the workflow or its params are wrong.
 *
 * @example Serve until closed
 * ```ts ignore
 * import { serveWorkflow } from "@poolflow/poolflow/distributed";
 * import workflow from "./etl.ts";
 *
 * const worker = await serveWorkflow(workflow, { redis: "redis://127.0.0.1:6379" });
 * Deno.addSignalListener("SIGTERM", () => worker.close(10_000));
 * ```
 */
export async function serveWorkflow(
  workflow: AnyWorkflow,
  options: ServeOptions,
): Promise<WorkflowWorker> {
  const address = parseRedisUrl(options.redis);
  const plan = planWorkflow(workflow, {
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.folder === undefined ? {} : { folder: options.folder }),
  });
  const fingerprint = options.fingerprint ?? await planFingerprint(plan);
  const log = options.log ?? ((message: string) => console.error(message));
  const stallMs = options.stallTimeoutMs ?? 10_000;
  const clients: Redis[] = [];
  const workers: Worker<JobData, JobResult>[] = [];
  const refused = new Set<string>();
  let processed = 0;
  for (const stage of plan.stages) {
    if (stage.spec.kind === "batch") continue;
    const fn = stage.spec.fn as TaskFn<unknown, unknown>;
    const kind = stage.spec.kind;
    const client = connect(address);
    clients.push(client);
    const worker = new Worker<JobData, JobResult>(
      queueName(plan.name, stage.spec.name),
      async (job, _token, signal): Promise<JobResult> => {
        const data = job.data;
        if (data.f !== fingerprint) {
          const message =
            `Worker refused a job of workflow "${plan.name}" stage "${data.s}": the run's fingerprint is ${data.f}, this worker serves ${fingerprint}; start workers with the same workflow file and --param values as the run`;
          if (!refused.has(data.f)) {
            refused.add(data.f);
            log(`poolflow worker: ${message}`);
          }
          return {
            ok: false,
            e: serializeThrown(
              new DistributedError("FINGERPRINT_MISMATCH", message),
            ),
          };
        }
        processed++;
        try {
          let value = await fn(data.v, {
            signal: signal ?? new AbortController().signal,
            index: data.i,
            attempt: data.a,
          });
          // A flatMap's outputs cross as an array.
          if (kind === "flatMap" && value !== null && value !== undefined) {
            value = await Array.fromAsync(
              value as AsyncIterable<unknown> | Iterable<unknown>,
            );
          }
          return { ok: true, v: value };
        } catch (error) {
          return { ok: false, e: serializeThrown(error) };
        }
      },
      {
        connection: client,
        prefix: PREFIX,
        concurrency: options.concurrency ?? stage.concurrency,
        lockDuration: Math.max(1000, Math.round(stallMs / 2)),
        stalledInterval: Math.max(500, Math.round(stallMs / 2)),
        maxStalledCount: 1,
      },
    );
    worker.on("error", (error) => log(`poolflow worker: ${error.message}`));
    workers.push(worker);
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  let closing: Promise<void> | undefined;
  const close = (graceMs = 30_000): Promise<void> => {
    closing ??= (async () => {
      const gentle = Promise.all(workers.map((worker) => worker.close()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), graceMs);
      });
      const how = await Promise.race([gentle, late]);
      clearTimeout(timer);
      if (how === "late") {
        // Jobs still held stall and run again on another worker.
        await Promise.all(workers.map((worker) => worker.close(true)));
      }
      for (const client of clients) client.disconnect();
    })();
    return closing;
  };
  return {
    fingerprint,
    get processed() {
      return processed;
    },
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}
