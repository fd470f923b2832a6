/**
 * {@linkcode RunRegistry}: the server's runs. It starts registered
 * workflows (with a cap on runs going at once), follows each run's events
 * into its {@linkcode EventLog} and its outcomes into a
 * {@linkcode ResultBuffer}, and forgets finished runs after a bounded count
 * and time, so memory does not grow with uptime.
 *
 * @module
 */

import type { Source } from "../lib/io/types.ts";
import type { AnyWorkflow } from "../lib/workflow/define.ts";
import type { RunEvent } from "../lib/workflow/events.ts";
import { planWorkflow, WorkflowError } from "../lib/workflow/plan.ts";
import type { RunHandle } from "../lib/workflow/handle.ts";
import { runPlan } from "../lib/workflow/run.ts";
import type { RunSummary } from "../lib/workflow/stats.ts";
import { ApiError, redactPaths } from "./errors.ts";
import { EventLog } from "./event_log.ts";
import type { ResolvedLimits } from "./limits.ts";
import type { ParamValue } from "./requests.ts";
import { ResultBuffer } from "./results.ts";

/** How long a cancelled run waits for tasks that ignore their signal. */
const CANCEL_GRACE_MS = 10_000;

/** Where a run's items come from. */
export type InputKind = "workflow" | "inline" | "csv";

/** A run the server knows. */
export interface RunRecord {
  /** The run's id. */
  readonly id: string;
  /** The registered name of its workflow. */
  readonly workflow: string;
  /** The parameters as asked. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Where its items come from. */
  readonly input: InputKind;
  /** When it was created, in milliseconds since the epoch. */
  readonly createdAt: number;
  /** The run itself. */
  readonly handle: RunHandle;
  /** Its events, numbered, with a replay buffer. */
  readonly events: EventLog;
  /** Its kept outcomes. */
  readonly results: ResultBuffer;
  /** How it ended, once it has (file paths taken out). */
  readonly summary: RunSummary | undefined;
}

/** What {@linkcode RunRegistry.start} needs. */
export interface StartRequest {
  /** The registered name. */
  readonly name: string;
  /** The workflow. */
  readonly workflow: AnyWorkflow;
  /** Parameter values. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Default stage concurrency, if asked. */
  readonly concurrency: number | undefined;
  /** A source instead of the workflow's, for inline and CSV input. */
  readonly source: Source<unknown> | undefined;
  /** Where the items come from. */
  readonly input: InputKind;
}

/** Options of {@linkcode RunRegistry}. */
export interface RunRegistryOptions {
  /** The server's limits. */
  readonly limits: ResolvedLimits;
  /** Milliseconds between progress events. */
  readonly progressIntervalMs: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

interface MutableRecord extends RunRecord {
  summary: RunSummary | undefined;
}

/**
 * The server's runs: started, followed, kept for a while, forgotten.
 *
 * @example An empty registry
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import { RunRegistry } from "./runs.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * const runs = new RunRegistry({ limits: resolveLimits(), progressIntervalMs: 1000 });
 * assertEquals([runs.active, runs.size], [0, 0]);
 * assertThrows(() => runs.get("nope"), Error, 'No run "nope"');
 * await runs.close();
 * ```
 */
export class RunRegistry {
  readonly #limits: ResolvedLimits;
  readonly #progressIntervalMs: number;
  readonly #runs = new Map<string, MutableRecord>();
  readonly #finishOrder: string[] = [];
  readonly #expiry = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #settling = new Set<Promise<void>>();
  #active = 0;
  #closed = false;

  /**
   * Creates an empty registry.
   *
   * @param options Limits and the progress interval.
   */
  constructor(options: RunRegistryOptions) {
    this.#limits = options.limits;
    this.#progressIntervalMs = options.progressIntervalMs;
  }

  /** Runs going now. */
  get active(): number {
    return this.#active;
  }

  /** Runs known now, going and finished. */
  get size(): number {
    return this.#runs.size;
  }

  /**
   * Starts a run.
   *
   * @param request The workflow, its parameters and input.
   * @returns The run's record.
   * @throws {ApiError} 503 if the registry is closed, 429 if too many runs
   * are going, 400 if the parameters or concurrency do not fit the workflow.
   */
  start(request: StartRequest): RunRecord {
    if (this.#closed) {
      throw new ApiError(503, "unavailable", "The server is shutting down");
    }
    if (this.#active >= this.#limits.maxConcurrentRuns) {
      throw new ApiError(
        429,
        "too_many_requests",
        `Too many runs: ${this.#active} are going, at most ${this.#limits.maxConcurrentRuns} at once; retry when one has finished`,
        { headers: { "Retry-After": "1" } },
      );
    }
    const results = new ResultBuffer(this.#limits.resultsPerRun);
    let handle: RunHandle;
    try {
      const plan = planWorkflow(request.workflow, {
        params: request.params,
        ...(request.concurrency === undefined
          ? {}
          : { concurrency: request.concurrency }),
        ...(request.source === undefined ? {} : { source: request.source }),
      });
      handle = runPlan({
        ...plan,
        sink: results.tee(plan.sink),
        deadLetter: results.teeDeadLetters(plan.deadLetter),
      }, {
        progressInterval: this.#progressIntervalMs,
        // A cancelled run must end (and free its slot) even if a task
        // ignores its signal.
        abandonAfter: CANCEL_GRACE_MS,
      });
    } catch (error) {
      if (error instanceof WorkflowError) {
        throw new ApiError(400, "bad_request", redactPaths(error.message), {
          field: error.path,
          cause: error,
        });
      }
      throw error;
    }
    const record: MutableRecord = {
      id: handle.id,
      workflow: request.name,
      params: request.params,
      input: request.input,
      createdAt: Date.now(),
      handle,
      events: new EventLog(this.#limits.replayEvents),
      results,
      summary: undefined,
    };
    this.#runs.set(record.id, record);
    this.#active++;
    // Subscribed now, before the run publishes its first event.
    const followed = this.#follow(record);
    // `done` never rejects, and the events end with `run-finished` first.
    const settled = (async () => {
      await followed;
      this.#finished(record, await handle.done);
    })();
    this.#settling.add(settled);
    settled.finally(() => this.#settling.delete(settled));
    return record;
  }

  /**
   * A run by id.
   *
   * @param id The run's id.
   * @returns Its record.
   * @throws {ApiError} 404 if no such run is kept.
   */
  get(id: string): RunRecord {
    const record = this.#runs.get(id);
    if (record === undefined) {
      throw new ApiError(
        404,
        "not_found",
        `No run "${
          id.slice(0, 100)
        }": it never existed or has expired; see GET /runs`,
      );
    }
    return record;
  }

  /** Every run kept, newest first. */
  list(): RunRecord[] {
    return [...this.#runs.values()].reverse();
  }

  /**
   * Refuses new runs, aborts the running ones, waits for them to end and
   * forgets every run. Stops every timer.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const record of this.#runs.values()) {
      if (record.summary === undefined) {
        record.handle.abort(
          new DOMException("The server is shutting down", "AbortError"),
        );
      }
    }
    while (this.#settling.size > 0) await Promise.all([...this.#settling]);
    for (const timer of this.#expiry.values()) clearTimeout(timer);
    this.#expiry.clear();
    this.#finishOrder.length = 0;
    this.#runs.clear();
  }

  async #follow(record: RunRecord): Promise<void> {
    for await (const event of record.handle.events) {
      record.events.push(redactEvent(event));
    }
  }

  #finished(record: MutableRecord, summary: RunSummary): void {
    record.summary = redactSummary(summary);
    record.results.finish();
    this.#active--;
    if (this.#closed) return;
    this.#finishOrder.push(record.id);
    while (this.#finishOrder.length > this.#limits.finishedRunsKept) {
      this.#forget(this.#finishOrder[0]!);
    }
    if (this.#runs.has(record.id)) {
      // setTimeout fires at once for delays past 2^31 - 1 ms (~24.8 days).
      const ttl = Math.min(this.#limits.finishedRunTtlMs, MAX_TIMER_MS);
      this.#expiry.set(
        record.id,
        setTimeout(() => this.#forget(record.id), ttl),
      );
    }
  }

  #forget(id: string): void {
    this.#runs.delete(id);
    clearTimeout(this.#expiry.get(id));
    this.#expiry.delete(id);
    const at = this.#finishOrder.indexOf(id);
    if (at !== -1) this.#finishOrder.splice(at, 1);
  }
}

function redactSummary(summary: RunSummary): RunSummary {
  return {
    ...summary,
    ...(summary.error === undefined ? {} : {
      error: {
        name: summary.error.name,
        message: redactPaths(summary.error.message),
      },
    }),
    outputs: {
      ...(summary.outputs.sink === undefined
        ? {}
        : { sink: redactPaths(summary.outputs.sink) }),
      ...(summary.outputs.deadLetter === undefined
        ? {}
        : { deadLetter: redactPaths(summary.outputs.deadLetter) }),
    },
  };
}

/** The event with file paths taken out of its messages. */
function redactEvent(event: RunEvent): RunEvent {
  switch (event.type) {
    case "item-failed":
    case "item-retried":
      return { ...event, error: redactPaths(event.error) };
    case "run-finished":
      return { ...event, summary: redactSummary(event.summary) };
    default:
      return event;
  }
}
