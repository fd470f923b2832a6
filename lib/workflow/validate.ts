/**
 * The checks behind `planWorkflow`: unknown keys, parameters and their
 * types, error policies, sources, sinks and the stage chain, each failing
 * through a `fail(path, message)` that names the field.
 *
 * @module
 */

import type { Sink, Source } from "../io/types.ts";
import { type ErrorPolicy, resolvePolicy } from "../policy/policy.ts";
import { describeValue } from "../units/check.ts";
import { closest } from "../units/suggest.ts";
import type { ParamSpec } from "./define.ts";
import { resolvePathParam } from "./path_param.ts";
import { Pipeline, type StageSpec } from "./pipeline.ts";

export const WORKFLOW_KEYS = [
  "name",
  "description",
  "params",
  "source",
  "pipeline",
  "sink",
  "deadLetter",
  "concurrency",
  "ordered",
  "rateLimit",
  "errors",
  "key",
] as const;
const PARAM_KEYS = ["type", "default", "description"] as const;
const PATH_PARAM_KEYS = [
  "type",
  "root",
  "access",
  "default",
  "description",
] as const;
export const STAGE_KEYS = [
  "concurrency",
  "ordered",
  "rateLimit",
  "errors",
  "executor",
] as const;
const ERROR_KEYS = ["onError", "retry", "timeout", "maxFailures"] as const;
const RETRY_KEYS = [
  "attempts",
  "backoff",
  "delay",
  "maxDelay",
  "jitter",
  "retryIf",
] as const;
/** Throws a `WorkflowError` for `path`. */
export type Fail = (path: string, message: string, cause?: unknown) => never;

export function rejectUnknownKeys(
  object: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  fail: Fail,
): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    fail(
      `${where}.${key}`,
      `Unknown ${where} option "${key}"${
        hint ? ` (did you mean "${hint}"?)` : ""
      }: allowed are ${allowed.join(", ")}`,
    );
  }
}

export function checkErrors(
  value: unknown,
  where: string,
  fail: Fail,
  check: <T>(path: string, fn: () => T) => T,
): ErrorPolicy {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null) {
    return fail(
      where,
      `Invalid ${where}: expected { onError, retry, timeout, maxFailures }, got ${
        describeValue(value)
      }`,
    );
  }
  const errors = value as Record<string, unknown>;
  rejectUnknownKeys(errors, ERROR_KEYS, where, fail);
  if (typeof errors.retry === "object" && errors.retry !== null) {
    rejectUnknownKeys(
      errors.retry as Record<string, unknown>,
      RETRY_KEYS,
      `${where}.retry`,
      fail,
    );
  }
  check(where, () => resolvePolicy(errors as ErrorPolicy, "continue", where));
  return errors as ErrorPolicy;
}

/** Where path parameters' roots are relative to, and the file for errors. */
export interface ParamContext {
  /** The absolute folder relative roots resolve against, made when needed. */
  readonly folder: () => string;
  /** The workflow file, named in errors. */
  readonly file: string | undefined;
}

export function resolveParams(
  declared: unknown,
  given: Readonly<Record<string, unknown>>,
  fail: Fail,
  context: ParamContext,
): Record<string, string | number | boolean> {
  const specs = (declared ?? {}) as Record<string, ParamSpec>;
  if (typeof specs !== "object" || specs === null) {
    return fail(
      "params",
      `Invalid params: expected an object, got ${describeValue(declared)}`,
    );
  }
  const names = Object.keys(specs);
  for (const key of Object.keys(given)) {
    if (!names.includes(key)) {
      fail(
        `params.${key}`,
        `Unknown param "${key}": ${
          names.length
            ? `this workflow takes ${names.join(", ")}`
            : "this workflow takes none"
        }`,
      );
    }
  }
  const values: Record<string, string | number | boolean> = {};
  for (const name of names) {
    const spec = specs[name]!;
    const where = `params.${name}`;
    if (typeof spec !== "object" || spec === null) {
      fail(
        where,
        `Invalid ${where}: expected { type, default?, description? }`,
      );
    }
    if (!["string", "number", "boolean", "path"].includes(spec.type)) {
      fail(
        `${where}.type`,
        `Invalid ${where}.type: expected "string", "number", "boolean" or "path", got ${
          describeValue(spec.type)
        }`,
      );
    }
    rejectUnknownKeys(
      spec as unknown as Record<string, unknown>,
      spec.type === "path" ? PATH_PARAM_KEYS : PARAM_KEYS,
      where,
      fail,
    );
    if (spec.type === "path") checkPathSpec(spec, where, fail);
    const isDefault = given[name] === undefined;
    const raw = given[name] ?? spec.default;
    if (raw === undefined) {
      fail(
        where,
        `Missing param "${name}" (${spec.type}): pass --param ${name}=<${spec.type}>`,
      );
    }
    values[name] = spec.type === "path"
      ? resolvePathParam(raw, {
        field: where,
        root: spec.root,
        access: spec.access ?? "read",
        folder: context.folder(),
        isDefault,
        file: context.file,
      })
      : coerce(raw, spec.type, where, fail);
  }
  return values;
}

function checkPathSpec(
  spec: { root?: unknown; access?: unknown },
  where: string,
  fail: Fail,
): void {
  if (typeof spec.root !== "string" || spec.root === "") {
    fail(
      `${where}.root`,
      `Invalid ${where}.root: a path param needs the folder its value must stay inside, such as root: "data"; got ${
        describeValue(spec.root)
      }`,
    );
  }
  if (
    spec.access !== undefined && spec.access !== "read" &&
    spec.access !== "write"
  ) {
    fail(
      `${where}.access`,
      `Invalid ${where}.access: expected "read" or "write", got ${
        describeValue(spec.access)
      }`,
    );
  }
}

function coerce(
  raw: unknown,
  type: "string" | "number" | "boolean",
  where: string,
  fail: Fail,
): string | number | boolean {
  if (type === "string" && typeof raw === "string") return raw;
  if (type === "number") {
    const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof n === "number" && Number.isFinite(n)) return n;
  }
  if (type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
  }
  return fail(
    where,
    `Invalid ${where}: expected a ${type}, got ${describeValue(raw)}`,
  );
}

export function fromParams(
  value: unknown,
  params: Record<string, string | number | boolean>,
  where: string,
  fail: Fail,
): unknown {
  if (typeof value !== "function") return value;
  try {
    return value(params);
  } catch (error) {
    return fail(
      where,
      `Cannot make the ${where} from the params: ${
        error instanceof Error ? error.message : describeValue(error)
      }`,
      error,
    );
  }
}

export function optionalSink(
  value: unknown,
  params: Record<string, string | number | boolean>,
  where: string,
  fail: Fail,
): Sink<unknown> | undefined {
  if (value === undefined) return undefined;
  const sink = fromParams(value, params, where, fail);
  if (!isSink(sink)) {
    fail(
      where,
      `Invalid ${where}: expected a sink such as toJsonl(path) or collect(), got ${
        describeValue(sink)
      }`,
    );
  }
  return sink as Sink<unknown>;
}

export function buildStages(
  pipeline: unknown,
  params: Record<string, string | number | boolean>,
  fail: Fail,
): readonly StageSpec[] {
  if (pipeline === undefined) return [];
  if (typeof pipeline !== "function") {
    return fail(
      "pipeline",
      `Invalid pipeline: expected a function (rows) => rows.map(...), got ${
        describeValue(pipeline)
      }`,
    );
  }
  let built: unknown;
  try {
    built = pipeline(new Pipeline(), params);
  } catch (error) {
    return fail(
      "pipeline",
      `The pipeline function threw: ${
        error instanceof Error ? error.message : describeValue(error)
      }`,
      error,
    );
  }
  // Duck-typed, so a workflow built with another copy of poolflow works.
  const stages = (built as { stages?: unknown } | null)?.stages;
  if (!Array.isArray(stages)) {
    return fail(
      "pipeline",
      `Invalid pipeline: the function must return the chain it was given (rows.map(...)...), got ${
        describeValue(built)
      }`,
    );
  }
  const seen = new Set<string>();
  for (const stage of stages as StageSpec[]) {
    if (seen.has(stage.name)) {
      fail(
        `pipeline stage "${stage.name}"`,
        `Duplicate stage name "${stage.name}": stage names must be unique`,
      );
    }
    seen.add(stage.name);
  }
  return stages as StageSpec[];
}

export function isSource(value: unknown): value is Source<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as Source<unknown>).open === "function" &&
    typeof (value as Source<unknown>).kind === "string";
}

export function isSink(value: unknown): value is Sink<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as Sink<unknown>).open === "function" &&
    typeof (value as Sink<unknown>).kind === "string";
}
