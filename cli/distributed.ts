/**
 * The coordinator side of `--redis`: the distributed executor, loaded only
 * when asked for (the plain CLI never loads bullmq or ioredis).
 *
 * @module
 */

import type { WorkflowPlan } from "../mod.ts";
import type { DistributedExecutor } from "../distributed.ts";
import type { LoadedWorkflow } from "../host/load.ts";

/** The Redis URL of a run: `--redis`, else `POOLFLOW_REDIS` if it may be read. */
export function redisUrlOf(flag: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  const allowed = Deno.permissions.querySync({
    name: "env",
    variable: "POOLFLOW_REDIS",
  }).state === "granted";
  const value = allowed ? Deno.env.get("POOLFLOW_REDIS") : undefined;
  return value === "" ? undefined : value;
}

/** The fingerprint workers must serve: the plan and the workflow file's text. */
export async function fingerprintOf(
  plan: WorkflowPlan,
  url: URL,
): Promise<string> {
  const { planFingerprint } = await import("../distributed.ts");
  return planFingerprint(plan, await Deno.readTextFile(url));
}

/** The executor of a distributed run of `loaded` on `redis`. */
export async function distributedExecutor(
  plan: WorkflowPlan,
  loaded: LoadedWorkflow,
  redis: string,
): Promise<DistributedExecutor> {
  const { redisExecutor } = await import("../distributed.ts");
  return redisExecutor({
    redis,
    workflow: plan.name,
    fingerprint: await fingerprintOf(plan, loaded.url),
  });
}
