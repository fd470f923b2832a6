/**
 * The coordinator's executor: each stage is scheduled here as in a local
 * run (a bounded window of attempts, the stage's retries, timeouts and
 * stats), and each attempt is a BullMQ job that some worker process runs.
 * The window bounds the jobs in Redis by the stage's concurrency, not the
 * input's length. The queue's global concurrency and global rate limit
 * hold the stage's limits across all workers; `resize` changes both the
 * window and the global concurrency.
 *
 * @module
 */

import { Queue, QueueEvents } from "npm:bullmq@6.7.6";
import type { Redis } from "npm:ioredis@6.1.0";
import { scheduleLocally } from "../executors/local.ts";
import type {
  ExecutionContext,
  ExecutionStats,
  Executor,
  ExecutorStage,
  StageExecution,
} from "../executors/types.ts";
import type { Outcome } from "../pool/types.ts";
import { parseRate } from "../units/rate.ts";
import { deserializeThrown } from "../workers/serialize_error.ts";
import { connect, parseRedisUrl, type RedisAddress } from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { Waiters } from "./waiters.ts";
import { windowLimit } from "./rate.ts";
import { type JobData, type JobResult, PREFIX, queueName } from "./wire.ts";

/** Options of {@linkcode redisExecutor}. */
export interface RedisExecutorOptions {
  /** Where Redis is: `redis://host:port[/db]`. */
  readonly redis: string;
  /** The workflow's name: its stages' queues are named after it. */
  readonly workflow: string;
  /** The run's fingerprint (see `planFingerprint`); workers check it. */
  readonly fingerprint: string;
  /**
   * How long Redis may be unreachable before the run fails with a
   * `DistributedError` (`REDIS_UNREACHABLE`), in milliseconds. Default 10 s.
   */
  readonly giveUpAfterMs?: number;
}

/** An executor that runs stages on worker processes over Redis; close it after the run. */
export interface DistributedExecutor extends Executor, AsyncDisposable {
  /** Closes its queues and connections (after the run is done). */
  close(): Promise<void>;
}

/**
 * Makes the coordinator's executor of a distributed run: pass it to
 * `run(workflow, { executor })`, and start workers with `serveWorkflow`
 * (or `poolflow worker`) on the same Redis and the same workflow.
 * Values and results cross as JSON.
 *
 * @param options Where Redis is, the workflow's name and fingerprint.
 * @returns The executor.
 * @throws {DistributedError} `BAD_REDIS_URL` if the URL is wrong.
 *
 * @example Run a workflow on a worker served in this same process
 * ```ts ignore
 * import { collect, defineWorkflow, fromIterable, planWorkflow, run } from "@poolflow/poolflow";
 * import { planFingerprint, redisExecutor, serveWorkflow } from "@poolflow/poolflow/distributed";
 *
 * const out = collect<number>();
 * const workflow = defineWorkflow({
 *   name: "squares",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("square", (n) => n * n),
 *   sink: out,
 * });
 * const redis = "redis://127.0.0.1:6379";
 * const fingerprint = await planFingerprint(planWorkflow(workflow));
 * const worker = await serveWorkflow(workflow, { redis });
 * await using executor = redisExecutor({ redis, workflow: workflow.name, fingerprint });
 * await run(workflow, { executor }).done;
 * await worker.close();
 * ```
 */
export function redisExecutor(
  options: RedisExecutorOptions,
): DistributedExecutor {
  return new RedisExecutor(options);
}

class RedisExecutor implements DistributedExecutor {
  readonly name = "redis";
  readonly #options: RedisExecutorOptions;
  readonly #address: RedisAddress;
  readonly #clients: Redis[] = [];
  readonly #closers: (() => Promise<unknown>)[] = [];
  readonly #lost = new AbortController();
  #closed = false;

  constructor(options: RedisExecutorOptions) {
    this.#options = options;
    this.#address = parseRedisUrl(options.redis);
  }

  executeStage(
    stage: ExecutorStage,
    items: AsyncIterable<unknown>,
    ctx: ExecutionContext,
  ): StageExecution {
    const queue = new Queue<JobData, JobResult>(
      queueName(this.#options.workflow, stage.name),
      { connection: this.#client(), prefix: PREFIX },
    );
    const events = new QueueEvents(
      queueName(this.#options.workflow, stage.name),
      { connection: this.#client(), prefix: PREFIX },
    );
    queue.on("error", () => {});
    events.on("error", () => {});
    this.#closers.push(async () => {
      // A finished run leaves nothing of its stage in Redis.
      await queue.obliterate({ force: true }).catch(() => {});
      await events.close();
      await queue.close();
    });
    const waiters = new Waiters(events);
    this.#lost.signal.addEventListener(
      "abort",
      () => waiters.failAll(this.#lost.signal.reason),
      { once: true },
    );
    const ready = this.#prepare(queue, events, stage);
    // A rejected setup fails the first attempt; keep it from going unhandled.
    ready.catch(() => {});
    let sequence = 0;
    const tag = crypto.randomUUID().slice(0, 8);
    const { fingerprint } = this.#options;
    const local = scheduleLocally(
      // Attempts start here under the stage's (sliding) rate limit, and
      // Redis's global limit holds for the workers too.
      stage,
      items,
      ctx,
      async (item, task) => {
        await ready;
        this.#lost.signal.throwIfAborted();
        const jobId = `${tag}-${task.index}-${task.attempt}-${sequence++}`;
        const result = waiters.wait(jobId);
        // Failed later (Redis lost) when the add failed first: not unhandled.
        result.catch(() => {});
        const onAbort = () => {
          waiters.cancel(jobId, task.signal.reason);
          // Not started yet: nobody needs it. Running: its result is ignored.
          queue.remove(jobId).catch(() => {});
        };
        task.signal.addEventListener("abort", onAbort, { once: true });
        try {
          await queue.add("task", {
            f: fingerprint,
            s: stage.name,
            i: task.index,
            a: task.attempt,
            v: stage.valueOf(item),
          }, {
            jobId,
            attempts: 1,
            removeOnComplete: true,
            removeOnFail: { age: 3600 },
          });
          const outcome = await result;
          if (outcome.ok) return stage.checkResult(outcome.v);
          throw deserializeThrown(outcome.e);
        } finally {
          task.signal.removeEventListener("abort", onAbort);
        }
      },
    );
    this.#lost.signal.addEventListener(
      "abort",
      () => local.abort(this.#lost.signal.reason),
      { once: true },
    );
    return new DistributedExecution(local, queue, ready);
  }

  async #prepare(
    queue: Queue<JobData, JobResult>,
    events: QueueEvents,
    stage: ExecutorStage,
  ): Promise<void> {
    // What an abandoned run left is dropped: this run redoes it.
    await queue.obliterate({ force: true });
    await queue.resume();
    await queue.setGlobalConcurrency(Math.max(1, stage.concurrency));
    if (stage.rateLimit !== undefined) {
      const rate = parseRate(
        stage.rateLimit,
        `stage "${stage.name}" rateLimit`,
      );
      const limit = windowLimit(rate.count, rate.intervalMs);
      await queue.setGlobalRateLimit(limit.max, limit.duration);
    } else {
      await queue.removeGlobalRateLimit();
    }
    await events.waitUntilReady();
  }

  #client(): Redis {
    const giveUpAfterMs = this.#options.giveUpAfterMs ?? 10_000;
    const client = connect(this.#address, {
      giveUpAfterMs,
      onLost: (error) => {
        if (this.#closed || this.#lost.signal.aborted) return;
        this.#lost.abort(
          new DistributedError(
            "REDIS_UNREACHABLE",
            `Lost Redis at ${this.#options.redis} for ${giveUpAfterMs} ms (${
              error instanceof Error ? error.message : String(error)
            }): items done so far are in the checkpoint; start Redis and run again with --resume`,
            { cause: error },
          ),
        );
      },
    });
    this.#clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#lost.signal.aborted) {
      await Promise.allSettled(this.#closers.map((close) => close()));
    }
    for (const client of this.#clients) client.disconnect();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A stage's local schedule whose resize also sets the global concurrency. */
class DistributedExecution implements StageExecution {
  readonly #local: StageExecution;
  readonly #queue: Queue<JobData, JobResult>;
  #setting: Promise<void>;

  constructor(
    local: StageExecution,
    queue: Queue<JobData, JobResult>,
    ready: Promise<void>,
  ) {
    this.#local = local;
    this.#queue = queue;
    this.#setting = ready.catch(() => {});
  }

  get signal(): AbortSignal {
    return this.#local.signal;
  }

  resize(concurrency: number): void {
    this.#local.resize(concurrency);
    const queue = this.#queue;
    // In order, after setup; 0 pauses the queue (no global concurrency of 0).
    this.#setting = this.#setting.then(async (): Promise<void> => {
      if (concurrency === 0) return await queue.pause();
      await queue.resume();
      await queue.setGlobalConcurrency(concurrency);
    }).catch(() => {});
  }

  stats(): ExecutionStats {
    return this.#local.stats();
  }

  abort(reason?: unknown): void {
    this.#local.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<Outcome<unknown, unknown>> {
    return this.#local[Symbol.asyncIterator]();
  }
}
