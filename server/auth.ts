/**
 * Who may call the server. With a token, every request but `/health` must
 * carry `Authorization: Bearer <token>`, compared in constant time: both
 * sides are hashed with SHA-256 first, so neither the content nor the
 * length of the token shows in the time taken. Without a token, only
 * loopback clients are answered, unless remote access is allowed
 * explicitly.
 *
 * @module
 */

import type { MiddlewareHandler } from "npm:hono@4.13.19";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(text)),
  );
}

/**
 * Whether two byte arrays of the same length are equal, looking at every
 * byte whatever the first difference.
 */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * Checks a token against the expected one's SHA-256 digest in constant
 * time.
 *
 * @param expected The digest of the server's token.
 * @param given The token a request carries.
 * @returns Whether they match.
 *
 * @example
 * ```ts
 * import { tokenMatches } from "./auth.ts";
 * import { assert } from "@std/assert";
 *
 * const expected = new Uint8Array(
 *   await crypto.subtle.digest("SHA-256", new TextEncoder().encode("s3cret-token-0123")),
 * );
 * assert(await tokenMatches(expected, "s3cret-token-0123"));
 * assert(!(await tokenMatches(expected, "s3cret")));
 * ```
 */
export async function tokenMatches(
  expected: Uint8Array,
  given: string,
): Promise<boolean> {
  return equalInConstantTime(expected, await sha256(given));
}

/**
 * Middleware that requires `Authorization: Bearer <token>`.
 *
 * @param token The server's token.
 * @returns The middleware; it answers 401 to a missing or wrong token.
 *
 * @example
 * ```ts ignore
 * import { Hono } from "hono";
 * import { bearerAuth } from "./auth.ts";
 *
 * const app = new Hono();
 * app.use(bearerAuth("a-token-of-16-chars-or-more"));
 * ```
 */
export function bearerAuth(token: string): MiddlewareHandler<AppEnv> {
  // Hashed on first use: a server that never checks a token starts no
  // crypto work (which would outlive a short-lived server, as in tests).
  let expected: Promise<Uint8Array> | undefined;
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = header === undefined
      ? null
      : /^Bearer[ ]+([!-~]+)\s*$/i.exec(header);
    if (match === null) {
      throw new ApiError(
        401,
        "unauthorized",
        'Missing token: send the header "Authorization: Bearer <token>"',
        { headers: { "WWW-Authenticate": 'Bearer realm="poolflow"' } },
      );
    }
    expected ??= sha256(token);
    if (!(await tokenMatches(await expected, match[1]!))) {
      throw new ApiError(401, "unauthorized", "Invalid token", {
        headers: {
          "WWW-Authenticate": 'Bearer realm="poolflow", error="invalid_token"',
        },
      });
    }
    await next();
  };
}

/**
 * Whether a host name or address is the loopback interface.
 *
 * @param hostname Such as `"127.0.0.1"`, `"::1"` or `"localhost"`.
 * @returns Whether only this machine can reach it.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./auth.ts";
 * import { assert } from "@std/assert";
 *
 * assert(isLoopback("127.0.0.1") && isLoopback("[::1]") && isLoopback("localhost"));
 * assert(!isLoopback("0.0.0.0") && !isLoopback("192.168.1.2"));
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return host === "localhost" || host === "::1" ||
    /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Middleware for a server without a token: it answers 403 to clients that
 * do not come from the loopback interface. Requests without an address
 * (in-process calls, Unix sockets) are local.
 *
 * @returns The middleware.
 *
 * @example
 * ```ts ignore
 * import { Hono } from "hono";
 * import { loopbackOnly } from "./auth.ts";
 *
 * const app = new Hono();
 * app.use(loopbackOnly());
 * Deno.serve(app.fetch); // a client from 10.0.0.2 gets 403
 * ```
 */
export function loopbackOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const address = (c.env as AppEnv["Bindings"] | undefined)?.remoteAddr;
    if (
      address?.transport === "tcp" && address.hostname !== undefined &&
      !isLoopback(address.hostname)
    ) {
      throw new ApiError(
        403,
        "forbidden",
        "This server has no token, so it answers only this machine: start it with a token (POOLFLOW_TOKEN) to allow remote clients",
      );
    }
    await next();
  };
}
