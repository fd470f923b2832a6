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
  /** What it threw, for `"error"`; `undefined` for `"ok"`. */
  readonly error: unknown;
  /** Whether it was timed; an untimed one has `durationMs` 0. */
  readonly timed: boolean;
  /** When it started, in milliseconds since the epoch (fractional). */
  readonly startedAt: number;
  /** How long it took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Told of the attempts of a wrapped plan's stage functions. Reading the
 * clock costs as much as a no-op task, so, as the engine does for its own
 * percentiles, only some attempts are timed: by default every attempt of
 * the first 1024 items of a stage, then one item in eight (`timedItem`).
 * `start` and `end` hear of timed attempts; `end` also hears of untimed
 * attempts that fail if `failures` is set (with `timed: false`).
 */
export interface TaskObserver {
  /** Whether item `index`'s attempts are timed; defaults to `timedItem`. */
  timed?(index: number): boolean;
  /** Also report attempts that fail but are not timed. */
  readonly failures?: boolean;
  /**
   * A timed attempt starts. Return a runner to call the task through it
   * (it must call `call` once and return its result), or nothing.
   */
  start?(task: TaskStart): TaskRunner | undefined;
  /** An attempt has settled. */
  end(task: TaskEnd): void;
}

/**
 * The engine's rule for which items are timed: the first 1024, then one
 * in eight (a sample keeps the percentiles and spares the clock).
 *
 * @param index The item's position in the stage's input.
 * @returns Whether to time it.
 *
 * @example
 * ```ts
 * import { timedItem } from "@poolflow/poolflow/telemetry";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals([timedItem(5), timedItem(2048), timedItem(2049)], [true, true, false]);
 * ```
 */
export function timedItem(index: number): boolean {
  return index < 1024 || (index & 7) === 0;
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
    stages: plan.stages.map((stage) =>
      observeStage(plan.name, stage, observer)
    ),
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
  const start = observer.start?.bind(observer);
  const timed = observer.timed?.bind(observer) ?? timedItem;
  const failures = observer.failures === true;
  // The hot path: no closure, no spread, one object per reported attempt.
  const end = (
    ctx: TaskContext,
    t0: number,
    outcome: "ok" | "error",
    error: unknown,
  ): void => {
    const untimed = t0 < 0;
    const t1 = performance.now();
    observer.end({
      workflow,
      stage: name,
      index: ctx.index,
      attempt: ctx.attempt,
      outcome,
      error,
      timed: !untimed,
      startedAt: performance.timeOrigin + (untimed ? t1 : t0),
      durationMs: untimed ? 0 : t1 - t0,
    });
  };
  const untimedFailing = (item: unknown, ctx: TaskContext): unknown => {
    let result: unknown;
    try {
      result = fn(item, ctx);
    } catch (error) {
      end(ctx, -1, "error", error);
      throw error;
    }
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(undefined, (error: unknown) => {
      end(ctx, -1, "error", error);
      throw error;
    });
  };
  const wrapped = (item: unknown, ctx: TaskContext): unknown => {
    if (!timed(ctx.index)) {
      return failures ? untimedFailing(item, ctx) : fn(item, ctx);
    }
    const runner = start === undefined ? undefined : start({
      workflow,
      stage: name,
      index: ctx.index,
      attempt: ctx.attempt,
    });
    const t0 = performance.now();
    let result: unknown;
    try {
      result = runner === undefined
        ? fn(item, ctx)
        : runner(() => fn(item, ctx));
    } catch (error) {
      end(ctx, t0, "error", error);
      throw error;
    }
    if (!isThenable(result)) {
      end(ctx, t0, "ok", undefined);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        end(ctx, t0, "ok", undefined);
        return value;
      },
      (error: unknown) => {
        end(ctx, t0, "error", error);
        throw error;
      },
    );
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
