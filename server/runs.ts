/**
 * {@linkcode RunRegistry}: the server's runs. It starts registered
 * workflows (with a cap on runs going at once), follows each run's events
 * into its {@linkcode EventLog} and its outcomes into a
 * {@linkcode ResultBuffer}, and forgets finished runs after a bounded count
 * and time, so memory does not grow with uptime.
 *
 * @module
 */

import type { CheckpointStore } from "../lib/durable/store.ts";
import type { Source } from "../lib/io/types.ts";
import type { AnyWorkflow } from "../lib/workflow/define.ts";
import { PathParamError } from "../lib/workflow/errors.ts";
import type { RunEvent } from "../lib/workflow/events.ts";
import {
  planWorkflow,
  WorkflowError,
  type WorkflowPlan,
} from "../lib/workflow/plan.ts";
import type { RunWatcher } from "../lib/telemetry/prepared.ts";
import type { RunHandle } from "../lib/workflow/handle.ts";
import { runPlan } from "../lib/workflow/run.ts";
import type { RunSummary } from "../lib/workflow/stats.ts";
import { sha256Hex } from "../lib/units/sha256.ts";
import { unresumableOutput } from "../host/resume.ts";
import { ApiError, redactPaths } from "./errors.ts";
import { EventLog } from "./event_log.ts";
import type { ResolvedLimits } from "./limits.ts";
import type { ParamValue } from "./requests.ts";
import { ResultBuffer } from "./results.ts";
import {
  checkResumeBeforeStart,
  isRefusedResume,
  resumeMessage,
  scopeOf,
  SINKS_THAT_RESUME,
} from "./resume.ts";
import { RunPageData } from "./run_page_data.ts";
import { workflowFolder } from "./workflows.ts";

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
  /** Whether it keeps checkpoints, so that it can be resumed. */
  readonly durable: boolean;
  /** The run itself. */
  readonly handle: RunHandle;
  /** Its events, numbered, with a replay buffer. */
  readonly events: EventLog;
  /** Its kept outcomes. */
  readonly results: ResultBuffer;
  /** Its throughput over time and task latencies, for the run page. */
  readonly page: RunPageData;
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
  /**
   * The rows of an inline or CSV `source`: a durable run fingerprints
   * them, so that resuming over other rows is refused.
   */
  readonly rows?: readonly unknown[] | undefined;
  /** Continue the latest unfinished durable run of the same workflow and outputs. */
  readonly resume?: boolean;
  /** With `resume`: resume even if the workflow or its input changed. */
  readonly force?: boolean;
  /** Something that changes with the workflow's code, such as its file's hash. */
  readonly fingerprint?: string | undefined;
}

/** Options of {@linkcode RunRegistry}. */
export interface RunRegistryOptions {
  /** The server's limits. */
  readonly limits: ResolvedLimits;
  /** Milliseconds between progress events. */
  readonly progressIntervalMs: number;
  /**
   * Where durable runs keep their checkpoints. Without it no run is
   * durable and `resume` is refused. The registry does not close it.
   */
  readonly checkpoints?: CheckpointStore | undefined;
  /** Watches every run (totals for `/metrics`, OpenTelemetry). */
  readonly watcher?: RunWatcher | undefined;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

interface MutableRecord extends RunRecord {
  summary: RunSummary | undefined;
  /** The outputs a durable run writes to, while it goes. */
  readonly scope: string | undefined;
  /** A resume not yet past its checkpoint: a refusal is not kept. */
  starting: boolean;
}

/** A workflow's refusal of the request as a 400 naming the field. */
function asApiError(error: unknown): unknown {
  // A refused path's message holds only the request's own value and the
  // declared root: redacting would garble the value it quotes.
  if (error instanceof PathParamError) {
    return new ApiError(400, "bad_request", error.message, {
      field: error.path,
      reason: error.code,
      cause: error,
    });
  }
  if (error instanceof WorkflowError) {
    return new ApiError(400, "bad_request", redactPaths(error.message), {
      field: error.path,
      cause: error,
    });
  }
  return error;
}

/**
 * An inline or CSV source, with a fingerprint of its rows: a resume over
 * other rows is refused rather than skipping the wrong items.
 */
function fingerprinted(
  source: Source<unknown>,
  rows: readonly unknown[],
): Source<unknown> {
  return {
    kind: source.kind,
    location: source.location,
    open: (context) => source.open(context),
    fingerprint: () => sha256Hex(JSON.stringify(rows), 16),
  };
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
  readonly #checkpoints: CheckpointStore | undefined;
  readonly #watcher: RunWatcher | undefined;
  #active = 0;
  #closed = false;
  /** Ends a graceful close's wait at once. */
  #cutGrace: (() => void) | undefined;

  /**
   * Creates an empty registry.
   *
   * @param options Limits, the progress interval, the checkpoint store.
   */
  constructor(options: RunRegistryOptions) {
    this.#limits = options.limits;
    this.#progressIntervalMs = options.progressIntervalMs;
    this.#checkpoints = options.checkpoints;
    this.#watcher = options.watcher;
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
   * Starts a run: durably when the registry keeps checkpoints and the
   * run's outputs can resume (files, or none). A resume answers only once
   * the run has found its checkpoint, so that a refusal is the answer.
   *
   * @param request The workflow, its parameters and input, and whether to
   * resume.
   * @returns The run's record.
   * @throws {ApiError} 503 if the registry is closed, 429 if too many runs
   * are going, 400 if the parameters or concurrency do not fit the
   * workflow or it cannot resume, 409 if a run writing to the same
   * outputs is going or there is nothing to resume (`ResumeError`).
   */
  async start(request: StartRequest): Promise<RunRecord> {
    // Whatever is wrong with the request is said before the limits are
    // applied: a 429 tells the client to retry, which a bad request must not.
    this.#refuseIfClosed();
    const resume = request.resume === true;
    const store = this.#checkpoints;
    if (resume && store === undefined) {
      throw new ApiError(
        400,
        "bad_request",
        "Cannot resume: this server keeps no checkpoints, so its runs are not durable; start it with --checkpoints <file> (or POOLFLOW_CHECKPOINTS)",
        { field: "resume" },
      );
    }
    const plan = this.#plan(request);
    let scope = store === undefined
      ? undefined
      : this.#durableScope(plan, request.name, resume);
    if (resume && store !== undefined) {
      await checkResumeBeforeStart(store, plan, request.name);
      this.#refuseIfClosed();
      // Another run may have taken these outputs meanwhile.
      scope = this.#durableScope(plan, request.name, resume);
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
    let page: RunPageData;
    try {
      page = new RunPageData(Date.now(), plan.stages.map((s) => s.spec.name), {
        seriesBucketMs: Math.max(100, this.#progressIntervalMs),
      });
      const prepared = this.#watcher?.prepare(plan, page.onTask);
      const watched = prepared?.plan ?? plan;
      handle = runPlan({
        ...watched,
        sink: results.tee(plan.sink),
        deadLetter: results.teeDeadLetters(plan.deadLetter),
      }, {
        progressInterval: this.#progressIntervalMs,
        // A cancelled run must end (and free its slot) even if a task
        // ignores its signal.
        abandonAfter: CANCEL_GRACE_MS,
        ...(scope === undefined || store === undefined ? {} : {
          durable: {
            store,
            resume,
            force: request.force === true,
            ...(request.fingerprint === undefined
              ? {}
              : { workflowFingerprint: request.fingerprint }),
          },
        }),
      });
      prepared?.attach(handle);
    } catch (error) {
      throw asApiError(error);
    }
    const record: MutableRecord = {
      id: handle.id,
      workflow: request.name,
      params: request.params,
      input: request.input,
      createdAt: Date.now(),
      durable: scope !== undefined,
      handle,
      events: new EventLog(this.#limits.replayEvents),
      results,
      page,
      summary: undefined,
      scope,
      starting: resume,
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
    // Before #finished can see the run end.
    results.opened.then(() => {
      record.starting = false;
    });
    if (resume) {
      // The run opens its sinks once it has found its checkpoint; before
      // that, it ends only if it cannot resume.
      const ended = await Promise.race([
        results.opened.then(() => undefined),
        handle.done,
      ]);
      if (isRefusedResume(ended?.error)) {
        await settled;
        throw new ApiError(
          409,
          "conflict",
          resumeMessage(ended.error),
          {
            field: "resume",
          },
        );
      }
    }
    return record;
  }

  #refuseIfClosed(): void {
    if (this.#closed) {
      throw new ApiError(503, "unavailable", "The server is shutting down");
    }
  }

  /**
   * The run's plan: its parameters (paths confined to their roots),
   * concurrency and input checked against the workflow.
   *
   * @throws {ApiError} 400 naming what does not fit.
   */
  #plan(request: StartRequest): WorkflowPlan {
    try {
      const folder = workflowFolder(request.workflow);
      return planWorkflow(request.workflow, {
        params: request.params,
        ...(folder === undefined ? {} : { folder }),
        ...(request.concurrency === undefined
          ? {}
          : { concurrency: request.concurrency }),
        ...(request.source === undefined ? {} : {
          source: request.rows === undefined
            ? request.source
            : fingerprinted(request.source, request.rows),
        }),
      });
    } catch (error) {
      throw asApiError(error);
    }
  }

  /**
   * Whether a run of `plan` is durable (its scope) or not (`undefined`).
   *
   * @throws {ApiError} 400 if a resume is asked of outputs that cannot
   * resume; 409 if a durable run writing to the same outputs is going.
   */
  #durableScope(
    plan: WorkflowPlan,
    name: string,
    resume: boolean,
  ): string | undefined {
    const unresumable = unresumableOutput(plan);
    if (unresumable !== undefined) {
      if (!resume) return undefined;
      const { role, sink } = unresumable;
      throw new ApiError(
        400,
        "bad_request",
        `Cannot resume workflow "${name}": its ${role} "${
          redactPaths(sink.location)
        }" (${sink.kind}) cannot resume; ${SINKS_THAT_RESUME}`,
        { field: "resume" },
      );
    }
    const scope = scopeOf(plan);
    const hasFile = plan.sink !== undefined || plan.deadLetter !== undefined;
    for (const other of this.#runs.values()) {
      if (other.summary !== undefined || other.scope !== scope) continue;
      // Two runs must not write to one file; a resume must not continue
      // a run that is still going.
      if (!resume && !hasFile) continue;
      throw new ApiError(
        409,
        "conflict",
        `Run "${other.id}" of workflow "${name}" is going${
          hasFile ? " and writes to the same outputs" : ""
        }: wait for it to end, or cancel it, before ${
          resume ? "resuming" : "starting another"
        }`,
        { field: resume ? "resume" : "workflow" },
      );
    }
    return scope;
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
   * Refuses new runs and ends the running ones: with a grace period, it
   * first stops them gracefully (no new items; items in flight finish,
   * durable runs commit a checkpoint and keep their outputs to resume)
   * and aborts those still going when it is over; without one, it aborts
   * them at once. Then it waits for them to end, forgets every run and
   * stops every timer. Calling it again cuts a grace period short.
   *
   * @param graceMs How long running runs get to stop gracefully, in ms.
   */
  async close(graceMs = 0): Promise<void> {
    if (this.#closed) {
      // Already closing: no more grace.
      this.#cutGrace?.();
      this.#abortAll();
    }
    this.#closed = true;
    const going = [...this.#runs.values()].filter((record) =>
      record.summary === undefined
    );
    if (graceMs > 0 && going.length > 0) {
      for (const record of going) record.handle.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const over = new Promise<void>((resolve) => {
        this.#cutGrace = resolve;
        timer = setTimeout(resolve, Math.min(graceMs, MAX_TIMER_MS));
      });
      await Promise.race([
        over,
        Promise.all(going.map((record) => record.handle.done)),
      ]);
      clearTimeout(timer);
      this.#cutGrace = undefined;
    }
    this.#abortAll();
    while (this.#settling.size > 0) await Promise.all([...this.#settling]);
    for (const timer of this.#expiry.values()) clearTimeout(timer);
    this.#expiry.clear();
    this.#finishOrder.length = 0;
    this.#runs.clear();
  }

  #abortAll(): void {
    for (const record of this.#runs.values()) {
      if (record.summary === undefined) {
        record.handle.abort(
          new DOMException("The server is shutting down", "AbortError"),
        );
      }
    }
  }

  async #follow(record: RunRecord): Promise<void> {
    for await (const event of record.handle.events) {
      // Progress events come a few a second: the series costs nothing per item.
      if (event.type === "progress") {
        record.page.sample(Date.now(), event.stats);
      }
      record.events.push(redactEvent(event));
    }
  }

  #finished(record: MutableRecord, summary: RunSummary): void {
    record.summary = redactSummary(summary);
    record.page.sample(summary.finishedAt, {
      written: summary.written,
      deadLetters: summary.failed,
    });
    record.results.finish();
    this.#active--;
    // A refused resume is answered with a 409, not kept as a run.
    if (record.starting && isRefusedResume(summary.error)) {
      this.#runs.delete(record.id);
      return;
    }
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
        ...summary.error,
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
