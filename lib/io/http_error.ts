/**
 * {@linkcode HttpError}: an HTTP request answered with a status that is
 * not 2xx.
 *
 * @module
 */

/**
 * A request got a response whose status is not 2xx (after any retries).
 * Carries what a caller needs to decide: the status, the address and the
 * start of the response's body.
 *
 * @example Tell a missing record from an outage
 * ```ts
 * import { HttpError } from "./http_error.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new HttpError("GET", "https://api.example/users/7", 404, "Not Found", "no such user");
 * assertEquals(error.message, "GET https://api.example/users/7 failed: 404 Not Found");
 * assertEquals(error.status, 404);
 * ```
 */
export class HttpError extends Error {
  /** The request method, such as `"GET"`. */
  readonly method: string;
  /** The address that answered (after redirects). */
  readonly url: string;
  /** The response status, such as `503`. */
  readonly status: number;
  /** The response status text, such as `"Service Unavailable"` (may be empty). */
  readonly statusText: string;
  /** The start of the response body, cut to about 200 characters. */
  readonly body: string;

  /**
   * Creates the error of a request that failed.
   *
   * @param method The request method.
   * @param url The address that answered.
   * @param status The response status.
   * @param statusText The response status text.
   * @param body The start of the response body.
   */
  constructor(
    method: string,
    url: string,
    status: number,
    statusText: string,
    body = "",
  ) {
    super(
      `${method} ${url} failed: ${status}${statusText ? ` ${statusText}` : ""}`,
    );
    this.name = "HttpError";
    this.method = method;
    this.url = url;
    this.status = status;
    this.statusText = statusText;
    this.body = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  }
}
