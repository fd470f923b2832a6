/**
 * What crosses Redis: a job per attempt (the run's fingerprint, the
 * stage, the item's index and attempt, its value as JSON) and a result
 * envelope that a worker always completes its job with, so a failure keeps
 * its class name, message, cause and fields (BullMQ's own failure keeps
 * only a message). Queue names and the key prefix are here too.
 *
 * @module
 */

import type { SerializedThrown } from "../workers/serialize_error.ts";

/** The key prefix of every poolflow queue in Redis. */
export const PREFIX = "poolflow";

/** A job: one attempt of one item of one stage. */
export interface JobData {
  /** The run's fingerprint, checked by the worker. */
  readonly f: string;
  /** The stage's name. */
  readonly s: string;
  /** The item's position in the source. */
  readonly i: number;
  /** The attempt, from 1. */
  readonly a: number;
  /** The value the stage's function takes. */
  readonly v: unknown;
}

/** What a worker completes a job with. */
export type JobResult =
  | { readonly ok: true; readonly v?: unknown }
  | { readonly ok: false; readonly e: SerializedThrown };

/**
 * The queue of a workflow's stage: one per stage, shared by every worker
 * of that workflow (a BullMQ queue name may not hold `:`).
 */
export function queueName(workflow: string, stage: string): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${clean(workflow)}.${clean(stage)}`;
}
