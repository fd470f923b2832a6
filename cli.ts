/**
 * `poolflow`: run a workflow file from the command line, with live
 * progress, a summary, Ctrl-C handling and meaningful exit codes.
 *
 * ```sh
 * # from a checkout, with the least etl.ts needs (see Permissions)
 * deno run --allow-read=. --allow-write=out,.poolflow --allow-run=deno cli.ts etl.ts --concurrency 16 --param region=eu
 * # from JSR, or installed as `poolflow`
 * deno run --allow-read=. --allow-run=deno jsr:@poolflow/poolflow/cli etl.ts --dry-run
 * deno install -g -n poolflow --allow-read=. --allow-write=. --allow-run=deno jsr:@poolflow/poolflow/cli
 * poolflow etl.ts --out results.jsonl --limit 100
 * # a new project that runs at once (deno task start)
 * poolflow init my-etl
 * ```
 *
 * The workflow file's default export is the value of `defineWorkflow({...})`;
 * the path is resolved against the working folder, and the file is
 * type-checked with `deno check` before it runs (skip it with `--no-check`).
 *
 * Flags: `--concurrency N`, `--param KEY=VALUE` (repeatable), `--fail-fast`
 * or `--continue`, `--out PATH` (`.jsonl`, `.csv`, `.json` or `-` for
 * stdout), `--limit N`, `--dry-run` (print the plan), `--json` (events as
 * JSON lines on stdout), `--quiet`, `--no-check`, `--resume`, `--force`,
 * `--checkpoint PATH`, `--no-checkpoint`, `--grace DURATION`, `--help`,
 * `--version`.
 *
 * Durable runs: a run whose outputs are files (or absent) keeps checkpoints
 * in `.poolflow/checkpoints.db` (every stage then keeps input order), and
 * `--resume` continues it after an interruption or a crash: every input
 * reaches the sinks exactly once; a task's side effects happen at least
 * once.
 *
 * Progress and the summary go to stderr. The first Ctrl-C or SIGTERM stops
 * taking new items and gives those in flight `--grace` (30 s) to finish
 * before aborting them; a second one aborts them at once.
 *
 * Exit codes: 0 every item went through; 1 some items failed under
 * `continue`; 2 the run failed (fail-fast, error budget, source or sink);
 * 64 a wrong command line or workflow file, or a refused `--resume`; 70 a
 * crash (an uncaught error or unhandled rejection, such as a stage missing
 * an `await`); 130
 * interrupted by Ctrl-C; 143 terminated by SIGTERM.
 *
 * Permissions: `--allow-read` (the workflow file and its inputs),
 * `--allow-write` (outputs), `--allow-run=deno` (for `deno check`; not with
 * `--no-check`), `--allow-net` (HTTP), `--allow-env` (if the workflow reads
 * the environment); the checkpoint file needs reading and writing.
 *
 * @example Run the CLI from code, as a test would
 * ```ts ignore
 * import { main } from "@poolflow/poolflow/cli";
 *
 * const code = await main(["etl.ts", "--dry-run", "--no-check"]);
 * ```
 *
 * @module
 */

import { WorkflowError } from "./mod.ts";
import { VERSION } from "./lib/version.ts";
import { parseCliArgs } from "./cli/args.ts";
import { UsageError, WorkflowFileError } from "./cli/errors.ts";
import { executeWorkflow } from "./cli/execute.ts";
import { exitOnCrash } from "./cli/crash.ts";
import { ExitCode } from "./cli/exit_codes.ts";
import { helpText, paramsHelp } from "./cli/help.ts";
import { initCommand } from "./cli/init.ts";
import { loadWorkflow } from "./host/load.ts";
import { InterruptedError, watchStartup } from "./cli/signals.ts";
import { writeStderr, writeStdout } from "./cli/terminal.ts";

/**
 * Runs the command line `argv` and returns the exit code; prints to stdout
 * and stderr but does not exit.
 *
 * @param argv The arguments, as in `Deno.args`.
 * @returns The exit code: 0, 1, 2, 64, 70, 73 (`init`), 130 or 143.
 */
export async function main(argv: readonly string[]): Promise<number> {
  // A workflow file named "init" still runs as ./init.
  if (argv[0] === "init") return await initCommand(argv.slice(1));
  try {
    if (argv[0] === "worker") {
      // Loaded only for workers: a local run never loads bullmq.
      const { workerMain } = await import("./cli/worker.ts");
      return await workerMain(argv.slice(1));
    }
    const args = parseCliArgs(argv);
    if (args.version) {
      await writeStdout(`poolflow ${VERSION}\n`);
      return ExitCode.Ok;
    }
    const cwd = Deno.cwd();
    if (args.help) {
      let text = helpText();
      if (args.file !== undefined) {
        const loaded = await loadWorkflow(args.file, { cwd, check: false });
        text += `\n${paramsHelp(args.file, loaded.workflow.params)}`;
      }
      await writeStdout(text);
      return ExitCode.Ok;
    }
    // Listen from now on: a signal during the type check must not be lost.
    using startup = watchStartup();
    // parseCliArgs guarantees a file without --help or --version.
    const loaded = await loadWorkflow(args.file!, {
      cwd,
      check: args.check,
      signal: startup.signal,
    });
    return await executeWorkflow(loaded, args, startup);
  } catch (error) {
    if (error instanceof InterruptedError) {
      writeStderr(`poolflow: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof UsageError) {
      writeStderr(
        `poolflow: ${error.message}\nRun "poolflow --help" for usage.\n`,
      );
      return ExitCode.Usage;
    }
    if (error instanceof WorkflowFileError || error instanceof WorkflowError) {
      writeStderr(`poolflow: ${error.message}\n`);
      return ExitCode.Usage;
    }
    // Our own bug, not the user's: the stack helps report it.
    writeStderr(
      `poolflow: crashed: unexpected error (exit code ${ExitCode.Crashed}): ${
        error instanceof Error ? error.stack ?? error.message : String(error)
      }\n`,
    );
    return ExitCode.Crashed;
  }
}

if (import.meta.main) {
  exitOnCrash();
  Deno.exit(await main(Deno.args));
}
