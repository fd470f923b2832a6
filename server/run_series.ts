/**
 * {@linkcode ThroughputSeries}: a run's completions over time in a fixed
 * number of time buckets. It is fed from the run's progress events (a few
 * a second), never per item; when the run outlasts the buckets, pairs are
 * merged and each bucket covers twice the time, so memory stays fixed
 * however long the run goes.
 *
 * @module
 */

/** One time bucket: what the run had done by its end. */
export interface SeriesPoint {
  /**
   * The bucket's end, in ms since the run started (for the last bucket,
   * the last sample's time: it may not be over yet).
   */
  readonly atMs: number;
  /** Items written by then. */
  readonly written: number;
  /** Items failed for good by then. */
  readonly failed: number;
  /** Items written per second within the bucket (so far, for the last). */
  readonly rate: number;
}

/** The series at one moment. */
export interface SeriesSnapshot {
  /** Each bucket's width in milliseconds. */
  readonly bucketMs: number;
  /** The buckets seen so far, oldest first. */
  readonly points: readonly SeriesPoint[];
}

/**
 * Completions over time in at most `size` buckets.
 *
 * @example Two seconds of a run
 * ```ts
 * import { ThroughputSeries } from "./run_series.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const series = new ThroughputSeries(0, { size: 4, bucketMs: 1000 });
 * series.sample(500, 10, 0);
 * series.sample(1500, 30, 1);
 * // The second bucket so far: 20 items in its first 500 ms.
 * assertEquals(series.snapshot().points.map((p) => p.rate), [10, 40]);
 * ```
 */
export class ThroughputSeries {
  readonly #startedAt: number;
  readonly #size: number;
  #bucketMs: number;
  // Cumulative counts at the end of each bucket; -1 marks one not reached.
  readonly #written: Float64Array;
  readonly #failed: Float64Array;
  #last = -1;
  #lastElapsed = 0;

  /**
   * An empty series.
   *
   * @param startedAt When the run started, in ms since the epoch.
   * @param options `size` buckets (default 120) of `bucketMs` each at first
   *   (default 1000).
   * @throws {RangeError} If `size` is not an even integer >= 2 or
   *   `bucketMs` not a positive number.
   */
  constructor(
    startedAt: number,
    options: { readonly size?: number; readonly bucketMs?: number } = {},
  ) {
    const size = options.size ?? 120;
    const bucketMs = options.bucketMs ?? 1000;
    if (!Number.isInteger(size) || size < 2 || size % 2 !== 0) {
      throw new RangeError(
        `Series size must be an even integer >= 2, got ${size}`,
      );
    }
    if (!(bucketMs > 0)) {
      throw new RangeError(
        `Series bucket width must be a positive number of ms, got ${bucketMs}`,
      );
    }
    this.#startedAt = startedAt;
    this.#size = size;
    this.#bucketMs = bucketMs;
    this.#written = new Float64Array(size).fill(-1);
    this.#failed = new Float64Array(size).fill(-1);
  }

  /**
   * Records the run's counts at a moment.
   *
   * @param at When, in ms since the epoch.
   * @param written Items written by then.
   * @param failed Items failed for good by then.
   */
  sample(at: number, written: number, failed: number): void {
    const elapsed = Math.max(0, at - this.#startedAt);
    let bucket = Math.floor(elapsed / this.#bucketMs);
    while (bucket >= this.#size) {
      this.#halve();
      bucket = Math.floor(elapsed / this.#bucketMs);
    }
    // Buckets skipped without a sample get the counts at their end as a
    // straight line from the sample before to this one would have them.
    const fromMs = this.#lastElapsed;
    const from = this.#last < 0 ? { written: 0, failed: 0 } : {
      written: this.#written[this.#last]!,
      failed: this.#failed[this.#last]!,
    };
    for (let i = this.#last + 1; i < bucket; i++) {
      const share = elapsed > fromMs
        ? ((i + 1) * this.#bucketMs - fromMs) / (elapsed - fromMs)
        : 1;
      this.#written[i] = Math.round(
        from.written + share * (written - from.written),
      );
      this.#failed[i] = Math.round(
        from.failed + share * (failed - from.failed),
      );
    }
    this.#written[bucket] = written;
    this.#failed[bucket] = failed;
    if (bucket > this.#last) this.#last = bucket;
    if (elapsed > this.#lastElapsed) this.#lastElapsed = elapsed;
  }

  /** The buckets so far. */
  snapshot(): SeriesSnapshot {
    const points: SeriesPoint[] = [];
    const width = this.#bucketMs;
    for (let i = 0; i <= this.#last; i++) {
      const written = this.#written[i]!;
      const before = i === 0 ? 0 : this.#written[i - 1]!;
      // The last bucket's rate is over the time it has covered so far.
      const end = i === this.#last
        ? Math.min((i + 1) * width, Math.max(this.#lastElapsed, i * width + 1))
        : (i + 1) * width;
      points.push({
        atMs: end,
        written,
        failed: this.#failed[i]!,
        rate: ((written - before) * 1000) / (end - i * width),
      });
    }
    return { bucketMs: width, points };
  }

  /** Merges pairs of buckets: the later one's counts cover both. */
  #halve(): void {
    const half = this.#size / 2;
    for (let i = 0; i < half; i++) {
      this.#written[i] = this.#written[2 * i + 1]! >= 0
        ? this.#written[2 * i + 1]!
        : this.#written[2 * i]!;
      this.#failed[i] = this.#failed[2 * i + 1]! >= 0
        ? this.#failed[2 * i + 1]!
        : this.#failed[2 * i]!;
    }
    this.#written.fill(-1, half);
    this.#failed.fill(-1, half);
    this.#last = this.#last < 0 ? -1 : Math.floor(this.#last / 2);
    this.#bucketMs *= 2;
  }
}
