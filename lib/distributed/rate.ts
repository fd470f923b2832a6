/**
 * A stage's rate as BullMQ's global limit. BullMQ counts starts in fixed
 * windows, so "400 per 1 s" as one window lets up to 800 starts into a 1 s
 * span that straddles two windows. Split into `k` short windows of
 * `max` each, any span of the interval meets at most `k + 1` of them: with
 * `max = floor(count / (k + 1))` no span sees more than `count`, at a
 * throughput of about `max * k` per interval (384 of 400/s).
 *
 * @module
 */

/** BullMQ's limiter settings: `max` starts per `duration` ms. */
export interface WindowLimit {
  /** Starts per window. */
  readonly max: number;
  /** The window, in milliseconds. */
  readonly duration: number;
}

/** Windows shorter than this are left out: Redis expiry is not that exact. */
const MIN_WINDOW_MS = 20;

/**
 * The fixed-window limit that keeps any span of `intervalMs` within
 * `count` starts, with the best throughput.
 *
 * @param count Starts allowed in any span of `intervalMs`.
 * @param intervalMs The span.
 * @returns BullMQ's `max` and `duration`.
 */
export function windowLimit(count: number, intervalMs: number): WindowLimit {
  let best: WindowLimit | undefined;
  let bestRate = 0;
  const most = Math.min(count - 1, Math.floor(intervalMs / MIN_WINDOW_MS));
  for (let k = 1; k <= most; k++) {
    const max = Math.floor(count / (k + 1));
    if (max < 1) break;
    // Whole milliseconds, rounded up: a span still meets at most k + 1.
    const duration = Math.ceil(intervalMs / k);
    const rate = max / duration;
    if (rate > bestRate) {
      bestRate = rate;
      best = { max, duration };
    }
  }
  // One start per interval cannot be split: half of it, in half windows.
  return best ?? { max: 1, duration: intervalMs };
}
