/**
 * Your workflow. The cities of `data/cities.csv` are parsed into typed
 * rows, looked up (a stand-in for an API call: 4 at a time, retried, with a
 * timeout) and written to `out/cities.jsonl`; a row that fails for good
 * goes to `out/dead_letters.jsonl` with its error, and the run goes on.
 *
 * - `deno task start` runs it (`deno task start --help` lists its params,
 *   `--dry-run` prints the plan, `--param input=other.csv` reads another
 *   file in `data/`);
 * - `deno task check` type-checks it.
 *
 * Replace `lookUp` with your own work: pass `signal` to `fetch` and the
 * like, so a timeout, Ctrl-C or a failed run stops it.
 *
 * @module
 */

import { defineWorkflow, fromCsv, sleep, toJsonl } from "@poolflow/poolflow";

/** A row of the CSV, as read: every field is a string. */
export interface CityRow {
  readonly name: string;
  readonly country: string;
  readonly population: string;
}

/** A parsed city. */
export interface City {
  readonly name: string;
  readonly country: string;
  readonly population: number;
}

/** What the workflow writes for each city. */
export interface CityReport extends City {
  readonly size: "town" | "city" | "megacity";
}

/**
 * Parses a row; bad data throws, and the row goes to the dead letter.
 *
 * @param row The row as read.
 * @returns The city.
 * @throws {TypeError} If the population is not a whole number.
 */
export function parseCity(row: CityRow): City {
  const population = Number(row.population);
  if (!Number.isSafeInteger(population) || population < 0) {
    throw new TypeError(
      `City "${row.name}": population "${row.population}" is not a whole number`,
    );
  }
  return { name: row.name, country: row.country, population };
}

/**
 * The pretend remote call: waits a little, as an API would, then answers.
 *
 * @param city The city to look up.
 * @param signal Aborted on a timeout or when the run stops.
 * @returns The report.
 */
export async function lookUp(
  city: City,
  signal: AbortSignal,
): Promise<CityReport> {
  await sleep(20, signal);
  const size = city.population >= 10_000_000
    ? "megacity"
    : city.population >= 1_000_000
    ? "city"
    : "town";
  return { ...city, size };
}

export default defineWorkflow({
  name: "cities",
  description: "Look up every city of a CSV file, 4 at a time",
  params: {
    input: {
      type: "path",
      root: "data",
      access: "read",
      default: "cities.csv",
      description: "The CSV of cities, in data/",
    },
    out: {
      type: "path",
      root: "out",
      access: "write",
      default: "cities.jsonl",
      description: "The reports, as JSON lines, in out/",
    },
    deadLetters: {
      type: "path",
      root: "out",
      access: "write",
      default: "dead_letters.jsonl",
      description: "The rows that failed, with their errors, in out/",
    },
  },
  source: ({ input }) => fromCsv<CityRow>(input),
  concurrency: 4,
  errors: { onError: "continue" },
  pipeline: (rows) =>
    rows
      .map("parse", parseCity)
      .map("look-up", (city, { signal }) => lookUp(city, signal), {
        errors: { retry: { attempts: 3, delay: "100ms" }, timeout: "5s" },
      }),
  sink: ({ out }) => toJsonl<CityReport>(out),
  deadLetter: ({ deadLetters }) => toJsonl(deadLetters),
});
