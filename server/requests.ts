/**
 * Reading and checking request bodies and queries. Every problem is a 400
 * that names the field (`params.count`, `concurrency.fetch`), and unknown
 * fields are refused: a silently ignored option is how a run does
 * something other than what was asked.
 *
 * @module
 */

import { describeValue } from "../lib/units/check.ts";
import { ApiError } from "./errors.ts";
import type { ResolvedLimits } from "./limits.ts";

/** A parameter value as a request gives it. */
export type ParamValue = string | number | boolean;

/** What `POST /runs` asks for. */
export interface CreateRunRequest {
  /** The registered workflow's name. */
  readonly workflow: string;
  /** Parameter values, checked against the workflow's declaration later. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Default concurrency of the stages, if given. */
  readonly concurrency: number | undefined;
  /** Inline input rows instead of the workflow's source, if given. */
  readonly input: readonly unknown[] | undefined;
  /**
   * Continue the latest unfinished durable run of the workflow writing to
   * the same outputs, instead of starting again.
   */
  readonly resume: boolean;
  /** With `resume`: resume even if the workflow or its input changed. */
  readonly force: boolean;
}

const CREATE_FIELDS = [
  "workflow",
  "params",
  "concurrency",
  "input",
  "resume",
  "force",
] as const;

function checkFlag(value: unknown, field: string): boolean {
  if (value !== undefined && typeof value !== "boolean") {
    throw badRequest(
      field,
      `Invalid ${field}: expected true or false, got ${describeValue(value)}`,
    );
  }
  return value === true;
}

function checkForce(resume: boolean, force: boolean): void {
  if (force && !resume) {
    throw badRequest(
      "force",
      'Invalid force: it only applies with "resume": true; send both, or neither',
    );
  }
}

function badRequest(field: string, message: string): ApiError {
  return new ApiError(400, "bad_request", message, { field });
}

function checkObject(
  value: unknown,
  field: string,
  what: string,
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest(
      field,
      `Invalid ${field}: expected ${what}, got ${describeValue(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

function rejectUnknown(
  object: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw badRequest(
        `${prefix}${key}`,
        `Unknown field "${prefix}${key}": allowed are ${allowed.join(", ")}`,
      );
    }
  }
}

function checkConcurrency(
  value: unknown,
  field: string,
  min: number,
  limits: ResolvedLimits,
): number {
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) ||
    value < min || value > limits.maxConcurrency
  ) {
    throw badRequest(
      field,
      `Invalid ${field}: expected an integer from ${min} to ${limits.maxConcurrency}, got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Checks the JSON body of `POST /runs`.
 *
 * @param body The parsed JSON.
 * @param limits The server's limits.
 * @returns The request.
 * @throws {ApiError} 400 naming the field.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import { parseCreateRun } from "./requests.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * const limits = resolveLimits();
 * assertEquals(parseCreateRun({ workflow: "w", params: { n: 3 } }, limits).params, { n: 3 });
 * assertThrows(() => parseCreateRun({ workflow: "w", colour: 1 }, limits), Error, '"colour"');
 * ```
 */
export function parseCreateRun(
  body: unknown,
  limits: ResolvedLimits,
): CreateRunRequest {
  const object = checkObject(body, "body", "a JSON object");
  rejectUnknown(object, CREATE_FIELDS, "");
  const workflow = checkWorkflowName(object.workflow);
  // Built with fromEntries, so a key such as "__proto__" stays a plain key.
  let params: Record<string, ParamValue> = {};
  if (object.params !== undefined) {
    const given = checkObject(object.params, "params", "an object");
    for (const [key, value] of Object.entries(given)) {
      if (!["string", "number", "boolean"].includes(typeof value)) {
        throw badRequest(
          `params.${key}`,
          `Invalid params.${key}: expected a string, number or boolean, got ${
            describeValue(value)
          }`,
        );
      }
    }
    params = Object.fromEntries(Object.entries(given)) as Record<
      string,
      ParamValue
    >;
  }
  const concurrency = object.concurrency === undefined
    ? undefined
    : checkConcurrency(object.concurrency, "concurrency", 1, limits);
  let input: unknown[] | undefined;
  if (object.input !== undefined) {
    if (!Array.isArray(object.input)) {
      throw badRequest(
        "input",
        `Invalid input: expected an array of rows, got ${
          describeValue(object.input)
        }`,
      );
    }
    if (object.input.length > limits.maxInputRows) {
      throw badRequest(
        "input",
        `Invalid input: ${object.input.length} rows, at most ${limits.maxInputRows} are allowed; split the input, or give the workflow a source of its own`,
      );
    }
    input = object.input;
  }
  const resume = checkFlag(object.resume, "resume");
  const force = checkFlag(object.force, "force");
  checkForce(resume, force);
  return { workflow, params, concurrency, input, resume, force };
}

function checkWorkflowName(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw badRequest(
      "workflow",
      `Invalid workflow: expected the name of a registered workflow (see GET /workflows), got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Checks the query of `POST /runs` with a CSV body:
 * `?workflow=name&concurrency=4&param.count=10` (and `resume=true`,
 * `force=true` to continue a durable run).
 *
 * @param query The request's query.
 * @param limits The server's limits.
 * @returns The request, without its input.
 * @throws {ApiError} 400 naming the query parameter.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import { parseCsvRunQuery } from "./requests.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const query = new URLSearchParams("workflow=w&param.n=3&concurrency=2");
 * const request = parseCsvRunQuery(query, resolveLimits());
 * assertEquals([request.workflow, request.params, request.concurrency], ["w", { n: "3" }, 2]);
 * ```
 */
export function parseCsvRunQuery(
  query: URLSearchParams,
  limits: ResolvedLimits,
): Omit<CreateRunRequest, "input"> {
  const seen = new Set<string>();
  const params: [string, ParamValue][] = [];
  let workflow: unknown;
  let concurrency: number | undefined;
  const flags = { resume: false, force: false };
  for (const [key, value] of query) {
    if (seen.has(key)) {
      throw badRequest(key, `Invalid query: "${key}" is given twice`);
    }
    seen.add(key);
    if (key === "workflow") workflow = value;
    else if (key === "concurrency") {
      const n = /^\d+$/.test(value) ? Number(value) : value;
      concurrency = checkConcurrency(n, "concurrency", 1, limits);
    } else if (key === "resume" || key === "force") {
      if (value !== "true" && value !== "false") {
        throw badRequest(
          key,
          `Invalid ${key}: expected true or false, got ${
            JSON.stringify(value.slice(0, 40))
          }`,
        );
      }
      flags[key] = value === "true";
    } else if (key.startsWith("param.") && key.length > 6) {
      params.push([key.slice(6), value]);
    } else {
      throw badRequest(
        key,
        `Unknown query parameter "${key}": with a CSV body, allowed are workflow, concurrency, resume, force and param.<name>`,
      );
    }
  }
  checkForce(flags.resume, flags.force);
  return {
    workflow: checkWorkflowName(workflow),
    params: Object.fromEntries(params),
    concurrency,
    ...flags,
  };
}

/**
 * Checks the body of `PATCH /runs/:id`: `{ concurrency: { stage: n } }`.
 *
 * @param body The parsed JSON.
 * @param limits The server's limits.
 * @returns The new concurrency of each named stage (0 pauses one).
 * @throws {ApiError} 400 naming the field.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import { parseResize } from "./requests.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(parseResize({ concurrency: { fetch: 4 } }, resolveLimits()), { fetch: 4 });
 * ```
 */
export function parseResize(
  body: unknown,
  limits: ResolvedLimits,
): Readonly<Record<string, number>> {
  const object = checkObject(body, "body", "a JSON object");
  rejectUnknown(object, ["concurrency"], "");
  if (object.concurrency === undefined) {
    throw badRequest(
      "concurrency",
      'Missing concurrency: send { "concurrency": { "<stage>": <n> } }',
    );
  }
  const given = checkObject(
    object.concurrency,
    "concurrency",
    'an object such as { "<stage>": <n> }',
  );
  const sizes = Object.fromEntries(
    Object.entries(given).map((
      [stage, n],
    ) => [stage, checkConcurrency(n, `concurrency.${stage}`, 0, limits)]),
  );
  if (Object.keys(sizes).length === 0) {
    throw badRequest(
      "concurrency",
      'Invalid concurrency: name at least one stage, such as { "<stage>": <n> }',
    );
  }
  return sizes;
}

/**
 * Checks the optional body of `POST /runs/:id/cancel`: `{ graceful?: boolean }`.
 * Graceful stops taking new items and lets items in flight finish; the
 * default aborts at once.
 *
 * @param body The parsed JSON, or `undefined` for an empty body.
 * @returns Whether to stop gracefully.
 * @throws {ApiError} 400 naming the field.
 *
 * @example
 * ```ts
 * import { parseCancel } from "./requests.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(parseCancel(undefined), { graceful: false });
 * assertEquals(parseCancel({ graceful: true }), { graceful: true });
 * ```
 */
export function parseCancel(body: unknown): { graceful: boolean } {
  if (body === undefined) return { graceful: false };
  const object = checkObject(body, "body", "a JSON object");
  rejectUnknown(object, ["graceful"], "");
  if (object.graceful !== undefined && typeof object.graceful !== "boolean") {
    throw badRequest(
      "graceful",
      `Invalid graceful: expected true or false, got ${
        describeValue(object.graceful)
      }`,
    );
  }
  return { graceful: object.graceful === true };
}

/**
 * Whether a `Content-Type` header names a media type.
 *
 * @param header The header, or `undefined`.
 * @param type Such as `"application/json"`.
 * @returns Whether it matches (parameters ignored, `+json` counts as JSON).
 *
 * @example
 * ```ts
 * import { isMediaType } from "./requests.ts";
 * import { assert } from "@std/assert";
 *
 * assert(isMediaType("text/csv; charset=utf-8", "text/csv"));
 * assert(isMediaType("application/merge-patch+json", "application/json"));
 * assert(!isMediaType(undefined, "application/json"));
 * ```
 */
export function isMediaType(header: string | undefined, type: string): boolean {
  const media = header?.split(";")[0]?.trim().toLowerCase() ?? "";
  return media === type ||
    (type === "application/json" && /^application\/[\w.-]+\+json$/.test(media));
}

/**
 * Reads a JSON body. An empty body is `undefined` when `optional`.
 *
 * @param request The request.
 * @param optional Whether the body may be left out.
 * @returns The parsed JSON.
 * @throws {ApiError} 415 if the body is not JSON, 400 if it does not parse.
 *
 * @example
 * ```ts
 * import { readJson } from "./requests.ts";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const json = (body: string) =>
 *   new Request("http://x/", { method: "POST", headers: { "content-type": "application/json" }, body });
 * assertEquals(await readJson(json('{"a":1}')), { a: 1 });
 * await assertRejects(() => readJson(json("{")), Error, "Invalid JSON body");
 * ```
 */
export async function readJson(
  request: Request,
  optional = false,
): Promise<unknown> {
  const text = await request.text();
  if (optional && text.trim() === "") return undefined;
  if (
    !isMediaType(
      request.headers.get("content-type") ?? undefined,
      "application/json",
    )
  ) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Unsupported Content-Type ${
        describeValue(request.headers.get("content-type") ?? "")
      }: send JSON with "Content-Type: application/json"`,
      { field: "body" },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      "invalid_json",
      `Invalid JSON body: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { field: "body", cause: error },
    );
  }
}
