/**
 * Runs a loaded workflow as the command line asks: plan it with the flags'
 * overrides, print the plan (`--dry-run`) or run it (durably when its
 * outputs allow) with a progress display or JSON events, handle Ctrl-C and
 * SIGTERM, print the summary and pick the exit code.
 *
 * @module
 */

import {
  type DurableStartInfo,
  type PlanOptions,
  planWorkflow,
  type RunHandle,
  runPlan,
  type RunSummary,
  type WorkflowPlan,
} from "../mod.ts";
import { otelFromEnv } from "../lib/telemetry/env.ts";
import type { RunWatcher } from "../lib/telemetry/prepared.ts";
import type { CliArgs } from "./args.ts";
import { describePlan, formatPlan } from "./dry_run.ts";
import { distributedExecutor, redisUrlOf } from "./distributed.ts";
import { durableFor, isRefusedResume, resumeMessage } from "./durable.ts";
import { UsageError } from "./errors.ts";
import { ExitCode, exitCodeFor } from "./exit_codes.ts";
import { writeJsonEvents } from "./json_events.ts";
import type { LoadedWorkflow } from "../host/load.ts";
import { sinkForOut } from "./out.ts";
import {
  PlainProgress,
  type ProgressDisplay,
  TtyProgress,
} from "./progress.ts";
import { type StartupWatch, watchInterrupts } from "./signals.ts";
import { formatCount } from "./format.ts";
import { formatSummary } from "./summary.ts";
import {
  stderrIsTerminal,
  terminalColumns,
  writeStderr,
  writeStdout,
} from "./terminal.ts";

/** How often a display gets progress: often on a terminal, rarely in logs. */
const PROGRESS_INTERVAL = {
  tty: "200ms",
  plain: "2s",
  json: "1s",
} as const;

/**
 * The run's overrides from the command line.
 *
 * @param args The parsed command line.
 * @param file The workflow file, named in errors.
 * @returns Options for `planWorkflow` and `run`.
 * @throws {UsageError} If `--out` has no known format.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "./args.ts";
 * import { planOptionsFrom } from "./execute.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const options = planOptionsFrom(parseCliArgs(["etl.ts", "--limit", "5", "--fail-fast"]), "etl.ts");
 * assertEquals(options, { file: "etl.ts", params: {}, onError: "fail-fast", limit: 5 });
 * ```
 */
export function planOptionsFrom(args: CliArgs, file: string): PlanOptions {
  return {
    file,
    params: args.params,
    ...(args.concurrency === undefined
      ? {}
      : { concurrency: args.concurrency }),
    ...(args.onError === undefined ? {} : { onError: args.onError }),
    ...(args.limit === undefined ? {} : { limit: args.limit }),
    ...(args.out === undefined ? {} : { sink: sinkForOut(args.out) }),
  };
}

/**
 * Plans and runs (or with `--dry-run`, prints) a workflow.
 *
 * @param loaded The workflow file and its workflow.
 * @param args The parsed command line.
 * @param startup The signal watch since the start, disposed of once the
 * run's own is on.
 * @returns The exit code.
 * @throws {InterruptedError} If a signal came before the run started.
 * @throws {WorkflowError} If the workflow or a flag's value is wrong.
 * @throws {UsageError} If flags conflict with the workflow, or `--resume`
 * is given for outputs that cannot resume.
 */
export async function executeWorkflow(
  loaded: LoadedWorkflow,
  args: CliArgs,
  startup?: StartupWatch,
): Promise<ExitCode> {
  const { workflow, file } = loaded;
  // Path params' roots are relative to the workflow file's folder.
  const options = {
    ...planOptionsFrom(args, file),
    folder: new URL(".", loaded.url),
  };
  // Planning first reports a wrong workflow before anything runs.
  const plan = planWorkflow(workflow, options);
  if (args.dryRun) {
    const description = describePlan(plan, workflow.params);
    await writeStdout(
      args.json
        ? `${JSON.stringify(description, (_, v) => v ?? null, 2)}\n`
        : formatPlan(description),
    );
    return ExitCode.Ok;
  }
  if (args.json && plan.sink?.location === "-") {
    throw new UsageError(
      `--json writes events to stdout, and so does the sink of ${file}: give --out a file`,
    );
  }

  const durable = await durableFor(plan, args, loaded.url);

  // Redrawing in place would garble results printed to the same terminal.
  const redraw = stderrIsTerminal() &&
    !(plan.sink?.location === "-" && Deno.stdout.isTerminal());
  const mode = args.json ? "json" : redraw ? "tty" : "plain";
  const display: ProgressDisplay | undefined = args.quiet || args.json
    ? undefined
    : mode === "tty"
    ? new TtyProgress({
      write: writeStderr,
      columns: terminalColumns,
      limit: plan.limit,
    })
    : new PlainProgress({ write: writeStderr, limit: plan.limit });
  startup?.throwIfInterrupted();
  // Ends the pause before starting over once a signal comes.
  const interrupted = new AbortController();
  const announce = (line: string): void => {
    if (!args.quiet) writeStderr(`${line}\n`);
  };
  const prepared = (await otelFor(args))?.prepare(plan);
  const redis = redisUrlOf(args.redis);
  // Loaded only for --redis: a local run never loads bullmq.
  const executor = redis === undefined
    ? undefined
    : await distributedExecutor(plan, loaded, redis);
  const handle = runPlan(prepared?.plan ?? plan, {
    progressInterval: PROGRESS_INTERVAL[mode],
    ...(executor ? { executor } : {}),
    ...(durable
      ? {
        durable: {
          ...durable.options,
          onStart: (start: DurableStartInfo) =>
            announceStart(start, {
              announce: mode === "plain" && display ? announce : () => {},
              warn: announce,
              name: plan.name,
              file,
              checkpoint: durable.path,
              restart: args.restart,
              signal: interrupted.signal,
            }),
        },
      }
      : {}),
  });
  prepared?.attach(handle);
  // Listen now: the first event comes after this turn.
  const watching = watchEvents(handle, display, args.json);
  // Awaited after the run; marked handled so an early failure is not fatal.
  watching.catch(() => {});
  const notify = (message: string): void => {
    if (display) display.log(message);
    else if (!args.quiet) writeStderr(`${message}\n`);
  };
  using interrupts = watchInterrupts({
    stop: () => {
      interrupted.abort();
      handle.stop();
    },
    abort: (reason?: unknown) => {
      interrupted.abort();
      handle.abort(reason);
    },
  }, {
    graceMs: args.graceMs,
    notify,
    // Items in flight ignore the abort, so `done` never comes: tell what is known.
    exit: (code) => {
      if (!args.quiet) {
        writeStderr(
          `\n${
            formatSummary(abandonedSummary(handle, plan), {
              file,
              exitCode: code,
              interrupted: true,
              signal: interrupts.signal,
              checkpoint: durable?.path,
            })
          }`,
        );
      }
      Deno.exit(code);
    },
  });
  // The run's watch is on (in this same turn): the startup one can go.
  startup?.[Symbol.dispose]();
  // A resume is announced once accepted (see announceStart).
  if (mode === "plain" && display && !args.resume) {
    writeStderr(
      `Running "${plan.name}" (${file})${
        durable ? `, checkpoints in ${durable.path}` : ""
      }: progress every 2 s, Ctrl-C to stop\n`,
    );
  }
  const summary = await handle.done;
  await executor?.close();
  await watching;
  // Nothing to resume, already finished, the workflow or input changed...
  if (isRefusedResume(summary.error)) {
    writeStderr(`poolflow: ${file}: ${resumeMessage(summary.error)}\n`);
    return ExitCode.Usage;
  }
  const { signal } = interrupts;
  const exitCode = exitCodeFor(summary.status, signal);
  if (!args.quiet) {
    writeStderr(
      `\n${
        formatSummary(summary, {
          file,
          exitCode,
          interrupted: signal !== undefined,
          signal,
          checkpoint: durable?.path,
        })
      }`,
    );
  } else if (summary.error) {
    writeStderr(
      `poolflow: ${file}: ${summary.status}: ${summary.error.name}: ${summary.error.message}\n`,
    );
  }
  return exitCode;
}

/** How long a run waits before starting over an unfinished one, so Ctrl-C can keep it. */
const START_OVER_PAUSE_MS = 3000;

/**
 * Says where a durable run starts, once it knows: "Resuming" only for an
 * accepted resume; for a fresh run over an unfinished one, one line naming
 * --resume and --restart, then a pause that a signal ends (the run, then
 * stopped, touches nothing).
 */
async function announceStart(
  start: DurableStartInfo,
  options: {
    readonly announce: (line: string) => void;
    readonly warn: (line: string) => void;
    readonly name: string;
    readonly file: string;
    readonly checkpoint: string;
    readonly restart: boolean;
    readonly signal: AbortSignal;
  },
): Promise<void> {
  const { name, file, checkpoint } = options;
  if (start.resumes) {
    options.announce(
      `Resuming "${name}" (${file}), run ${start.runId}, checkpoints in ${checkpoint}: progress every 2 s, Ctrl-C to stop`,
    );
    return;
  }
  const unfinished = start.startsOver;
  if (!unfinished || options.restart) return;
  options.warn(
    `Run ${unfinished.runId} of "${name}" is unfinished (${
      formatCount(unfinished.written)
    } written, checkpoint in ${checkpoint}): this run starts over in ${
      START_OVER_PAUSE_MS / 1000
    } s and overwrites its outputs. Ctrl-C now keeps it to continue with --resume; --restart starts over at once`,
  );
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, START_OVER_PAUSE_MS);
    options.signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

function watchEvents(
  handle: RunHandle,
  display: ProgressDisplay | undefined,
  json: boolean,
): Promise<void> {
  if (json) return writeJsonEvents(handle.events, Deno.stdout);
  if (!display) return Promise.resolve();
  return (async () => {
    for await (const event of handle.events) display.onEvent(event);
  })();
}

/** The summary of a run left with items in flight: what its stats know. */
function abandonedSummary(
  handle: RunHandle,
  plan: WorkflowPlan,
): RunSummary {
  const stats = handle.stats();
  const now = Date.now();
  return {
    runId: stats.runId,
    workflow: stats.workflow,
    status: "aborted",
    error: {
      name: "AbortError",
      message: "Items in flight ignore the abort; they are left unfinished",
    },
    startedAt: stats.startedAt,
    finishedAt: now,
    wallMs: stats.elapsedMs,
    read: stats.read,
    written: stats.written,
    failed: stats.deadLetters,
    retried: stats.stages.reduce((sum, stage) => sum + stage.retried, 0),
    throughput: stats.elapsedMs > 0 ? (stats.read * 1000) / stats.elapsedMs : 0,
    stages: stats.stages,
    outputs: {
      ...(plan.sink ? { sink: plan.sink.location } : {}),
      ...(plan.deadLetter ? { deadLetter: plan.deadLetter.location } : {}),
    },
  };
}

/**
 * Telemetry for the run: on with `--otel` or `OTEL_DENO=true`; `--otel`
 * without Deno's exporter on would export nothing, so it is refused.
 */
async function otelFor(args: CliArgs): Promise<RunWatcher | undefined> {
  const exporting = otelFromEnv();
  if (args.otel && !exporting) {
    throw new UsageError(
      "Flag --otel needs Deno's OpenTelemetry exporter: run with OTEL_DENO=true (and --allow-env=OTEL_DENO), and set OTEL_EXPORTER_OTLP_ENDPOINT if the collector is not on localhost:4318",
    );
  }
  if (!exporting) return undefined;
  // Loaded only when on: a run without it loads no OpenTelemetry code.
  const { Telemetry } = await import("../lib/telemetry/otel.ts");
  return new Telemetry();
}
