/**
 * {@linkcode EventLog}: a run's events, numbered from 1 and kept in a
 * bounded replay buffer, so an event-stream client can resume after a
 * dropped connection with `Last-Event-ID`. Progress events are coalesced:
 * only the latest is kept, as each one supersedes the one before.
 *
 * @module
 */

import type { RunEvent } from "../lib/workflow/events.ts";
import { Notifier } from "./notifier.ts";

/** An event as sent: its id, its type (the SSE `event:`), its JSON. */
export interface LoggedEvent {
  /** The event's id, from 1, increasing. */
  readonly id: number;
  /** The event's type, such as `"progress"`. */
  readonly type: RunEvent["type"];
  /** The event as JSON, made once for every client. */
  readonly data: string;
}

/** What a client gets when it asks for the events after an id. */
export interface Replay {
  /** The kept events after the id, in order. */
  readonly events: readonly LoggedEvent[];
  /**
   * How many events after the id fell out of the buffer before this client
   * read them (at most; coalesced progress events are not counted as lost).
   */
  readonly missed: number;
}

/**
 * A run's events with ids and a bounded replay buffer.
 *
 * @example Resume after an id
 * ```ts
 * import { EventLog } from "./event_log.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const log = new EventLog(10);
 * log.push({ type: "stage-resized", stage: "a", from: 1, to: 2 });
 * log.push({ type: "stage-resized", stage: "a", from: 2, to: 3 });
 * assertEquals(log.since(1).events.map((e) => e.id), [2]);
 * ```
 */
export class EventLog {
  /** Notified on every new event. */
  readonly changes: Notifier = new Notifier();
  readonly #capacity: number;
  #entries: LoggedEvent[] = [];
  #lastProgress: LoggedEvent | undefined;
  #nextId = 1;
  #evictedThrough = 0;
  #finished = false;

  /**
   * Creates an empty log.
   *
   * @param capacity Events kept for replay, at least 1.
   */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** The id of the last event, 0 before the first. */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /** Whether the run's last event (`run-finished`) is in. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Adds an event, numbering it. A progress event replaces the previous
   * one; when the buffer is full the oldest event leaves it.
   *
   * @param event The event.
   */
  push(event: RunEvent): void {
    if (this.#finished) return;
    const logged: LoggedEvent = {
      id: this.#nextId++,
      type: event.type,
      data: JSON.stringify(event),
    };
    if (event.type === "progress") {
      if (this.#lastProgress !== undefined) {
        const at = this.#entries.lastIndexOf(this.#lastProgress);
        if (at !== -1) this.#entries.splice(at, 1);
      }
      this.#lastProgress = logged;
    }
    if (this.#entries.length >= this.#capacity) {
      this.#evictedThrough = this.#entries.shift()!.id;
    }
    this.#entries.push(logged);
    if (event.type === "run-finished") this.#finished = true;
    this.changes.notify();
  }

  /**
   * The kept events after `lastId`.
   *
   * @param lastId The last id the client has, 0 for all.
   * @returns The events, and how many it missed.
   */
  since(lastId: number): Replay {
    const entries = this.#entries;
    // Ids increase along the buffer: find the first one after lastId.
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (entries[middle]!.id <= lastId) low = middle + 1;
      else high = middle;
    }
    return {
      events: entries.slice(low),
      missed: Math.max(0, this.#evictedThrough - Math.max(lastId, 0)),
    };
  }
}
