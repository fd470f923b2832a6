/**
 * Fetching JSON or text over HTTP with what a pipeline stage needs: the
 * run's abort signal, a typed error for a failed status, retries of 429
 * and 5xx answers that honour `Retry-After`, and no leaked response body.
 *
 * @module
 */

import { applyJitter, backoffDelay } from "../policy/policy.ts";
import { retryWith } from "../policy/retry.ts";
import { checkCount } from "../units/check.ts";
import { type Duration, parseDuration } from "../units/duration.ts";
import { HttpError } from "./http_error.ts";

/** Options of {@linkcode fetchJson} and {@linkcode fetchText}. */
export interface FetchOptions {
  /** Aborts the request, and any wait before a retry. */
  signal?: AbortSignal;
  /** Request headers. */
  headers?: HeadersInit;
  /** The request method. Defaults to `"GET"`. */
  method?: string;
  /**
   * The request body. A `ReadableStream` can be sent only once, so a
   * request with one is not retried.
   */
  body?: BodyInit | null;
  /**
   * Retries after a 429 or 5xx answer: an integer `>= 0`. Defaults to 3.
   */
  retries?: number;
  /**
   * The longest wait before a retry, `Retry-After` included. Defaults to
   * `"30s"`.
   */
  maxRetryDelay?: Duration;
  /** Called before each retry, with the status and the wait in milliseconds. */
  onRetry?: (retry: HttpRetry) => void;
}

/** What {@linkcode FetchOptions.onRetry} is told before a retry. */
export interface HttpRetry {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Its status, 429 or 5xx. */
  readonly status: number;
  /** Milliseconds until the next attempt. */
  readonly delayMs: number;
}

/** What {@linkcode httpJson} passes on: all of {@linkcode FetchOptions} but the signal. */
export type HttpTaskOptions = Omit<FetchOptions, "signal">;

/** The part of a task's context that {@linkcode httpJson} uses. */
export interface HttpTaskContext {
  /** Aborts the request. */
  readonly signal: AbortSignal;
}

/** Base of the default exponential backoff, in milliseconds. */
const BACKOFF_BASE_MS = 250;
/** Bytes of a failed response's body kept for the error. */
const EXCERPT_BYTES = 1024;

/** Milliseconds a `Retry-After` value asks for, or `undefined` if it is not one. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Reads the start of a body as text, and cancels the rest. */
async function readExcerpt(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body that fails to arrive leaves the excerpt short.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES)).trim();
}

/**
 * Fetches until a 2xx answer, retrying 429 and 5xx as the options say.
 * Every response that is not returned has its body consumed or cancelled.
 */
async function fetchOk(
  input: string | URL,
  options: FetchOptions,
): Promise<{ response: Response; method: string }> {
  const method = (options.method ?? "GET").toUpperCase();
  const signal = options.signal;
  const retries = options.body instanceof ReadableStream
    ? 0
    : checkCount(options.retries ?? 3, "retries", { min: 0 });
  const maxDelay = parseDuration(
    options.maxRetryDelay ?? "30s",
    "maxRetryDelay",
  );
  const init: RequestInit = { method };
  if (signal !== undefined) init.signal = signal;
  if (options.headers !== undefined) init.headers = options.headers;
  if (options.body !== undefined) init.body = options.body;
  // The loop is the shared retry(): a retriable answer is thrown as a
  // RetriableAnswer (its body cancelled), the last one as an HttpError.
  const response = await retryWith(async (attempt) => {
    const response = await fetch(input, init);
    if (response.ok) return response;
    const status = response.status;
    if ((status === 429 || status >= 500) && attempt <= retries) {
      await response.body?.cancel();
      throw new RetriableAnswer(
        status,
        retryAfterMs(response.headers.get("retry-after")),
      );
    }
    const excerpt = await readExcerpt(response);
    throw new HttpError(
      method,
      response.url || String(input),
      status,
      response.statusText,
      excerpt,
    );
  }, {
    attempts: retries + 1,
    delayAfter: (attempt) =>
      applyJitter(
        "equal",
        backoffDelay("exponential", BACKOFF_BASE_MS, maxDelay, attempt),
      ),
    retryIf: (error) => error instanceof RetriableAnswer,
  }, {
    ...(signal === undefined ? {} : { signal }),
    delay: (error, _attempt, backoffMs) =>
      Math.min((error as RetriableAnswer).retryAfterMs ?? backoffMs, maxDelay),
    onRetry: ({ attempt, error, delayMs }) =>
      options.onRetry?.({
        attempt,
        status: (error as RetriableAnswer).status,
        delayMs,
      }),
  });
  return { response, method };
}

/** A 429 or 5xx answer that will be retried: what the retry loop needs. */
class RetriableAnswer extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}, retrying`);
  }
}

/**
 * Fetches a URL and returns its body as text. A 429 or 5xx answer is
 * retried (`retries` times, default 3) after the wait its `Retry-After`
 * header asks for (seconds or an HTTP date), or an exponential backoff from
 * 250 ms, either capped by `maxRetryDelay`; the wait ends early, rejecting
 * with the signal's reason, if `signal` aborts. Bodies of answers that are
 * not returned are consumed or cancelled, so nothing leaks.
 *
 * @param input The address.
 * @param options Signal, method, headers, body, retries.
 * @returns The body of the 2xx answer.
 * @throws {HttpError} For an answer that is not 2xx (after the retries),
 * with its status and the start of its body.
 * @throws {TypeError} For a network failure, or a bad `retries`.
 * @throws {RangeError} For a bad `maxRetryDelay`.
 *
 * @example Fetch text from a local server
 * ```ts
 * import { fetchText } from "./http.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   () => new Response("hello"),
 * );
 * try {
 *   assertEquals(await fetchText(`http://127.0.0.1:${server.addr.port}/`), "hello");
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 */
export async function fetchText(
  input: string | URL,
  options: FetchOptions = {},
): Promise<string> {
  const { response } = await fetchOk(input, options);
  return await response.text();
}

/**
 * Fetches a URL and parses its body as JSON, retrying 429 and 5xx answers
 * like {@linkcode fetchText}.
 *
 * @typeParam T The type of the JSON, as the caller knows it (not checked).
 * @param input The address.
 * @param options Signal, method, headers, body, retries.
 * @returns The parsed body of the 2xx answer.
 * @throws {HttpError} For an answer that is not 2xx (after the retries),
 * with its status and the start of its body.
 * @throws {SyntaxError} If the body is not JSON (the message names the URL).
 * @throws {TypeError} For a network failure, or a bad `retries`.
 *
 * @example A 404 is an HttpError with its status
 * ```ts
 * import { fetchJson } from "./http.ts";
 * import { HttpError } from "./http_error.ts";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   (request) =>
 *     new URL(request.url).pathname === "/users/1"
 *       ? Response.json({ id: 1, name: "Ada" })
 *       : new Response("no such user", { status: 404 }),
 * );
 * const base = `http://127.0.0.1:${server.addr.port}`;
 * try {
 *   const user = await fetchJson<{ id: number; name: string }>(`${base}/users/1`);
 *   assertEquals(user.name, "Ada");
 *   const error = await assertRejects(() => fetchJson(`${base}/users/7`), HttpError);
 *   assertEquals(error.status, 404);
 *   assertEquals(error.body, "no such user");
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 */
export async function fetchJson<T = unknown>(
  input: string | URL,
  options: FetchOptions = {},
): Promise<T> {
  const { response, method } = await fetchOk(input, options);
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SyntaxError(
      `The answer to ${method} ${response.url || String(input)} is not JSON: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
}

/**
 * Makes a pipeline task that fetches JSON for each item: `urlOf(item)` is
 * the address, the task's `ctx.signal` aborts the request and its retry
 * waits, and the other options are those of {@linkcode fetchJson}.
 *
 * @typeParam I The item type.
 * @typeParam T The type of the JSON, as the caller knows it (not checked).
 * @param urlOf The address for an item.
 * @param options Method, headers, body, retries.
 * @returns A task function `(item, ctx) => Promise<T>`.
 *
 * @example Look up each id
 * ```ts
 * import { httpJson } from "./http.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   (request) => Response.json({ path: new URL(request.url).pathname }),
 * );
 * try {
 *   const lookUp = httpJson<number, { path: string }>(
 *     (id) => `http://127.0.0.1:${server.addr.port}/users/${id}`,
 *   );
 *   const { signal } = new AbortController();
 *   assertEquals(await lookUp(7, { signal }), { path: "/users/7" });
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 */
export function httpJson<I, T = unknown>(
  urlOf: (item: I) => string | URL,
  options: HttpTaskOptions = {},
): (item: I, ctx: HttpTaskContext) => Promise<T> {
  return (item, ctx) =>
    fetchJson<T>(urlOf(item), { ...options, signal: ctx.signal });
}
