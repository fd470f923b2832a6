/**
 * Items of a durable run travel with the source positions they came from,
 * so the run knows which positions are done (see positions.ts).
 *
 * @module
 */

/** An item with the source positions it came from. Internal to the interpreter. */
export class Tracked {
  /** The source position; for a batch, its first item's. */
  readonly position: number;
  /** The item as the current stage sees it. */
  value: unknown;
  /** For a batch: the positions of its other items, one per item. */
  readonly others: readonly number[] | undefined;

  constructor(
    position: number,
    value: unknown,
    others: readonly number[] | undefined = undefined,
  ) {
    this.position = position;
    this.value = value;
    this.others = others;
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
