/**
 * {@linkcode limitBody}: the request body limit, as hono middleware.
 *
 * hono's own `bodyLimit` rebuilds a chunked request with
 * `new Request(request, init)`, which reads `request.signal`; on
 * `Deno.serve` that makes Deno print a warning about its legacy abort
 * behaviour on the first such request. This one rebuilds the request from
 * its URL, method and headers only, so the signal is never touched.
 *
 * @module
 */

import type { Context, MiddlewareHandler, Next } from "npm:hono@4.13.19";

/**
 * Middleware that refuses bodies larger than `maxBytes`: by their
 * `Content-Length` when they declare one, or by counting a chunked body
 * as it arrives (then buffered, at most `maxBytes`, for the handlers).
 *
 * @param maxBytes The largest body allowed, in bytes.
 * @param tooLarge Called (and its result returned or thrown) when a body
 * is larger.
 * @returns The middleware.
 *
 * @example Refuse a chunked body over 4 bytes
 * ```ts
 * import { Hono } from "npm:hono@4.13.19";
 * import { limitBody } from "./body_limit.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const app = new Hono();
 * app.use(limitBody(4, (c) => c.text("too large", 413)));
 * app.post("/", async (c) => c.text(await c.req.text()));
 * const chunked = (text: string) =>
 *   new ReadableStream<Uint8Array>({
 *     start(controller) {
 *       controller.enqueue(new TextEncoder().encode(text));
 *       controller.close();
 *     },
 *   });
 * const ok = await app.request("/", { method: "POST", body: chunked("abc") });
 * assertEquals(await ok.text(), "abc");
 * const big = await app.request("/", { method: "POST", body: chunked("abcdef") });
 * assertEquals(big.status, 413);
 * ```
 */
export function limitBody(
  maxBytes: number,
  tooLarge: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return async (c: Context, next: Next): Promise<Response | void> => {
    const request = c.req.raw;
    if (request.body === null) return await next();
    const length = request.headers.get("content-length");
    if (length !== null && !request.headers.has("transfer-encoding")) {
      if (Number(length) > maxBytes) return await tooLarge(c);
      return await next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return await tooLarge(c);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    // From the URL, not from `request`: copying a request reads its signal.
    c.req.raw = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body,
    });
    return await next();
  };
}
