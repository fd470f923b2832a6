/**
 * A stage scheduled in this process: a `MapRun` over the stage's items,
 * under its concurrency, rate limit and error policy. The in-process and
 * worker-thread executors differ only in the task they give it.
 *
 * @module
 */

import { MapRun } from "../pool/map_run.ts";
import type { Outcome, TaskFn } from "../pool/types.ts";
import { RateLimiter } from "../sync/rate_limiter.ts";
import type {
  ExecutionContext,
  ExecutionStats,
  ExecutorStage,
  StageExecution,
} from "./types.ts";

/**
 * Runs `task` on each of `items` in this process, as `stage` says.
 *
 * @param stage The stage's limits and policy.
 * @param items Its input.
 * @param ctx The run's signal and where to report.
 * @param task What runs on each item (here, or dispatched from here).
 * @returns The running stage.
 */
export function scheduleLocally(
  stage: ExecutorStage,
  items: AsyncIterable<unknown>,
  ctx: ExecutionContext,
  task: TaskFn<unknown, unknown>,
): StageExecution {
  const map = new MapRun(items, task, {
    ...stage.errors,
    concurrency: stage.concurrency,
    ordered: stage.ordered,
    ...(stage.rateLimit === undefined
      ? {}
      : { rateLimit: new RateLimiter(stage.rateLimit) }),
    signal: ctx.signal,
    ...(ctx.abandonAfter === undefined
      ? {}
      : { abandonAfter: ctx.abandonAfter }),
    latency: ctx.latency,
    onRetry: (event) => ctx.onRetry(event),
  });
  return new LocalExecution(map);
}

/** A `MapRun` seen through the executor contract; it iterates the run itself. */
class LocalExecution implements StageExecution {
  readonly #map: MapRun<unknown, unknown>;

  constructor(map: MapRun<unknown, unknown>) {
    this.#map = map;
  }

  get signal(): AbortSignal {
    return this.#map.signal;
  }

  resize(concurrency: number): void {
    this.#map.resize(concurrency);
  }

  stats(): ExecutionStats {
    const map = this.#map;
    return {
      concurrency: map.concurrency,
      started: map.started,
      running: map.running,
      waiting: map.waiting,
      buffered: map.buffered,
      failed: map.failed,
      retried: map.retried,
    };
  }

  abort(reason?: unknown): void {
    this.#map.abort(reason);
  }

  // No wrapper per outcome: the interpreter reads the scheduler directly.
  [Symbol.asyncIterator](): AsyncIterator<Outcome<unknown, unknown>> {
    return this.#map[Symbol.asyncIterator]();
  }
}
