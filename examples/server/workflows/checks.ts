/**
 * A registered workflow of the HTTP runner example: simulated health
 * checks of `count` hosts, eight at a time, each retried once; every
 * `failEvery`-th host is down. Long enough to watch, resize and cancel
 * from the dashboard.
 *
 * @module
 */

import { defineWorkflow, fromIterable, sleep } from "../../../mod.ts";

/** A host to check, with the run's parameters (stages see only items). */
export interface CheckTask {
  /** The host. */
  readonly host: string;
  /** Milliseconds the check takes. */
  readonly delayMs: number;
  /** Whether the host is down. */
  readonly down: boolean;
}

/** A host's check result. */
export interface CheckResult {
  /** The host. */
  readonly host: string;
  /** Milliseconds the check took. */
  readonly ms: number;
}

export default defineWorkflow({
  name: "checks",
  description: "Simulated health checks of many hosts",
  params: {
    count: { type: "number", default: 200, description: "Hosts to check" },
    delayMs: {
      type: "number",
      default: 150,
      description: "Milliseconds per check",
    },
    failEvery: {
      type: "number",
      default: 25,
      description: "Every n-th host is down (0: none)",
    },
  },
  source: ({ count, delayMs, failEvery }) =>
    fromIterable(
      Array.from({ length: count }, (_, i): CheckTask => ({
        host: `host-${i + 1}.internal`,
        delayMs,
        down: failEvery > 0 && (i + 1) % failEvery === 0,
      })),
      { name: "hosts" },
    ),
  concurrency: 8,
  errors: { onError: "continue", retry: { attempts: 2, delay: "50ms" } },
  pipeline: (rows) =>
    rows.map("check", async (task, { signal }): Promise<CheckResult> => {
      const started = Date.now();
      await sleep(task.delayMs, signal);
      if (task.down) throw new Error(`${task.host} did not answer`);
      return { host: task.host, ms: Date.now() - started };
    }),
});
