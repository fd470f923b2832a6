/**
 * One error type and one error body for every failure the HTTP runner
 * reports: `{ error: { code, message, field?, reason?, requestId? } }`. Messages
 * never carry a stack trace, and {@linkcode redactPaths} takes file paths
 * out of the text that runs report.
 *
 * @module
 */

/** The machine-readable `code` of an error body. */
export type ErrorCode =
  | "bad_request"
  | "invalid_json"
  | "unsupported_media_type"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "too_many_requests"
  | "unavailable"
  | "internal";

/** The body of every error response. */
export interface ErrorBody {
  /** What went wrong. */
  readonly error: {
    /** A stable code, such as `"bad_request"`. */
    readonly code: ErrorCode;
    /** A sentence for people, naming the bad value and what to do. */
    readonly message: string;
    /** The request field at fault, such as `"params.count"`. */
    readonly field?: string;
    /**
     * A finer, stable reason for some 400s, such as `"path_absolute"` (a
     * `PathParamError`'s code) when a path param was refused.
     */
    readonly reason?: string;
    /** The request's id, to find the server's log line (500s only). */
    readonly requestId?: string;
  };
}

/** Options of {@linkcode ApiError}. */
export interface ApiErrorOptions {
  /** The request field at fault. */
  field?: string | undefined;
  /** A finer, stable reason, such as a `PathParamError`'s code. */
  reason?: string | undefined;
  /** Extra response headers, such as `Retry-After`. */
  headers?: Readonly<Record<string, string>>;
  /** The underlying error, for the log (never sent). */
  cause?: unknown;
}

/**
 * A request that cannot be served, with the status and body to answer.
 *
 * @example A bad field
 * ```ts
 * import { ApiError } from "./errors.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const error = new ApiError(400, "bad_request", "Invalid concurrency: expected an integer >= 1, got 0", {
 *   field: "concurrency",
 * });
 * const response = error.toResponse();
 * assertEquals(response.status, 400);
 * assertEquals((await response.json()).error.field, "concurrency");
 * ```
 */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The error body's code. */
  readonly code: ErrorCode;
  /** The request field at fault. */
  readonly field: string | undefined;
  /** A finer, stable reason, if any. */
  readonly reason: string | undefined;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * Creates the error.
   *
   * @param status The HTTP status, 400 to 599.
   * @param code The body's code.
   * @param message What is wrong and what to do, in sentence case.
   * @param options The field at fault, headers, cause.
   */
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.reason = options.reason;
    this.headers = options.headers ?? {};
  }

  /**
   * The error as a JSON response.
   *
   * @param requestId The request's id, added to the body of 5xx answers.
   * @returns The response.
   */
  toResponse(requestId?: string): Response {
    return errorResponse(this.status, this.code, this.message, {
      field: this.field,
      reason: this.reason,
      requestId: this.status >= 500 ? requestId : undefined,
      headers: this.headers,
    });
  }
}

/**
 * The body of every error answer: `{ error: { code, message, field?, requestId? } }`.
 *
 * @param code The machine-readable code.
 * @param message What went wrong, for people.
 * @param options The field at fault, and the request id of a 5xx.
 * @returns The body.
 */
export function errorBody(
  code: ErrorCode,
  message: string,
  options: {
    field?: string | undefined;
    reason?: string | undefined;
    requestId?: string | undefined;
  } = {},
): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(options.field === undefined ? {} : { field: options.field }),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      ...(options.requestId === undefined
        ? {}
        : { requestId: options.requestId }),
    },
  };
}

/**
 * A JSON error response with the common body.
 *
 * @param status The HTTP status.
 * @param code The body's code.
 * @param message The body's message.
 * @param options The field, request id and extra headers.
 * @returns The response.
 *
 * @example A 404
 * ```ts
 * import { errorResponse } from "./errors.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const response = errorResponse(404, "not_found", 'No run "x"');
 * assertEquals(await response.json(), { error: { code: "not_found", message: 'No run "x"' } });
 * ```
 */
export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  options: {
    field?: string | undefined;
    reason?: string | undefined;
    requestId?: string | undefined;
    headers?: Readonly<Record<string, string>>;
  } = {},
): Response {
  return Response.json(errorBody(code, message, options), {
    status,
    headers: { "Cache-Control": "no-store", ...options.headers },
  });
}

// An absolute POSIX path of two or more segments, not part of a URL.
const POSIX_PATH = /(?<![\w:/.@-])(?:\/[^\s/"'`<>():;,]+){2,}/g;
const WINDOWS_PATH =
  /\b[A-Za-z]:\\(?:[^\s\\"'`<>():;,]+\\)*([^\s\\"'`<>():;,]*)/g;
const FILE_URL = /file:\/\/[^\s"'`<>()]*/g;

/**
 * Replaces file paths and `file:` URLs in `text` by their last segment, so
 * messages that runs report (an item's error, a failed run's reason) do
 * not show where the server keeps its files. HTTP URLs are left alone.
 *
 * @param text A message.
 * @returns The message without directories.
 *
 * @example
 * ```ts
 * import { redactPaths } from "./errors.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   redactPaths('Cannot read input file "/srv/app/data/in.csv": not found'),
 *   'Cannot read input file "in.csv": not found',
 * );
 * assertEquals(redactPaths("GET https://api.example.com/a/b failed"), "GET https://api.example.com/a/b failed");
 * ```
 */
export function redactPaths(text: string): string {
  return text
    .replace(FILE_URL, (url) => lastSegment(url))
    .replace(POSIX_PATH, (path) => lastSegment(path))
    .replace(WINDOWS_PATH, (_path, last: string) => last);
}

function lastSegment(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}
