/**
 * A workflow whose numbers are known ahead: 20 items, a stage that fails
 * items 3 and 7 on their first attempt only (so they are retried and
 * succeed), a stage that fails every item divisible by 5 for good.
 *
 * @module
 */

import { defineWorkflow, fromIterable, planWorkflow } from "@poolflow/poolflow";
import type { WorkflowPlan } from "../../lib/workflow/plan.ts";

/** Items read. */
export const ITEMS = 20;
/** Items failing `check` for good: 0, 5, 10, 15. */
export const FAILED = 4;
/** Retries in `parse`: items 3 and 7, once each. */
export const RETRIED = 2;

/** A fresh plan of the workflow `known`. */
export function knownPlan(name = "known"): WorkflowPlan {
  return planWorkflow(defineWorkflow({
    name,
    source: fromIterable(Array.from({ length: ITEMS }, (_, i) => i)),
    errors: { onError: "continue" },
    pipeline: (rows) =>
      rows
        .map("parse", (n: number, ctx) => {
          if ((n === 3 || n === 7) && ctx.attempt === 1) {
            throw new Error(`flaky ${n}`);
          }
          return n;
        }, { errors: { retry: { attempts: 2, delay: 0, jitter: "none" } } })
        .map("check", (n: number) => {
          if (n % 5 === 0) throw new Error(`bad item ${n}`);
          return n;
        }),
  }));
}
