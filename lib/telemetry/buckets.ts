/**
 * A histogram with fixed bucket bounds, as Prometheus and OpenTelemetry
 * export them: a count per bucket, a sum and a count.
 *
 * @module
 */

/** Default bounds in milliseconds: 1 ms to 1 min, roughly 1-2.5-5 steps. */
export const DEFAULT_BUCKETS_MS: readonly number[] = [
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  30000,
  60000,
];

/** A histogram's numbers at one moment. */
export interface HistogramSnapshot {
  /** Upper bounds in milliseconds, ascending (`+Inf` is implied). */
  readonly boundsMs: readonly number[];
  /** Values at or below each bound, cumulative; one more for `+Inf`. */
  readonly cumulative: readonly number[];
  /** Sum of the values, in milliseconds. */
  readonly sumMs: number;
  /** How many values. */
  readonly count: number;
}

/**
 * Counts values into fixed buckets; recording is a short scan and two
 * additions.
 *
 * @example Bucket counts
 * ```ts
 * import { BucketHistogram } from "@poolflow/poolflow/telemetry";
 * import { assertEquals } from "@std/assert";
 *
 * const h = new BucketHistogram([10, 100]);
 * h.record(5);
 * h.record(50);
 * h.record(500);
 * assertEquals(h.snapshot().cumulative, [1, 2, 3]);
 * ```
 */
export class BucketHistogram {
  readonly #bounds: readonly number[];
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /**
   * An empty histogram.
   *
   * @param boundsMs Upper bounds in milliseconds, ascending.
   * @throws {RangeError} If the bounds are not ascending finite numbers.
   */
  constructor(boundsMs: readonly number[] = DEFAULT_BUCKETS_MS) {
    for (let i = 0; i < boundsMs.length; i++) {
      const bound = boundsMs[i]!;
      if (!Number.isFinite(bound) || (i > 0 && bound <= boundsMs[i - 1]!)) {
        throw new RangeError(
          `Histogram bounds must be ascending finite numbers, got ${
            JSON.stringify(boundsMs)
          }`,
        );
      }
    }
    this.#bounds = [...boundsMs];
    this.#counts = new Float64Array(boundsMs.length + 1);
  }

  /**
   * Records one value.
   *
   * @param ms The value in milliseconds.
   */
  record(ms: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && ms > bounds[i]!) i++;
    this.#counts[i]!++;
    this.#sum += ms;
    this.#count++;
  }

  /** The numbers now. */
  snapshot(): HistogramSnapshot {
    const cumulative: number[] = [];
    let seen = 0;
    for (const n of this.#counts) cumulative.push(seen += n);
    return {
      boundsMs: this.#bounds,
      cumulative,
      sumMs: this.#sum,
      count: this.#count,
    };
  }
}
