/**
 * The default executor: every task runs in this process, on the event
 * loop, as an async function call.
 *
 * @module
 */

import { scheduleLocally } from "./local.ts";
import type {
  ExecutionContext,
  Executor,
  ExecutorStage,
  StageExecution,
} from "./types.ts";

class InProcessExecutor implements Executor {
  readonly name = "in-process";

  executeStage(
    stage: ExecutorStage,
    items: AsyncIterable<unknown>,
    ctx: ExecutionContext,
  ): StageExecution {
    return scheduleLocally(stage, items, ctx, stage.run);
  }
}

const IN_PROCESS: Executor = new InProcessExecutor();

/**
 * The executor that runs a stage's tasks in this process: what every
 * stage uses unless the stage, its function or the run names another.
 * Stateless; the same one serves every run.
 *
 * @returns The in-process executor.
 *
 * @example Name it explicitly
 * ```ts
 * import { defineWorkflow, fromIterable, inProcess, run } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const workflow = defineWorkflow({
 *   name: "w",
 *   source: fromIterable([1, 2, 3]),
 *   pipeline: (rows) => rows.map("double", (n) => n * 2),
 * });
 * const summary = await run(workflow, { executor: inProcess() }).done;
 * assertEquals(summary.written, 3);
 * ```
 */
export function inProcess(): Executor {
  return IN_PROCESS;
}
