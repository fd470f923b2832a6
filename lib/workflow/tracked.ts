/**
 * Items of a durable run travel with their source position, so the sink
 * knows where a checkpoint may fall.
 *
 * @module
 */

/** An item with the source position it came from. Internal to the interpreter. */
export class Tracked {
  /** The source position; for a batch, its first item's. */
  readonly position: number;
  /** The item as the current stage sees it. */
  value: unknown;

  constructor(position: number, value: unknown) {
    this.position = position;
    this.value = value;
  }
}

/** The item itself, whether tracked or not. */
export function valueOf(item: unknown): unknown {
  return item instanceof Tracked ? item.value : item;
}

/** The source position of a tracked item, or -1. */
export function positionOf(item: unknown): number {
  return item instanceof Tracked ? item.position : -1;
}
