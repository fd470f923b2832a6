/**
 * The request bodies of the pool control surface, checked field by field
 * (every problem a 400 naming the field, unknown fields refused), and the
 * JSON views it answers with.
 *
 * @module
 */

import type { SimpleTaskPool } from "../lib/pool/simple_task_pool.ts";
import type { TaskGroup } from "../lib/pool/task_group.ts";
import type { TaskPool } from "../lib/pool/task_pool.ts";
import { describeValue } from "../lib/units/check.ts";
import { ApiError } from "./errors.ts";

/**
 * What the control surface needs of a `SimpleTaskPool`, whatever its
 * function's types.
 */
export type ControlledWorkers = Pick<
  SimpleTaskPool<readonly never[], unknown>,
  | "name"
  | "start"
  | "stop"
  | "stopAll"
  | "resize"
  | "running"
  | "waiting"
  | "ids"
  | "started"
  | "ended"
  | "failed"
  | "limit"
  | "locked"
  | "closed"
>;

/** A body field checked as an object. */
type Body = Record<string, unknown>;

function badRequest(field: string, message: string): ApiError {
  return new ApiError(400, "bad_request", message, { field });
}

/**
 * Checks that a body is an object with only the allowed fields.
 *
 * @param body The parsed JSON, or `undefined` for an empty body.
 * @param allowed The fields it may have.
 * @returns The object (empty for an empty body).
 * @throws {ApiError} 400 naming the field.
 */
export function checkBody(body: unknown, allowed: readonly string[]): Body {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      "body",
      `Invalid body: expected a JSON object, got ${describeValue(body)}`,
    );
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw badRequest(
        key,
        `Unknown field "${key}": allowed are ${allowed.join(", ")}`,
      );
    }
  }
  return body as Body;
}

/**
 * Checks a count field.
 *
 * @param body The body.
 * @param field The field's name.
 * @param range Its lowest and highest value, and its default if optional.
 * @returns The count.
 * @throws {ApiError} 400 naming the field.
 */
export function checkCountField(
  body: Body,
  field: string,
  range: { min: number; max: number; default?: number },
): number {
  const value = body[field];
  if (value === undefined && range.default !== undefined) return range.default;
  if (value === undefined) {
    throw badRequest(
      field,
      `Missing ${field}: send { "${field}": <integer from ${range.min} to ${range.max}> }`,
    );
  }
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) ||
    value < range.min || value > range.max
  ) {
    throw badRequest(
      field,
      `Invalid ${field}: expected an integer from ${range.min} to ${range.max}, got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Checks an optional string field.
 *
 * @param body The body.
 * @param field The field's name.
 * @returns The string, or `undefined`.
 * @throws {ApiError} 400 if it is there and not a non-empty string of at
 * most 100 characters.
 */
export function checkNameField(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "" || value.length > 100) {
    throw badRequest(
      field,
      `Invalid ${field}: expected a name of 1 to 100 characters, got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/** A group as the control surface shows it. */
export interface GroupView {
  /** The group's id. */
  readonly id: string;
  /** `"running"`, `"ended"`, `"cancelled"` or `"failed"`. */
  readonly state: string;
  /** Tasks of the group allowed at once. */
  readonly concurrency: number;
  /** Tasks of the group running now. */
  readonly running: number;
  /** Tasks of the group waiting for a slot of the pool. */
  readonly pending: number;
  /** Tasks that succeeded. */
  readonly succeeded: number;
  /** Tasks that failed. */
  readonly failed: number;
  /** Tasks running when the group was cancelled. */
  readonly cancelled: number;
}

/**
 * A group's view.
 *
 * @param group The group.
 * @returns Its counts, as JSON.
 */
export function groupView<I, O>(group: TaskGroup<I, O>): GroupView {
  return {
    id: group.id,
    state: group.state,
    concurrency: group.concurrency,
    running: group.running,
    pending: group.pending,
    succeeded: group.succeeded,
    failed: group.failed,
    cancelled: group.cancelled,
  };
}

/** A `SimpleTaskPool` as the control surface shows it. */
export interface WorkersView {
  /** The name it is registered under. */
  readonly name: string;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks started and waiting for a slot. */
  readonly waiting: number;
  /** The ids of the tasks running or waiting, oldest first. */
  readonly ids: readonly number[];
  /** Tasks started in all. */
  readonly started: number;
  /** Tasks ended in all. */
  readonly ended: number;
  /** Tasks that failed. */
  readonly failed: number;
  /** Tasks allowed to run at once; `null` for no limit. */
  readonly limit: number | null;
  /** Whether it refuses `start`. */
  readonly locked: boolean;
  /** Whether it is closed. */
  readonly closed: boolean;
}

/**
 * A registered `SimpleTaskPool`'s view.
 *
 * @param name The name it is registered under.
 * @param workers The pool.
 * @returns Its counts, as JSON.
 */
export function workersView(
  name: string,
  workers: ControlledWorkers,
): WorkersView {
  return {
    name,
    running: workers.running,
    waiting: workers.waiting,
    ids: workers.ids,
    started: workers.started,
    ended: workers.ended,
    failed: workers.failed,
    limit: finite(workers.limit),
    locked: workers.locked,
    closed: workers.closed,
  };
}

/** The pool as the control surface shows it. */
export interface PoolView {
  /** Tasks allowed at once over all groups; `null` for no limit. */
  readonly limit: number | null;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
  /** Tasks ended since the pool was made. */
  readonly ended: number;
  /** Whether every slot is taken. */
  readonly isFull: boolean;
  /** Whether it refuses new groups. */
  readonly locked: boolean;
  /** Whether it is closed. */
  readonly closed: boolean;
  /** The functions a request may start, by name. */
  readonly functions: readonly string[];
  /** Its groups, until the pool's owner flushes them. */
  readonly groups: readonly GroupView[];
}

/**
 * The pool's view.
 *
 * @param pool The pool.
 * @param functions The names of the registered functions.
 * @returns Its counts and groups, as JSON.
 */
export function poolView(
  pool: TaskPool,
  functions: readonly string[],
): PoolView {
  return {
    limit: finite(pool.limit),
    running: pool.running,
    pending: pool.pending,
    ended: pool.ended,
    isFull: pool.isFull,
    locked: pool.locked,
    closed: pool.closed,
    functions,
    groups: pool.groups.map(groupView),
  };
}

function finite(limit: number): number | null {
  return Number.isFinite(limit) ? limit : null;
}
