/**
 * Sending signals to a CLI run in a subprocess, once its stderr shows that
 * the run is under way.
 *
 * @module
 */

import { spawnCli } from "./_helpers.ts";

/** How to interrupt a run. */
export interface InterruptOptions {
  /** The working folder; defaults to the repository's root. */
  readonly cwd?: string;
  /** The signal to send. Defaults to SIGINT. */
  readonly signal?: Deno.Signal;
  /** How many times, 100 ms apart. Defaults to once. */
  readonly times?: number;
  /** Signal once stderr matches this. */
  readonly when: RegExp;
  /** And then this much later, in ms. Defaults to 0. */
  readonly delayMs?: number;
}

/** How an interrupted run ended. */
export interface InterruptedRun {
  /** The exit code. */
  readonly code: number;
  /** Everything on stderr. */
  readonly stderr: string;
  /** Whether the signal was sent (stderr matched `when`). */
  readonly signalled: boolean;
  /** Milliseconds from the first signal to the exit. */
  readonly afterSignalMs: number;
}

/**
 * Runs the CLI with `args` and sends it signals once stderr matches
 * `options.when`; kills it after 60 s.
 */
export async function interruptCli(
  args: readonly string[],
  options: InterruptOptions,
): Promise<InterruptedRun> {
  const child = spawnCli(args, options);
  const stdout = new Response(child.stdout).text();
  const safety = setTimeout(() => child.kill("SIGKILL"), 60_000);
  let stderr = "";
  let signalledAt = 0;
  try {
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      stderr += value;
      if (signalledAt === 0 && options.when.test(stderr)) {
        if (options.delayMs) await delay(options.delayMs);
        signalledAt = Date.now();
        for (let i = 0; i < (options.times ?? 1); i++) {
          if (i > 0) await delay(100);
          try {
            child.kill(options.signal ?? "SIGINT");
          } catch {
            // It ended already.
          }
        }
      }
    }
    const status = await child.status;
    await stdout;
    return {
      code: status.code,
      stderr,
      signalled: signalledAt > 0,
      afterSignalMs: Date.now() - signalledAt,
    };
  } finally {
    clearTimeout(safety);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
