/**
 * A pretend rolling deploy for the fail-fast example: each host takes its
 * `deployMs` to update (a wait that honours the task's signal), then runs a
 * health check that a bad host fails. A {@linkcode RolloutLog} records what
 * happened, in order, so a test can tell what started after the failure and
 * which deploys were told to stop.
 *
 * @module
 */

import { sleep } from "@poolflow/poolflow";

/** One host of `data/hosts.json`. */
export interface HostPlan {
  /** The host's name. */
  readonly host: string;
  /** How long its update takes, in milliseconds. */
  readonly deployMs: number;
  /** `"fail"` makes its health check fail after the update. */
  readonly healthCheck?: "pass" | "fail";
}

/** A host that took the new version. */
export interface Deployed {
  /** The host's name. */
  readonly host: string;
  /** The version it runs now. */
  readonly version: string;
}

/** A host answered its health check with an error: roll back, do not go on. */
export class HealthCheckError extends Error {
  /** The host that failed. */
  readonly host: string;

  /**
   * Creates the error of a failed health check.
   *
   * @param host The host.
   */
  constructor(host: string) {
    super(`Health check of ${host} failed after the update: stop the rollout`);
    this.name = "HealthCheckError";
    this.host = host;
  }
}

/** What happened to a host, in the order it happened. */
export interface RolloutEntry {
  /** `started`, then one of `deployed`, `failed` or `aborted`. */
  readonly type: "started" | "deployed" | "failed" | "aborted";
  /** The host. */
  readonly host: string;
}

/** The rollout's history, and the questions the fail-fast test asks of it. */
export class RolloutLog {
  /** Everything that happened, in order. */
  readonly entries: RolloutEntry[] = [];

  /**
   * Records an entry.
   *
   * @param type What happened.
   * @param host To which host.
   */
  record(type: RolloutEntry["type"], host: string): void {
    this.entries.push({ type, host });
  }

  /**
   * Hosts whose entries of `type` came before or after the first failure.
   *
   * @param type The kind of entry.
   * @param when Before or after the first `failed` entry.
   * @returns The hosts, in order.
   */
  hosts(type: RolloutEntry["type"], when?: "before" | "after"): string[] {
    const failure = this.entries.findIndex((e) => e.type === "failed");
    return this.entries
      .filter((entry, i) =>
        entry.type === type &&
        (when === undefined || failure === -1 ||
          (when === "before" ? i < failure : i > failure))
      )
      .map((entry) => entry.host);
  }

  /**
   * Hosts that had started and not finished when the first failure came.
   *
   * @returns The hosts, in the order they started.
   */
  inFlightAtFailure(): string[] {
    const failure = this.entries.findIndex((e) => e.type === "failed");
    const before = failure === -1 ? [] : this.entries.slice(0, failure);
    const ended = new Set(
      before.filter((e) => e.type !== "started").map((e) => e.host),
    );
    return before
      .filter((e) => e.type === "started" && !ended.has(e.host))
      .map((e) => e.host)
      .filter((host) => host !== this.entries[failure]?.host);
  }
}

/**
 * Deploys to one host: update, then health check.
 *
 * @param plan The host and how its deploy goes.
 * @param signal The task's signal: when it aborts, the update stops.
 * @param log Where to record what happens.
 * @returns The deployed host.
 * @throws {HealthCheckError} If the host's health check fails.
 * @throws The signal's reason if the rollout is stopped during the update.
 */
export async function deployHost(
  plan: HostPlan,
  signal: AbortSignal,
  log: RolloutLog,
): Promise<Deployed> {
  log.record("started", plan.host);
  try {
    await sleep(plan.deployMs, signal);
  } catch (error) {
    if (signal.aborted) log.record("aborted", plan.host);
    throw error;
  }
  if (plan.healthCheck === "fail") {
    log.record("failed", plan.host);
    throw new HealthCheckError(plan.host);
  }
  log.record("deployed", plan.host);
  return { host: plan.host, version: "2.0.0" };
}
