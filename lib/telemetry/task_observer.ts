/**
 * Watching every task of a run without touching the interpreter: a plan's
 * stage functions are wrapped, each call timed and reported to an
 * observer. A plan that is not wrapped costs nothing.
 *
 * @module
 */

import type { TaskContext } from "../pool/types.ts";
import type { StageFn } from "../workflow/pipeline.ts";
import type { PlannedStage, WorkflowPlan } from "../workflow/plan.ts";

/** One attempt of a stage's function, as it starts. */
export interface TaskStart {
  /** The workflow's name. */
  readonly workflow: string;
  /** The stage's name. */
  readonly stage: string;
  /** The item's position in the stage's input, from 0. */
  readonly index: number;
  /** The attempt, from 1. */
  readonly attempt: number;
}

/** One attempt of a stage's function, once it has settled. */
export interface TaskEnd extends TaskStart {
  /** Whether the attempt returned (`"ok"`) or threw (`"error"`). */
  readonly outcome: "ok" | "error";
  /** What it threw, for `"error"`. */
  readonly error?: unknown;
  /** When it started, in milliseconds since the epoch (fractional). */
  readonly startedAt: number;
  /** How long it took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Told of every attempt of every stage function of a wrapped plan.
 * `start` may return a function that runs the attempt (to run it inside a
 * tracing context); `end` is called once the attempt has settled.
 */
export interface TaskObserver {
  /**
   * An attempt starts. Return a runner to call the task through it (it
   * must call `call` once and return its result), or nothing.
   */
  start?(task: TaskStart): TaskRunner | undefined;
  /** An attempt has settled. */
  end(task: TaskEnd): void;
}

/** Runs one attempt, for an observer that wants it inside a context. */
export type TaskRunner = <T>(call: () => T) => T;

/**
 * A copy of `plan` whose stage functions report every attempt to
 * `observer`. Properties of the functions (such as a worker stage's module
 * and its `Symbol.asyncDispose`) are kept.
 *
 * @param plan A checked plan, from `planWorkflow`.
 * @param observer Told of each attempt's start and end.
 * @returns The plan to run instead.
 *
 * @example Count attempts
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow, runPlan } from "@poolflow/poolflow";
 * import { observeTasks } from "@poolflow/poolflow/telemetry";
 * import { assertEquals } from "@std/assert";
 *
 * const plan = planWorkflow(defineWorkflow({
 *   name: "double",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("x2", (n) => n * 2),
 * }));
 * let ok = 0;
 * const observed = observeTasks(plan, {
 *   end: (task) => { if (task.outcome === "ok") ok++; },
 * });
 * await runPlan(observed).done;
 * assertEquals(ok, 3);
 * ```
 */
export function observeTasks(
  plan: WorkflowPlan,
  observer: TaskObserver,
): WorkflowPlan {
  return {
    ...plan,
    stages: plan.stages.map((stage) => observeStage(plan.name, stage, observer)),
  };
}

function observeStage(
  workflow: string,
  stage: PlannedStage,
  observer: TaskObserver,
): PlannedStage {
  const fn = stage.spec.fn as StageFn<unknown, unknown> | undefined;
  if (fn === undefined) return stage;
  const name = stage.spec.name;
  const wrapped = (item: unknown, ctx: TaskContext): unknown => {
    const task: TaskStart = {
      workflow,
      stage: name,
      index: ctx.index,
      attempt: ctx.attempt,
    };
    const runner = observer.start?.(task);
    const t0 = performance.now();
    const settle = (outcome: "ok" | "error", error?: unknown): void => {
      const durationMs = performance.now() - t0;
      observer.end({
        ...task,
        outcome,
        ...(outcome === "error" ? { error } : {}),
        startedAt: performance.timeOrigin + t0,
        durationMs,
      });
    };
    let result: unknown;
    try {
      result = runner ? runner(() => fn(item, ctx)) : fn(item, ctx);
    } catch (error) {
      settle("error", error);
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          settle("ok");
          return value;
        },
        (error) => {
          settle("error", error);
          throw error;
        },
      );
    }
    settle("ok");
    return result;
  };
  // Keep what the interpreter or an executor may read off the function.
  const own = Object.getOwnPropertyDescriptors(fn) as Record<
    PropertyKey,
    PropertyDescriptor
  >;
  delete own.length;
  delete own.prototype;
  Object.defineProperties(wrapped, own);
  return {
    ...stage,
    spec: { ...stage.spec, fn: wrapped as StageFn<never, unknown> },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
