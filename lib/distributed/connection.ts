/**
 * Redis connections from a URL. BullMQ under Deno needs clients built here
 * (it cannot load ioredis itself in native ESM), with
 * `maxRetriesPerRequest: null` as its workers require.
 *
 * @module
 */

import { Redis } from "npm:ioredis@6.1.0";
import { DistributedError } from "./errors.ts";

/** Where Redis is, parsed from `redis://[user:password@]host:port[/db]`. */
export interface RedisAddress {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Database number. */
  readonly db: number;
  /** User name, if any. */
  readonly username: string | undefined;
  /** Password, if any. */
  readonly password: string | undefined;
}

/**
 * Parses a Redis URL.
 *
 * @param url Such as `redis://127.0.0.1:6379`.
 * @returns Its parts.
 * @throws {DistributedError} `BAD_REDIS_URL` if it is not a `redis:` URL.
 */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw badUrl(url, error);
  }
  if (parsed.protocol !== "redis:" || parsed.hostname === "") {
    throw badUrl(url);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw badUrl(url);
  return {
    host: parsed.hostname,
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    db,
    username: parsed.username === ""
      ? undefined
      : decodeURIComponent(parsed.username),
    password: parsed.password === ""
      ? undefined
      : decodeURIComponent(parsed.password),
  };
}

function badUrl(url: string, cause?: unknown): DistributedError {
  return new DistributedError(
    "BAD_REDIS_URL",
    `Invalid Redis URL "${url}": expected redis://host:port such as redis://127.0.0.1:6379`,
    { cause },
  );
}

/** How a client behaves when Redis goes away. */
export interface ConnectOptions {
  /**
   * Give up reconnecting after this many milliseconds (the client then
   * ends and `onLost` is called); by default it retries for ever.
   */
  readonly giveUpAfterMs?: number;
  /** Called once when the client gives up, with the last error seen. */
  readonly onLost?: (error: unknown) => void;
}

/**
 * Opens a client to `address`, as BullMQ needs it.
 *
 * @param address Where Redis is.
 * @param options When to give up.
 * @returns The client (connecting).
 */
export function connect(
  address: RedisAddress,
  options: ConnectOptions = {},
): Redis {
  let lastError: unknown;
  let failingSince: number | undefined;
  const client = new Redis({
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username === undefined ? {} : { username: address.username }),
    ...(address.password === undefined ? {} : { password: address.password }),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number): number | null => {
      failingSince ??= Date.now();
      const limit = options.giveUpAfterMs;
      if (limit !== undefined && Date.now() - failingSince >= limit) {
        return null;
      }
      return Math.min(50 * times, 500);
    },
  });
  // An EventEmitter without an "error" listener throws.
  client.on("error", (error: unknown) => {
    lastError = error;
  });
  client.on("ready", () => {
    failingSince = undefined;
  });
  let ended = false;
  client.on("end", () => {
    if (ended) return;
    ended = true;
    if (failingSince !== undefined) options.onLost?.(lastError);
  });
  return client;
}
