/**
 * The interpreter: `run(workflow)` checks the workflow, wires source,
 * stages and sinks with bounded buffers, and returns a `RunHandle`, the one
 * thing the CLI and the HTTP runner see.
 *
 * @module
 */

import {
  type DeadLetter,
  InvalidRecord,
  type SinkWriter,
  type SourceReader,
} from "../io/types.ts";
import { describeThrown, SourceError } from "../policy/errors.ts";
import type { Failure } from "../pool/types.ts";
import { checkCount, describeValue } from "../units/check.ts";
import { type Duration, parseDuration } from "../units/duration.ts";
import type { AnyWorkflow } from "./define.ts";
import { writableLetters } from "./dead_letters.ts";
import { EventHub, type RunEvent } from "./events.ts";
import { planWorkflow, WorkflowError, type WorkflowPlan } from "./plan.ts";
import {
  Checkpointer,
  checkResumable,
  type DurableOptions,
} from "./checkpointer.ts";
import { executorFor, type StageRun, wireStage } from "./stages.ts";
import { type Executor, isExecutor } from "../executors/types.ts";
import { inRanges } from "./positions.ts";
import { Tracked, valueOf } from "./tracked.ts";
import type { RunStats, RunSummary } from "./stats.ts";
import { errorInfo, rootCause, statusOf } from "./ending.ts";
import type { RunHandle, RunnerOptions, RunOptions } from "./handle.ts";

/** Thrown past the sinks of a durable run stopped before it started. */
const NOT_STARTED: unique symbol = Symbol("not started");

/**
 * Runs a workflow. It is checked first: a wrong workflow throws a
 * `WorkflowError` before anything runs. `done` resolves with a summary
 * whose `status` says how the run ended (it does not reject).
 *
 * @param workflow A workflow made by `defineWorkflow`.
 * @param options Parameters, overrides, a signal.
 * @returns The run's handle.
 * @throws {WorkflowError} If the workflow or an option is wrong.
 *
 * @example Run, watch and summarise
 * ```ts
 * import { collect, defineWorkflow, fromIterable, run } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const failed = collect();
 * const workflow = defineWorkflow({
 *   name: "halve",
 *   source: fromIterable([4, 3, 8]),
 *   pipeline: (rows) =>
 *     rows.map("halve", (n) => {
 *       if (n % 2) throw new Error(`${n} is odd`);
 *       return n / 2;
 *     }),
 *   deadLetter: failed,
 * });
 * const handle = run(workflow);
 * const summary = await handle.done;
 * assertEquals(summary.status, "completed-with-failures");
 * assertEquals([summary.read, summary.written, summary.failed], [3, 2, 1]);
 * assertEquals(failed.items.length, 1);
 * ```
 */
export function run(
  workflow: AnyWorkflow,
  options: RunOptions = {},
): RunHandle {
  return runPlan(planWorkflow(workflow, options), options);
}

/**
 * Runs a plan made by `planWorkflow`, for callers that plan first (to
 * print it, or check it against their own rules) and then run it.
 *
 * @param plan The checked plan.
 * @param options How the run reports, a signal, an id.
 * @returns The run's handle.
 * @throws {WorkflowError} If `progressInterval` is not a duration.
 *
 * @example Plan, inspect, run
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow, runPlan } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const plan = planWorkflow(defineWorkflow({ name: "w", source: fromIterable([1, 2, 3]) }));
 * assertEquals(plan.stages.length, 0);
 * assertEquals((await runPlan(plan).done).read, 3);
 * ```
 */
export function runPlan(
  plan: WorkflowPlan,
  options: RunnerOptions = {},
): RunHandle {
  let intervalMs: number;
  try {
    intervalMs = parseDuration(
      options.progressInterval ?? 1000,
      "progressInterval",
    );
  } catch (error) {
    throw new WorkflowError("progressInterval", (error as Error).message, {
      file: plan.file,
      cause: error,
    });
  }
  checkExecutors(plan, options.executor);
  return new WorkflowRun(
    plan,
    options.runId ?? crypto.randomUUID(),
    intervalMs,
    options.signal,
    options.durable,
    options.abandonAfter,
    options.executor,
  );
}

/** The run's executor and every stage's own must be executors. */
function checkExecutors(plan: WorkflowPlan, executor: unknown): void {
  const check = (path: string, value: unknown) => {
    if (value === undefined || isExecutor(value)) return;
    throw new WorkflowError(
      path,
      `Invalid ${path}: expected an executor such as inProcess() or workerThreads(), got ${
        describeValue(value)
      }`,
      { file: plan.file },
    );
  };
  check("executor", executor);
  for (const stage of plan.stages) {
    check(
      `pipeline stage "${stage.spec.name}": executor`,
      (stage.spec.options as { executor?: unknown }).executor,
    );
  }
}

class WorkflowRun implements RunHandle {
  readonly id: string;
  readonly plan: WorkflowPlan;
  readonly done: Promise<RunSummary>;
  readonly #hub: EventHub;
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #intervalMs: number;
  readonly #startedAt = Date.now();
  #finishedAt: number | undefined;
  #stages: StageRun[] = [];
  #reader: SourceReader<unknown> | undefined;
  #read = 0;
  #position = 0;
  #skipBelow = 0;
  #doneAbove: readonly number[] = [];
  #skipped = 0;
  #invalid = 0;
  #sourceComplete = false;
  #resumedRunId: string | undefined;
  #doneKeys: ReadonlySet<string> | undefined;
  readonly #checkpointer: Checkpointer | undefined;
  readonly #abandonAfter: Duration | undefined;
  readonly #executor: Executor | undefined;
  #written = 0;
  #deadLetters = 0;
  #stopping = false;
  #sourceExhausted = false;
  #aborted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadLetterWriter: SinkWriter<DeadLetter> | undefined;
  // Dead letters come from every stage at once; writes are kept in order.
  #deadLetterChain: Promise<void> = Promise.resolve();

  constructor(
    plan: WorkflowPlan,
    id: string,
    intervalMs: number,
    outer: AbortSignal | undefined,
    durable: DurableOptions | undefined,
    abandonAfter: Duration | undefined,
    executor: Executor | undefined,
  ) {
    this.plan = plan;
    this.#executor = executor;
    this.id = id;
    this.#abandonAfter = abandonAfter;
    this.#checkpointer = durable ? new Checkpointer(plan, durable) : undefined;
    this.#intervalMs = intervalMs;
    this.#outer = outer;
    this.#hub = new EventHub(1024, () => this.#startTicker());
    // Wired now, so resize() works at once; nothing is read until iterated.
    let output: AsyncIterable<unknown> | undefined;
    let wiringError: unknown;
    try {
      output = this.#wire();
    } catch (error) {
      wiringError = error;
    }
    this.done = this.#execute(output, wiringError);
  }

  get events(): AsyncIterable<RunEvent> {
    return this.#hub;
  }

  stats(): RunStats {
    const now = Date.now();
    return {
      runId: this.id,
      workflow: this.plan.name,
      state: this.#finishedAt !== undefined
        ? "finished"
        : this.#stopping || this.#aborted
        ? "stopping"
        : "running",
      startedAt: this.#startedAt,
      elapsedMs: (this.#finishedAt ?? now) - this.#startedAt,
      read: this.#read,
      invalid: this.#invalid,
      progress: this.#reader?.progress() ??
        { done: 0, total: undefined, unit: "items" },
      stages: this.#stages.map((s) => s.counters.snapshot(now)),
      written: this.#written,
      deadLetters: this.#deadLetters,
    };
  }

  resize(stage: string, concurrency: number): void {
    const found = this.#stages.find((s) => s.counters.name === stage);
    if (!found) {
      throw new RangeError(
        `Unknown stage "${stage}": the stages are ${
          this.plan.stages.map((s) => `"${s.spec.name}"`).join(", ") || "none"
        }`,
      );
    }
    if (!found.execution) {
      throw new RangeError(
        `Stage "${stage}" is a batch: it has no concurrency`,
      );
    }
    const from = found.execution.stats().concurrency;
    found.execution.resize(
      checkCount(concurrency, `concurrency of stage "${stage}"`, { min: 0 }),
    );
    this.#hub.publish({ type: "stage-resized", stage, from, to: concurrency });
  }

  stop(): void {
    this.#stopping = true;
  }

  abort(reason?: unknown): void {
    if (this.#controller.signal.aborted || this.#finishedAt !== undefined) {
      return;
    }
    this.#aborted = true;
    this.#controller.abort(
      reason ?? new DOMException("The run was aborted", "AbortError"),
    );
  }

  #wire(): AsyncIterable<unknown> {
    const signal = this.#controller.signal;
    this.#reader = this.plan.source.open({ signal });
    let stream: AsyncIterable<unknown> = this.#sourceItems(this.#reader);
    for (const stage of this.plan.stages) {
      const wired = wireStage(
        stage,
        stream,
        {
          signal,
          abandonAfter: this.#abandonAfter,
          failed: (name, outcome) => this.#failed(name, outcome),
          // Not abort(): the run failed, it was not aborted.
          fatal: (cause) => this.#controller.abort(cause),
          retried: (name, index, attempt, cause, delayMs) => {
            if (!this.#hub.listening) return;
            this.#hub.publish({
              type: "item-retried",
              stage: name,
              index,
              attempt,
              error: describeThrown(cause),
              delayMs,
            });
          },
        },
        this.#checkpointer?.ledger,
        executorFor(stage, this.#executor),
      );
      this.#stages.push(wired);
      stream = wired.output;
    }
    return stream;
  }

  async #execute(
    output: AsyncIterable<unknown> | undefined,
    wiringError: unknown,
  ): Promise<RunSummary> {
    // Let the caller subscribe to events before the first one.
    await Promise.resolve();
    const onOuterAbort = () => this.abort(this.#outer!.reason);
    if (this.#outer?.aborted) onOuterAbort();
    else this.#outer?.addEventListener("abort", onOuterAbort, { once: true });
    this.#hub.publish({
      type: "run-started",
      runId: this.id,
      workflow: this.plan.name,
      stages: this.plan.stages.map((s) => s.spec.name),
      at: this.#startedAt,
    });
    const signal = this.#controller.signal;
    const checkpointer = this.#checkpointer;
    let error: unknown = wiringError;
    let sink: SinkWriter<unknown> | undefined;
    let finished = false;
    try {
      if (output === undefined) throw wiringError;
      const start = await checkpointer?.begin(this.id);
      if (start) {
        this.#skipBelow = start.skipBelow;
        this.#doneAbove = start.doneAbove;
        this.#doneKeys = start.doneKeys;
        if (start.runId !== this.id) this.#resumedRunId = start.runId;
        // Stopped before it started (as by Ctrl-C at the CLI's notice):
        // nothing recorded, no output opened.
        signal.throwIfAborted();
        if (this.#stopping) throw NOT_STARTED;
        await checkpointer!.takeOver();
      }
      // A missing input must not cost an existing output: look first (a
      // durable run has, for its fingerprint).
      if (!checkpointer) await this.plan.source.fingerprint?.();
      sink = await this.plan.sink?.open({ signal, resume: start?.sinks.sink });
      this.#deadLetterWriter = writableLetters(
        await this.plan.deadLetter?.open({
          signal,
          resume: start?.sinks.deadLetter,
        }),
      );
      if (checkpointer) {
        checkResumable("sink", this.plan.sink?.location, sink);
        checkResumable(
          "dead-letter sink",
          this.plan.deadLetter?.location,
          this.#deadLetterWriter,
        );
        await this.#writeDurably(output, sink, checkpointer);
        finished = this.#sourceComplete;
      } else {
        let index = 0;
        for await (const item of output) {
          if (await this.#write(sink, item, index++, undefined)) {
            this.#written++;
          }
        }
      }
    } catch (caught) {
      if (caught !== NOT_STARTED) error ??= caught;
    }
    // Sinks are closed on every ending, so what was written is kept. A
    // failed dead-letter write must not keep either from closing.
    try {
      await this.#deadLetterChain;
    } catch (caught) {
      error ??= caught;
    }
    const writers: (SinkWriter<never> | undefined)[] = [
      sink,
      this.#deadLetterWriter,
    ];
    for (const writer of writers) {
      try {
        // An unfinished durable run keeps its outputs open for resuming.
        if (checkpointer && !finished && writer?.suspend) {
          await writer.suspend();
        } else await writer?.close();
      } catch (caught) {
        error ??= caught;
      }
    }
    checkpointer?.close();
    // Stage functions that hold resources (worker threads) release them.
    for (const stage of this.plan.stages) {
      const dispose = (stage.spec.fn as Partial<AsyncDisposable> | undefined)
        ?.[Symbol.asyncDispose];
      if (typeof dispose !== "function") continue;
      try {
        await dispose.call(stage.spec.fn);
      } catch (caught) {
        error ??= caught;
      }
    }
    this.#outer?.removeEventListener("abort", onOuterAbort);
    return this.#finish(error);
  }

  /**
   * The sink loop of a durable run: outputs arrive in any order, each
   * write tells the ledger, and a checkpoint falls between two writes when
   * one is due and exact (see checkpointer.ts). Any ending but a broken
   * sink commits what is done, so a resumed run redoes nothing finished
   * and a failed run's dead letters are written as a run without
   * checkpoints writes them.
   */
  async #writeDurably(
    output: AsyncIterable<unknown>,
    sink: SinkWriter<unknown> | undefined,
    checkpointer: Checkpointer,
  ): Promise<void> {
    const writers = {
      sink: sink as SinkWriter<never> | undefined,
      deadLetter: this.#deadLetterWriter,
    };
    const ledger = checkpointer.ledger;
    let committedWritten = 0;
    // At most one commit at a time; while it syncs, the loop goes on.
    let committing: Promise<void> | undefined;
    let commitError: { error: unknown } | undefined;
    const commit = (status: "running" | "finished"): Promise<void> => {
      // Snapshots: stages keep failing items while the commit awaits.
      const written = this.#written;
      const saved = checkpointer.commit(
        status,
        writers,
        written - committedWritten,
      );
      committedWritten = written;
      return saved;
    };
    const settle = async (): Promise<void> => {
      await committing;
      if (commitError) throw commitError.error;
    };
    let sinkBroken = false;
    try {
      for await (const item of output) {
        if (commitError) throw commitError.error;
        const tracked = item as Tracked;
        let wrote: boolean;
        try {
          wrote = await this.#write(
            sink,
            tracked.value,
            this.#written,
            tracked,
          );
        } catch (error) {
          sinkBroken = true;
          throw error;
        }
        ledger.wrote(tracked);
        if (wrote) {
          checkpointer.wrote();
          this.#written++;
        }
        if (checkpointer.due() && checkpointer.canCommit()) {
          // The one before still syncing: wait for it, so no more than
          // `every` items go between two checkpoints.
          if (committing !== undefined) {
            await settle();
            if (!checkpointer.canCommit()) continue;
          }
          committing = commit("running").then(
            () => {
              committing = undefined;
            },
            (error) => {
              commitError = { error };
              committing = undefined;
            },
          );
        }
      }
      await settle();
    } catch (error) {
      await committing;
      if (!sinkBroken && !commitError && checkpointer.canCommit()) {
        // The ending's own error is what the run reports.
        await this.#deadLetterChain.catch(() => {});
        await commit("running").catch(() => {});
      }
      throw error;
    }
    // Every position read is done: written, filtered out or failed.
    const finished = this.#sourceComplete && ledger.settled;
    await commit(finished ? "finished" : "running");
  }

  /**
   * Writes one item; says whether it was written. A sink that cannot hold
   * an item (an item with no JSON form, a CSV row of the wrong shape)
   * throws a `TypeError` from `write`: that item fails, under the workflow's
   * policy, and the run goes on. Other errors (a full disk) fail the run.
   */
  async #write(
    sink: SinkWriter<unknown> | undefined,
    item: unknown,
    index: number,
    tracked: Tracked | undefined,
  ): Promise<boolean> {
    if (!sink) return true;
    let pending: void | Promise<void>;
    try {
      pending = sink.write(item);
    } catch (error) {
      if (!(error instanceof TypeError) || this.plan.policy.failFast) {
        throw error;
      }
      this.#deadLetters++;
      const message = describeThrown(error);
      this.#publishFailure("sink", index, message, 1);
      await this.#sendDeadLetter(tracked, {
        stage: "sink",
        input: item,
        error: message,
        attempts: 1,
      });
      return false;
    }
    if (pending) await pending;
    return true;
  }

  /** Source items, counted, limited, stoppable; invalid records become failures. */
  async *#sourceItems(
    reader: SourceReader<unknown>,
  ): AsyncGenerator<unknown, void, undefined> {
    const limit = this.plan.limit ?? Infinity;
    const checkpointer = this.#checkpointer;
    const ledger = checkpointer?.ledger;
    const signal = this.#controller.signal;
    const doneAbove = this.#doneAbove;
    const cursor = { at: 0 };
    // A durable workflow with an item key records keys, and a resumed one
    // skips by key (valid items) rather than by position.
    const keyOf = checkpointer ? this.plan.key : undefined;
    if (this.#stopping || limit === 0) return;
    for await (const item of reader) {
      // A durable run reads at most a window above its oldest unfinished
      // position, so its checkpoints stay small.
      if (ledger && !ledger.hasRoom) {
        await ledger.room(signal);
        if (signal.aborted) return;
      }
      const position = this.#position++;
      ledger?.open();
      const invalid = item instanceof InvalidRecord;
      let key: string | undefined;
      let keyError: unknown;
      if (keyOf && !invalid) {
        try {
          key = String(keyOf(item));
        } catch (error) {
          keyError = error;
        }
      }
      const done = key !== undefined && this.#doneKeys
        ? this.#doneKeys.has(key)
        : position < this.#skipBelow || inRanges(doneAbove, cursor, position);
      if (done) {
        this.#skipped++;
        ledger?.drop(position);
      } else {
        this.#read++;
        if (invalid) {
          this.#invalid++;
          await this.#sourceFailure(
            position,
            item.message,
            item.text,
            item.line,
          );
          ledger?.drop(position);
        } else if (keyError !== undefined) {
          await this.#sourceFailure(
            position,
            `Cannot take the key of item ${position}: ${
              describeThrown(keyError)
            }`,
            item,
          );
          ledger?.drop(position);
        } else {
          if (key !== undefined) checkpointer!.noteKey(position, key);
          yield checkpointer ? new Tracked(position, item) : item;
        }
      }
      if (this.#position >= limit) {
        this.#sourceComplete = true;
        return;
      }
      if (this.#stopping) return;
    }
    this.#sourceExhausted = true;
    this.#sourceComplete = true;
  }

  /** A source item that cannot go on: a failure at stage "source". */
  async #sourceFailure(
    position: number,
    message: string,
    input: unknown,
    line?: number,
  ): Promise<void> {
    // It is under the first stage's policy (or the workflow's).
    const failFast = (this.plan.stages[0]?.policy ?? this.plan.policy).failFast;
    if (failFast) {
      throw new SourceError(position, new Error(message));
    }
    this.#deadLetters++;
    this.#publishFailure("source", position, message, 1);
    await this.#sendDeadLetter(position, {
      stage: "source",
      input,
      error: message,
      attempts: 1,
      ...(line === undefined ? {} : { line }),
    });
  }

  async #failed(stage: string, outcome: Failure<unknown>): Promise<void> {
    this.#deadLetters++;
    const message = describeThrown(outcome.error.cause);
    this.#publishFailure(stage, outcome.index, message, outcome.attempts);
    const tracked = outcome.input instanceof Tracked
      ? outcome.input
      : undefined;
    await this.#sendDeadLetter(tracked, {
      stage,
      input: valueOf(outcome.input),
      error: message,
      attempts: outcome.attempts,
    });
    // Its letter is held: that item is done.
    if (tracked) this.#checkpointer?.ledger.release(tracked);
  }

  #publishFailure(
    stage: string,
    index: number,
    error: string,
    attempts: number,
  ): void {
    if (!this.#hub.listening) return;
    this.#hub.publish({ type: "item-failed", stage, index, error, attempts });
  }

  #sendDeadLetter(
    at: Tracked | number | undefined,
    letter: DeadLetter,
  ): Promise<void> {
    // A durable run writes it with the checkpoint that records it done.
    if (this.#checkpointer && at !== undefined) {
      this.#checkpointer.hold(at, letter);
      return Promise.resolve();
    }
    const writer = this.#deadLetterWriter;
    if (!writer) return Promise.resolve();
    this.#deadLetterChain = this.#deadLetterChain.then(() =>
      writer.write(letter)
    );
    return this.#deadLetterChain;
  }

  // A chain of timeouts rather than an interval: Deno's test sanitizer
  // misreports the first interval of a process as leaked.
  #startTicker(): void {
    if (this.#timer !== undefined || this.#finishedAt !== undefined) return;
    this.#timer = setTimeout(this.#tick, this.#intervalMs);
  }

  #tick = (): void => {
    this.#timer = undefined;
    // Progress costs nothing once nobody listens.
    if (!this.#hub.listening || this.#finishedAt !== undefined) return;
    this.#hub.publish({ type: "progress", stats: this.stats() });
    this.#startTicker();
  };

  #stopTicker(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #finish(thrown: unknown): RunSummary {
    this.#finishedAt = Date.now();
    const error = rootCause(thrown);
    this.#stopTicker();
    const stats = this.stats();
    const failed = this.#deadLetters;
    const status = statusOf({
      error,
      aborted: this.#aborted,
      stoppedEarly: this.#stopping && !this.#sourceExhausted,
      // A resumed run also answers for the failures of its earlier attempts.
      failed: failed + (this.#checkpointer?.failedSoFar ?? 0),
    });
    const wallMs = this.#finishedAt - this.#startedAt;
    const summary: RunSummary = {
      runId: this.id,
      workflow: this.plan.name,
      status,
      ...(error === undefined ? {} : { error: errorInfo(error) }),
      startedAt: this.#startedAt,
      finishedAt: this.#finishedAt,
      wallMs,
      read: this.#read,
      written: this.#written,
      failed,
      retried: stats.stages.reduce((sum, s) => sum + s.retried, 0),
      throughput: wallMs > 0 ? (this.#read * 1000) / wallMs : 0,
      stages: stats.stages,
      ...(this.#resumedRunId === undefined
        ? {}
        : { resumed: { runId: this.#resumedRunId, skipped: this.#skipped } }),
      outputs: {
        ...(this.plan.sink ? { sink: this.plan.sink.location } : {}),
        ...(this.plan.deadLetter
          ? { deadLetter: this.plan.deadLetter.location }
          : {}),
      },
    };
    this.#hub.publish({ type: "run-finished", summary });
    return summary;
  }
}
