/**
 * Every outcome collected: the poolflow form of Python's
 *
 * ```python
 * sem = asyncio.Semaphore(5)
 * async def guarded(args):
 *     async with sem:
 *         return await divide(**args)
 * results = await asyncio.gather(*map(guarded, arguments), return_exceptions=True)
 * ```
 *
 * A list of argument objects (`data/arguments.json`) runs through `divide`,
 * an async function that sometimes throws, five at a time. Successes go to
 * the sink and failures, each with its input and error, to the dead letter:
 * nothing is lost, nothing waits for the slowest call to be reported, and
 * only five calls (not one promise per input) exist at any time.
 *
 * Run it: `deno run -A cli.ts examples/collect_outcomes/workflow.ts`
 * (outputs under `examples/collect_outcomes/out/`).
 *
 * @module
 */

import { defineWorkflow, fromJson, sleep, toJsonl } from "@poolflow/poolflow";

/** The arguments of one call, as the JSON file has them (not trusted). */
export interface DivideArguments {
  /** Which call this is. */
  readonly id: number;
  /** The dividend. */
  readonly numerator: unknown;
  /** The divisor: zero or not a number fails the call. */
  readonly denominator: unknown;
  /** How long the call takes, in milliseconds. */
  readonly delayMs: number;
}

/** What a successful call returns. */
export interface Quotient {
  /** The call's id. */
  readonly id: number;
  /** `numerator / denominator`, rounded to 4 decimals. */
  readonly quotient: number;
}

/** The bundled arguments: 30 calls, 4 of which fail. */
export const ARGUMENTS_JSON: URL = new URL(
  "./data/arguments.json",
  import.meta.url,
);

/** Calls run at once: the semaphore's size in the Python version. */
export const POOL_SIZE = 5;

/**
 * The work: waits `delayMs` (the pretend I/O, cut short if the run stops)
 * and divides.
 *
 * @param args The call's arguments.
 * @param signal Aborts the wait.
 * @returns The quotient.
 * @throws {TypeError} If an operand is not a number.
 * @throws {RangeError} If the divisor is zero.
 */
export async function divide(
  args: DivideArguments,
  signal: AbortSignal,
): Promise<Quotient> {
  await sleep(args.delayMs, signal);
  const { id, numerator, denominator } = args;
  if (typeof numerator !== "number" || typeof denominator !== "number") {
    throw new TypeError(
      `Call ${id}: cannot divide ${JSON.stringify(numerator)} by ${
        JSON.stringify(denominator)
      }: both must be numbers`,
    );
  }
  if (denominator === 0) {
    throw new RangeError(`Call ${id}: cannot divide ${numerator} by zero`);
  }
  return { id, quotient: Math.round((numerator / denominator) * 1e4) / 1e4 };
}

export default defineWorkflow({
  name: "collect-outcomes",
  description:
    "Run a function that sometimes throws over a list of arguments, 5 at a time, keeping every outcome",
  params: {
    out: {
      type: "path",
      root: "out",
      access: "write",
      default: "quotients.jsonl",
      description: "The successful results, as JSON lines",
    },
    deadLetters: {
      type: "path",
      root: "out",
      access: "write",
      default: "failures.jsonl",
      description: "The failed calls, with their arguments and errors",
    },
  },
  source: fromJson<DivideArguments>(ARGUMENTS_JSON),
  // "continue": a failure is an outcome, as with return_exceptions=True.
  errors: { onError: "continue" },
  pipeline: (calls) =>
    calls.map("divide", (args, { signal }) => divide(args, signal), {
      concurrency: POOL_SIZE,
    }),
  sink: ({ out }) => toJsonl<Quotient>(out),
  deadLetter: ({ deadLetters }) => toJsonl(deadLetters),
});
