/**
 * `GET /runs/:id/events`: a run's events as server-sent events through
 * hono's `streamSSE`. Each event has an increasing `id:`, its type as
 * `event:` and its JSON as `data:`. A client resumes with `Last-Event-ID`
 * from the run's replay buffer (told by a `lagged` event when it fell
 * too far behind); a client going away ends only its own stream.
 *
 * @module
 */

import type { Context } from "npm:hono@4.13.19";
import { streamSSE } from "npm:hono@4.13.19/streaming";
import { ApiError } from "./errors.ts";
import type { EventLog } from "./event_log.ts";
import type { StreamTracker } from "./streams.ts";

/** Options of {@linkcode eventStreamResponse}. */
export interface EventStreamOptions {
  /** The server's open streams. */
  readonly streams: StreamTracker;
  /** Milliseconds of silence after which a `: keep-alive` comment is sent. */
  readonly keepAliveMs: number;
}

/**
 * The last event id a client has, from `Last-Event-ID` (or the
 * `lastEventId` query parameter, for clients that cannot set headers).
 *
 * @param header The header's value, if sent.
 * @param query The query parameter's value, if sent.
 * @returns The id, 0 for none.
 * @throws {ApiError} 400 if it is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { lastEventId } from "./sse.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(lastEventId("12", undefined), 12);
 * assertEquals(lastEventId(undefined, undefined), 0);
 * ```
 */
export function lastEventId(
  header: string | undefined,
  query: string | undefined,
): number {
  const value = (header ?? query)?.trim();
  if (value === undefined || value === "") return 0;
  if (!/^\d{1,15}$/.test(value)) {
    throw new ApiError(
      400,
      "bad_request",
      `Invalid Last-Event-ID: expected the id of an event (an integer >= 0), got ${
        JSON.stringify(value.slice(0, 40))
      }`,
      { field: header === undefined ? "lastEventId" : "Last-Event-ID" },
    );
  }
  return Number(value);
}

/**
 * Streams a run's events after `after` as server-sent events, until
 * `run-finished`, the client leaving or the server closing. When the run
 * has ended and the client has every event, answers 204, which tells an
 * `EventSource` not to reconnect.
 *
 * @param c The request's context.
 * @param log The run's events.
 * @param after The last event id the client has.
 * @param options The stream tracker and keep-alive interval.
 * @returns The response.
 * @throws {ApiError} 429 if too many streams are open.
 *
 * @example
 * ```ts ignore
 * import { eventStreamResponse, lastEventId } from "./sse.ts";
 *
 * app.get("/runs/:id/events", (c) => {
 *   const run = runs.get(c.req.param("id"));
 *   const after = lastEventId(c.req.header("last-event-id"), c.req.query("lastEventId"));
 *   return eventStreamResponse(c, run.events, after, { streams, keepAliveMs: 15_000 });
 * });
 * ```
 */
export function eventStreamResponse(
  c: Context,
  log: EventLog,
  after: number,
  options: EventStreamOptions,
): Response {
  if (log.finished && after >= log.lastId) return c.body(null, 204);
  let abortStream: () => void = () => {};
  const slot = options.streams.open(() => abortStream());
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    const left = new AbortController();
    abortStream = () => {
      left.abort();
      stream.abort();
    };
    stream.onAbort(() => left.abort());
    const stop = AbortSignal.any([left.signal, slot.signal]);
    try {
      let cursor = after;
      while (!stop.aborted) {
        const { events, missed } = log.since(cursor);
        if (missed > 0 && events.length > 0) {
          await stream.writeSSE({
            event: "lagged",
            data: JSON.stringify({ type: "lagged", dropped: missed }),
          });
        }
        for (const event of events) {
          if (stop.aborted) break;
          await stream.writeSSE({
            id: String(event.id),
            event: event.type,
            data: event.data,
          });
          cursor = event.id;
        }
        if (log.finished && cursor >= log.lastId) break;
        if (events.length === 0) {
          const woken = await log.changes.wait(stop, options.keepAliveMs);
          if (woken === "timeout") await stream.write(": keep-alive\n\n");
        }
      }
    } finally {
      slot.release();
    }
  });
}
