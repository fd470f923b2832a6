/**
 * {@linkcode serveWithHeaderTimeout}: `Deno.serve` on a TCP address, with
 * connections closed when a request's headers do not arrive in time.
 *
 * `Deno.serve` (2.5 through 2.9) has no such bound: a client that opens a
 * connection and sends its headers slowly, or never, holds the socket for
 * as long as it likes. This accepts connections itself and hands each to
 * Deno's own HTTP server (the same per-request path as `Deno.serve`), with
 * a timer per connection: armed when the connection opens and whenever it
 * has no request in flight, cleared when a request's headers have arrived
 * (the handler is called). When it fires, the connection is closed. A
 * response that takes long, such as an event stream, is a request in
 * flight and is never cut; a keep-alive connection idle for the bound is
 * closed, as clients expect.
 *
 * Handing a connection to Deno's HTTP server has no public API: this uses
 * `Deno[Deno.internal].serveHttpOnConnection`, present in Deno 2.5 and
 * 2.9. Where it is missing, it serves with plain `Deno.serve` (no bound)
 * and says so once through `onUnbounded`.
 *
 * @module
 */

/** What {@linkcode serveWithHeaderTimeout} listens on and calls. */
export interface HeaderTimeoutServeOptions {
  /** Interface to listen on. */
  readonly hostname: string;
  /** Port (0 picks a free one). */
  readonly port: number;
  /** Milliseconds a connection may go without a request's headers. */
  readonly headerTimeoutMs: number;
  /** Called once listening, with the address. */
  readonly onListen?: (address: { hostname: string; port: number }) => void;
  /** Told why, when the bound cannot be applied on this Deno. */
  readonly onUnbounded?: (why: string) => void;
}

/** A server started by {@linkcode serveWithHeaderTimeout}. */
export interface HeaderTimeoutServer {
  /** The address it listens on. */
  readonly addr: Deno.NetAddr;
  /**
   * Stops accepting, lets requests in flight finish, closes idle
   * connections and resolves once every connection has ended.
   */
  shutdown(): Promise<void>;
}

type ServeHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** Deno's internal server for one connection (as used by `Deno.serve`). */
type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: ServeHandler,
  onError: (error: unknown) => Response,
  onListen: (scheme: string) => void,
) => { finished: Promise<void>; shutdown(): Promise<void> };

function serveOnConnection(): ServeOnConnection | undefined {
  const key = (Deno as unknown as { internal?: symbol }).internal;
  if (typeof key !== "symbol") return undefined;
  const internals = (Deno as unknown as Record<symbol, unknown>)[key] as
    | { serveHttpOnConnection?: unknown }
    | undefined;
  const serve = internals?.serveHttpOnConnection;
  return typeof serve === "function" ? serve as ServeOnConnection : undefined;
}

function internalError(error: unknown): Response {
  console.error("poolflow server: unexpected error", error);
  return new Response("Internal Server Error", { status: 500 });
}

/**
 * Serves `handler` on a TCP address, closing connections on which a
 * request's headers have not arrived within `headerTimeoutMs` (counted
 * from the connection's start, or from the end of its last response).
 *
 * @param options Address, bound and callbacks.
 * @param handler Answers each request, as for `Deno.serve`.
 * @returns The server.
 * @throws {RangeError} If the bound is not a positive number.
 *
 * @example A partial request is closed, a whole one answered
 * ```ts
 * import { serveWithHeaderTimeout } from "./header_timeout.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const server = serveWithHeaderTimeout(
 *   { hostname: "127.0.0.1", port: 0, headerTimeoutMs: 200 },
 *   () => new Response("ok"),
 * );
 * const slow = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await slow.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n"));
 * // The server closes it: the read ends without data.
 * assertEquals(await slow.read(new Uint8Array(64)), null);
 * slow.close();
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * assertEquals(await response.text(), "ok");
 * await server.shutdown();
 * ```
 */
export function serveWithHeaderTimeout(
  options: HeaderTimeoutServeOptions,
  handler: ServeHandler,
): HeaderTimeoutServer {
  const { headerTimeoutMs } = options;
  if (!(headerTimeoutMs > 0) || headerTimeoutMs > 2 ** 31 - 1) {
    throw new RangeError(
      `Invalid header timeout: expected a positive duration, got ${headerTimeoutMs} ms`,
    );
  }
  const serveOn = serveOnConnection();
  if (serveOn === undefined) {
    options.onUnbounded?.(
      `this Deno (${Deno.version.deno}) cannot hand connections to its HTTP server, so slow clients are not closed`,
    );
    const http = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: (addr) => options.onListen?.(addr),
    }, handler);
    return { addr: http.addr, shutdown: () => http.shutdown() };
  }

  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
  });
  const addr = listener.addr;
  const open = new Set<{ stop(): Promise<void> }>();
  let stopping = false;

  const accept = (conn: Deno.Conn) => {
    // Aborting tells Deno's server to drop the connection at once.
    const drop = new AbortController();
    let inFlight = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      timer = setTimeout(() => drop.abort(), headerTimeoutMs);
    };
    const disarm = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const served = serveOn(
      conn,
      drop.signal,
      (request, info) => {
        // The handler runs once the request's headers have arrived.
        disarm();
        inFlight++;
        info.completed.catch(() => {}).finally(() => {
          inFlight--;
          if (inFlight === 0 && !drop.signal.aborted && !stopping) arm();
        });
        return handler(request, info);
      },
      internalError,
      () => {},
    );
    arm();
    const entry = {
      stop: async () => {
        disarm();
        // Nothing to finish: a connection waiting for headers, or idle.
        if (inFlight === 0) drop.abort();
        else await served.shutdown().catch(() => {});
        await served.finished.catch(() => {});
      },
    };
    open.add(entry);
    served.finished.catch(() => {}).finally(() => {
      disarm();
      open.delete(entry);
    });
  };

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        if (stopping) conn.close();
        else accept(conn);
      }
    } catch (error) {
      if (!stopping) throw error;
    }
  })();
  options.onListen?.({ hostname: addr.hostname, port: addr.port });

  return {
    addr,
    async shutdown(): Promise<void> {
      if (!stopping) {
        stopping = true;
        listener.close();
      }
      await accepting.catch(() => {});
      await Promise.all([...open].map((entry) => entry.stop()));
    },
  };
}
