/**
 * Results of a stage's jobs, as QueueEvents reports them: one listener per
 * queue that settles the attempt waiting for each job id, registered
 * before the job is added so no completion can be missed.
 *
 * @module
 */

import type { QueueEvents } from "npm:bullmq@6.7.6";
import type { JobResult } from "./wire.ts";

interface Waiter {
  resolve(result: JobResult): void;
  reject(error: unknown): void;
}

/** The attempts of one stage waiting for their jobs. */
export class Waiters {
  readonly #waiting = new Map<string, Waiter>();

  constructor(events: QueueEvents) {
    events.on("completed", ({ jobId, returnvalue }) => {
      this.#take(jobId)?.resolve(returnvalue as unknown as JobResult);
    });
    // Only a stall past the limit fails a job: workers complete the rest.
    events.on("failed", ({ jobId, failedReason }) => {
      this.#take(jobId)?.reject(
        new Error(`Job ${jobId} failed on its worker: ${failedReason}`),
      );
    });
  }

  /** How many attempts wait now. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Waits for `jobId`'s result; call before adding the job. */
  wait(jobId: string): Promise<JobResult> {
    const { promise, resolve, reject } = Promise.withResolvers<JobResult>();
    this.#waiting.set(jobId, { resolve, reject });
    return promise;
  }

  /** Stops waiting for `jobId`, failing its attempt with `reason`. */
  cancel(jobId: string, reason: unknown): void {
    this.#take(jobId)?.reject(reason);
  }

  /** Fails every attempt waiting, with `reason`. */
  failAll(reason: unknown): void {
    for (const waiter of this.#waiting.values()) waiter.reject(reason);
    this.#waiting.clear();
  }

  #take(jobId: string): Waiter | undefined {
    const waiter = this.#waiting.get(jobId);
    if (waiter) this.#waiting.delete(jobId);
    return waiter;
  }
}
