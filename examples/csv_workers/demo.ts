/**
 * The CSV worker-pool demo as a function: stream a CSV file of orders into
 * `mapConcurrent`, check, confirm (simulated I/O) and price each row with N
 * concurrent workers, print one line per outcome and return a summary.
 *
 * This is Python's "N workers reading an `asyncio.Queue`" pattern without
 * the queue: `mapConcurrent` pulls a row only when a worker slot is free.
 *
 * @module
 */

import {
  type Failure,
  mapConcurrent,
  type Outcome,
  type TaskContext,
} from "@poolflow/poolflow";
import { readCsvRecords } from "./csv_source.ts";
import {
  InvalidOrderError,
  type OrderRow,
  parseOrder,
  type PricedOrder,
  priceOrder,
} from "./order.ts";
import { confirmOrder, type SimulatedIoOptions } from "./simulated_io.ts";

/** Workers when neither the caller nor the environment says otherwise. */
export const DEFAULT_CONCURRENCY = 8;

/** Time limit of each attempt; the slowest healthy call takes 80 ms. */
export const DEFAULT_TIMEOUT_MS = 500;

/** Options of {@linkcode runDemo}. */
export interface DemoOptions extends SimulatedIoOptions {
  /** The CSV file of orders, with a header row. */
  path: string | URL;
  /** Rows processed at once; defaults to {@linkcode DEFAULT_CONCURRENCY}. */
  concurrency?: number;
  /** Time limit of each attempt; defaults to {@linkcode DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Receives each output line, without a line end. */
  write: (line: string) => void;
}

/** A row that failed for good. */
export interface DemoFailure {
  /** The order id, as written in the file. */
  readonly id: string;
  /** Attempts made. */
  readonly attempts: number;
  /** What the last attempt threw, as `Name: message`. */
  readonly message: string;
}

/** What {@linkcode runDemo} returns: counts, timing and the failures. */
export interface DemoSummary {
  /** Rows read from the file: `done + failed`. */
  readonly rows: number;
  /** Rows processed successfully. */
  readonly done: number;
  /** Rows that failed for good. */
  readonly failed: number;
  /** Rows that took more than one attempt, whatever their end. */
  readonly retried: number;
  /** The concurrency limit of the run. */
  readonly concurrency: number;
  /** Most attempts that were running at the same moment. */
  readonly peakInFlight: number;
  /** Milliseconds from the start to the last outcome. */
  readonly wallMs: number;
  /** `rows` per second of wall time. */
  readonly rowsPerSecond: number;
  /** Median time from the start of a row's first attempt to its outcome. */
  readonly latencyP50Ms: number;
  /** 95th percentile of the same. */
  readonly latencyP95Ms: number;
  /** The failed rows, in the order they failed. */
  readonly failures: readonly DemoFailure[];
}

/**
 * Processes every row of a CSV file of orders with bounded concurrency,
 * writes one line per outcome and then a summary line.
 *
 * Bad rows fail at once and are not retried; a transient service error or
 * a timed-out attempt is retried once after 10 ms. Failures are outcomes:
 * the run always reads the whole file.
 *
 * @param options The file, concurrency, time limit and output.
 * @returns The summary, also written as the last line.
 * @throws {SourceError} If the file cannot be read or is not valid CSV
 * (after the rows already started have finished).
 * @throws {RangeError} If `concurrency` or `timeoutMs` is out of range.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { write } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  // Start of each row's first attempt, by index, until its outcome arrives.
  const firstStarts = new Map<number, number>();
  const latencies: number[] = [];
  const failures: DemoFailure[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  let done = 0;
  let retried = 0;

  // The wrapper measures; the work itself is check, confirm, price.
  const processRow = async (
    row: OrderRow,
    { signal, index, attempt }: TaskContext,
  ): Promise<PricedOrder> => {
    if (attempt === 1) firstStarts.set(index, performance.now());
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    try {
      const order = parseOrder(row);
      await confirmOrder(order.id, attempt, signal, options);
      return priceOrder(order);
    } finally {
      inFlight--;
    }
  };

  const started = performance.now();
  const run = mapConcurrent(readCsvRecords(options.path), processRow, {
    concurrency,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: {
      attempts: 2,
      delay: 10,
      jitter: "none",
      retryIf: (error) => !(error instanceof InvalidOrderError),
    },
    onError: "continue",
  });
  for await (const outcome of run) {
    // The end is taken here, not in the wrapper: a timed-out attempt's
    // outcome can arrive before its abandoned call has unwound.
    const start = firstStarts.get(outcome.index);
    firstStarts.delete(outcome.index);
    if (start !== undefined) latencies.push(performance.now() - start);
    if (outcome.attempts > 1) retried++;
    if (outcome.ok) done++;
    else failures.push(toFailure(outcome));
    write(formatOutcome(outcome));
  }
  const wallMs = performance.now() - started;

  const rows = done + failures.length;
  latencies.sort((a, b) => a - b);
  const summary: DemoSummary = {
    rows,
    done,
    failed: failures.length,
    retried,
    concurrency,
    peakInFlight,
    wallMs,
    rowsPerSecond: wallMs > 0 ? rows / (wallMs / 1000) : 0,
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    failures,
  };
  write(formatSummary(summary));
  return summary;
}

function toFailure(
  outcome: Failure<OrderRow>,
): DemoFailure {
  // TaskError's own message starts with "Task <index> failed after ...";
  // the row's story is what the task threw.
  const cause = outcome.error.cause;
  const message = cause instanceof Error || cause instanceof DOMException
    ? `${cause.name}: ${cause.message}`
    : String(cause);
  return {
    id: outcome.input["id"] ?? "?",
    attempts: outcome.attempts,
    message,
  };
}

/**
 * One line for an outcome.
 *
 * @param outcome A row's outcome.
 * @returns `ok id=... customer="..." total=EUR ... attempts=N`, or
 * `failed id=... attempts=N Name: message`.
 */
export function formatOutcome(outcome: Outcome<OrderRow, PricedOrder>): string {
  if (outcome.ok) {
    const { id, customer, totalEur } = outcome.value;
    return `ok     id=${id} customer=${JSON.stringify(customer)} total=EUR ${
      totalEur.toFixed(2)
    } attempts=${outcome.attempts}`;
  }
  const { id, attempts, message } = toFailure(outcome);
  return `failed id=${id} attempts=${attempts} ${message}`;
}

/**
 * The summary line.
 *
 * @param s The summary.
 * @returns One line starting with `summary:`.
 */
export function formatSummary(s: DemoSummary): string {
  return `summary: ${s.rows} rows, ${s.done} done, ${s.failed} failed, ` +
    `${s.retried} retried | wall ${Math.round(s.wallMs)} ms, ` +
    `${s.rowsPerSecond.toFixed(1)} rows/s | latency p50 ${
      Math.round(s.latencyP50Ms)
    } ms, p95 ${Math.round(s.latencyP95Ms)} ms | ` +
    `peak in-flight ${s.peakInFlight}/${s.concurrency}`;
}

/** Nearest-rank percentile of sorted values; 0 for none. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1] ?? 0;
}
