/**
 * {@linkcode Backlog}: counts what a producer stage has started and a
 * consumer stage has taken, to show how far the fast stage runs ahead of
 * the slow one.
 *
 * @module
 */

/** Counters of a producer/consumer pipeline. */
export class Backlog {
  /** Items the producer has started. */
  produced = 0;
  /** Items the consumer has started. */
  consumed = 0;
  /** Most items started by the producer and not yet taken by the consumer. */
  maxAhead = 0;
  /** Items the consumer is working on now. */
  consuming = 0;
  /** Most items the consumer worked on at once. */
  peakConsuming = 0;

  /** The producer starts an item. */
  produceStarted(): void {
    this.produced++;
    this.maxAhead = Math.max(this.maxAhead, this.produced - this.consumed);
  }

  /** The consumer starts an item. */
  consumeStarted(): void {
    this.consumed++;
    this.consuming++;
    this.peakConsuming = Math.max(this.peakConsuming, this.consuming);
  }

  /** The consumer is done with an item, whatever the outcome. */
  consumeEnded(): void {
    this.consuming--;
  }
}
