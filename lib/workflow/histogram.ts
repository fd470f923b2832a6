/**
 * A fixed-size latency histogram: constant memory and O(1) recording, with
 * percentiles accurate to about 2%.
 *
 * @module
 */

// Buckets grow by 4% from 1 µs: 640 of them reach about 77 hours.
const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_MS = 0.001;
const BUCKETS = 640;

/**
 * Records durations in milliseconds and answers percentiles.
 *
 * @example Percentiles of recorded latencies
 * ```ts
 * import { LatencyHistogram } from "@poolflow/poolflow";
 * import { assert } from "@std/assert";
 *
 * const histogram = new LatencyHistogram();
 * for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
 * const p50 = histogram.percentile(50);
 * assert(p50 > 48 && p50 < 52);
 * ```
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #max = 0;

  /** How many durations were recorded. */
  get count(): number {
    return this.#count;
  }

  /** The longest duration recorded, in milliseconds. */
  get max(): number {
    return this.#max;
  }

  /**
   * Records one duration.
   *
   * @param ms The duration in milliseconds.
   */
  record(ms: number): void {
    const bucket = ms <= MIN_MS
      ? 0
      : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.#counts[bucket]!++;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  /**
   * The duration below which `p` percent of the recorded ones fall.
   *
   * @param p The percentile, from 0 to 100.
   * @returns Milliseconds; 0 when nothing was recorded.
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) {
        // The bucket's midpoint, but never above the largest value seen.
        const upper = MIN_MS * GROWTH ** bucket;
        return Math.min(
          this.#max,
          bucket === 0 ? upper : upper / Math.sqrt(GROWTH),
        );
      }
    }
    return this.#max;
  }
}
