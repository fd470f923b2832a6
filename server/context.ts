/**
 * The hono environment of the app: what each request carries (its id) and
 * what the runtime passes along (the client's address, from `Deno.serve`).
 *
 * @module
 */

import type { Context } from "npm:hono@4.13.19";

/**
 * What `Deno.serve` and `deno serve` pass with each request, as far as the
 * server needs it: `Deno.ServeHandlerInfo` fits.
 */
export interface ClientInfo {
  /** The client's address. */
  readonly remoteAddr?: {
    /** `"tcp"`, `"unix"`, ... */
    readonly transport: string;
    /** The client's IP address, for TCP. */
    readonly hostname?: string;
  };
}

/** The app's hono environment. */
export type AppEnv = {
  /** Set per request by the app's first middleware. */
  Variables: { requestId: string };
  /** The second argument of `fetch` (absent in in-process calls). */
  Bindings: ClientInfo;
};

/** A request's context in this app. */
export type AppContext = Context<AppEnv>;

/** How the server reports what it does not tell clients. */
export interface LogEntry {
  /** `"error"` for failures, `"info"` otherwise. */
  readonly level: "error" | "info";
  /** What happened. */
  readonly message: string;
  /** The request it happened in, if any. */
  readonly requestId?: string;
  /** The error, with its stack, if any. */
  readonly error?: unknown;
}

/** Receives the server's log entries. */
export type Logger = (entry: LogEntry) => void;

/**
 * The default logger: errors with their detail to stderr.
 *
 * @param entry The entry.
 *
 * @example
 * ```ts ignore
 * import { consoleLogger } from "./context.ts";
 *
 * consoleLogger({ level: "info", message: "listening" });
 * ```
 */
export function consoleLogger(entry: LogEntry): void {
  const id = entry.requestId ? ` [${entry.requestId}]` : "";
  if (entry.level === "error") {
    console.error(`poolflow server${id}: ${entry.message}`, entry.error ?? "");
  } else {
    console.log(`poolflow server${id}: ${entry.message}`);
  }
}
