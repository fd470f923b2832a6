/**
 * `deno task demo`: process the bundled `data/orders.csv` with N concurrent
 * workers and print every outcome and a summary.
 *
 * Usage: `deno run -A examples/csv_workers/main.ts [--concurrency N] [file.csv]`;
 * the concurrency defaults to `$POOLFLOW_CONCURRENCY`, then 8.
 *
 * Exit codes: 0 when the run read and processed the whole file, even if
 * some rows failed: the bundled data fails a few rows on purpose, each
 * failure is an outcome that is printed and counted, and the demo is meant
 * to show exactly that. 1 when the run itself crashed (file missing, not
 * valid CSV). 2 for a bad command line.
 *
 * @module
 */

import { DEFAULT_CONCURRENCY, runDemo } from "./demo.ts";

const BUNDLED_CSV = new URL("./data/orders.csv", import.meta.url);
const USAGE = "Usage: main.ts [--concurrency N] [file.csv]";

/** What the command line asks for. */
export interface CliOptions {
  /** The CSV file. */
  readonly path: string | URL;
  /** Rows processed at once. */
  readonly concurrency: number;
}

/**
 * Reads the command line and environment.
 *
 * @param args The arguments, as in `Deno.args`.
 * @param envConcurrency The value of `POOLFLOW_CONCURRENCY`, if set.
 * @returns The options.
 * @throws {RangeError} If the concurrency is not a whole number from 1, or
 * an argument is unknown.
 */
export function parseCli(
  args: readonly string[],
  envConcurrency: string | undefined,
): CliOptions {
  let concurrencyText = envConcurrency;
  let path: string | URL = BUNDLED_CSV;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--concurrency" || arg === "-c") {
      concurrencyText = args[++i] ?? "";
    } else if (arg.startsWith("--concurrency=")) {
      concurrencyText = arg.slice("--concurrency=".length);
    } else if (arg.startsWith("-")) {
      throw new RangeError(`Unknown option "${arg}": ${USAGE}`);
    } else {
      path = arg;
    }
  }
  if (concurrencyText === undefined) {
    return { path, concurrency: DEFAULT_CONCURRENCY };
  }
  const concurrency = Number(concurrencyText);
  if (!/^\d+$/.test(concurrencyText.trim()) || concurrency < 1) {
    throw new RangeError(
      `Invalid concurrency "${concurrencyText}": use a whole number from 1, such as --concurrency 8`,
    );
  }
  return { path, concurrency };
}

/**
 * Runs the demo from the command line.
 *
 * @param args The arguments, as in `Deno.args`.
 * @returns The exit code.
 */
export async function main(args: readonly string[]): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCli(args, Deno.env.get("POOLFLOW_CONCURRENCY"));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  try {
    await runDemo({ ...cli, write: (line) => console.log(line) });
    return 0;
  } catch (error) {
    console.error("The demo run crashed:", error);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
