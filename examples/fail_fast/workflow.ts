/**
 * Fail-fast: a rolling deploy to twelve hosts, three at a time, that must
 * stop at the first host whose health check fails. After that failure no
 * new host is started, and the deploys in flight are told to stop through
 * their task's `AbortSignal` (and do, at once); the run ends `"failed"` with
 * the health check's error, and the hosts finished before it stay in the
 * output.
 *
 * This is what a thread pool with a global `_shutdown` flag fails to do:
 * there, work already started runs on and nothing tells it to stop.
 *
 * Run it: `deno run -A cli.ts examples/fail_fast/workflow.ts` (it ends with
 * the failure of `web-05`, on purpose).
 *
 * @module
 */

import {
  defineWorkflow,
  fromJson,
  toJsonl,
  type Workflow,
} from "@poolflow/poolflow";
import {
  type Deployed,
  deployHost,
  type HostPlan,
  RolloutLog,
} from "./deploy.ts";

/** The bundled hosts; `web-05` fails its health check. */
export const HOSTS_JSON: URL = new URL("./data/hosts.json", import.meta.url);

/** The workflow's parameters. */
const PARAMS = {
  out: {
    type: "path",
    root: "out",
    access: "write",
    default: "deployed.jsonl",
    description: "The hosts that took the new version, as JSON lines",
  },
} as const;

/**
 * Makes the rollout workflow, recording into `log`.
 *
 * @param log Where the deploys record what happens to each host.
 * @returns The workflow.
 */
export function createRollout(
  log: RolloutLog = new RolloutLog(),
): Workflow<typeof PARAMS, HostPlan, Deployed> {
  return defineWorkflow({
    name: "fail-fast-rollout",
    description:
      "Deploy to 12 hosts, 3 at a time, stopping everything at the first failed health check",
    params: PARAMS,
    source: fromJson<HostPlan>(HOSTS_JSON),
    concurrency: 3,
    errors: { onError: "fail-fast" },
    pipeline: (hosts) =>
      hosts.map("deploy", (plan, { signal }) => deployHost(plan, signal, log)),
    sink: ({ out }) => toJsonl<Deployed>(out),
  });
}

export default createRollout();
