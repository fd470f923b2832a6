/**
 * Run events and the hub that fans them out. Publishing costs nothing when
 * nobody listens, and a slow listener never slows the run: each listener
 * has a bounded queue, and when it falls behind its oldest per-item events
 * are dropped and counted in a `lagged` event.
 *
 * @module
 */

import type { RunStats, RunSummary } from "./stats.ts";

/** The run has started. */
export interface RunStartedEvent {
  /** The event's type. */
  readonly type: "run-started";
  /** The run's id. */
  readonly runId: string;
  /** The workflow's name. */
  readonly workflow: string;
  /** The stage names, in order. */
  readonly stages: readonly string[];
  /** When, in milliseconds since the epoch. */
  readonly at: number;
}

/** Periodic progress: counts, rates and latencies of every stage. */
export interface ProgressEvent {
  /** The event's type. */
  readonly type: "progress";
  /** The stats at this moment. */
  readonly stats: RunStats;
}

/** An item failed for good in a stage (or was an invalid source record). */
export interface ItemFailedEvent {
  /** The event's type. */
  readonly type: "item-failed";
  /** The stage, or `"source"`. */
  readonly stage: string;
  /** The item's position in that stage's input, from 0. */
  readonly index: number;
  /** The error's message. */
  readonly error: string;
  /** Attempts made. */
  readonly attempts: number;
}

/** An attempt failed and will be retried. */
export interface ItemRetriedEvent {
  /** The event's type. */
  readonly type: "item-retried";
  /** The stage. */
  readonly stage: string;
  /** The item's position in that stage's input, from 0. */
  readonly index: number;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Its error's message. */
  readonly error: string;
  /** Milliseconds until the next attempt. */
  readonly delayMs: number;
}

/** A stage's concurrency was changed. */
export interface StageResizedEvent {
  /** The event's type. */
  readonly type: "stage-resized";
  /** The stage. */
  readonly stage: string;
  /** The old concurrency. */
  readonly from: number;
  /** The new concurrency. */
  readonly to: number;
}

/** This listener fell behind and missed events. */
export interface LaggedEvent {
  /** The event's type. */
  readonly type: "lagged";
  /** How many events it missed. */
  readonly dropped: number;
}

/** The run has ended, however it ended. */
export interface RunFinishedEvent {
  /** The event's type. */
  readonly type: "run-finished";
  /** How it ended. */
  readonly summary: RunSummary;
}

/** Anything a run reports. */
export type RunEvent =
  | RunStartedEvent
  | ProgressEvent
  | ItemFailedEvent
  | ItemRetriedEvent
  | StageResizedEvent
  | LaggedEvent
  | RunFinishedEvent;

interface Listener {
  queue: RunEvent[];
  dropped: number;
  wake: (() => void) | undefined;
}

/**
 * Fans events out to any number of listeners, each with its own bounded
 * queue. Internal to the interpreter; listeners see `RunHandle.events`.
 */
export class EventHub implements AsyncIterable<RunEvent> {
  readonly #capacity: number;
  readonly #listeners = new Set<Listener>();
  #final: RunFinishedEvent | undefined;
  #onFirstListener: (() => void) | undefined;

  /**
   * @param capacity Events a listener may fall behind by before dropping.
   * @param onFirstListener Called when a listener joins an idle hub.
   */
  constructor(capacity = 1024, onFirstListener?: () => void) {
    this.#capacity = capacity;
    this.#onFirstListener = onFirstListener;
  }

  /** Whether anybody listens; check it before building a per-item event. */
  get listening(): boolean {
    return this.#listeners.size > 0;
  }

  /** Delivers `event` to every listener; the last event ends them all. */
  publish(event: RunEvent): void {
    if (event.type === "run-finished") this.#final = event;
    for (const listener of this.#listeners) {
      if (listener.queue.length >= this.#capacity) {
        // Drop the oldest event that is not the final one.
        listener.queue.shift();
        listener.dropped++;
      }
      listener.queue.push(event);
      const wake = listener.wake;
      listener.wake = undefined;
      wake?.();
    }
  }

  /**
   * A new listener: events from now on, ending with `run-finished`. A
   * listener that joins after the end gets just that last event.
   */
  [Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    const listener: Listener = { queue: [], dropped: 0, wake: undefined };
    let ended = false;
    if (this.#final) listener.queue.push(this.#final);
    else {
      this.#listeners.add(listener);
      if (this.#listeners.size === 1) this.#onFirstListener?.();
    }
    const leave = () => {
      ended = true;
      this.#listeners.delete(listener);
      listener.queue.length = 0;
      listener.wake?.();
    };
    return {
      next: async (): Promise<IteratorResult<RunEvent>> => {
        while (!ended && listener.queue.length === 0) {
          await new Promise<void>((resolve) => listener.wake = resolve);
        }
        if (ended) return { done: true, value: undefined };
        if (listener.dropped > 0) {
          const dropped = listener.dropped;
          listener.dropped = 0;
          return { done: false, value: { type: "lagged", dropped } };
        }
        const event = listener.queue.shift()!;
        if (event.type === "run-finished") leave();
        return { done: false, value: event };
      },
      return: (): Promise<IteratorResult<RunEvent>> => {
        leave();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
