/**
 * `defineWorkflow`: a workflow as a plain typed value. Types flow from the
 * source's items through every stage to the sink.
 *
 * @module
 */

import type { DeadLetter, Sink, Source } from "../io/types.ts";
import type { ErrorPolicy } from "../policy/policy.ts";
import type { Rate } from "../units/rate.ts";
import type { Pipeline } from "./pipeline.ts";

/**
 * A parameter a workflow accepts from the CLI (`--param k=v`) or HTTP: a
 * plain value, or a path confined to a folder.
 */
export type ParamSpec = ValueParamSpec | PathParamSpec;

/** A string, number or boolean parameter. */
export interface ValueParamSpec {
  /** The value's type; CLI strings are converted to it. */
  type: "string" | "number" | "boolean";
  /** The value when none is given; without one the parameter is required. */
  default?: string | number | boolean;
  /** What it is for, shown by `--help`, `--dry-run` and the HTTP runner. */
  description?: string;
}

/**
 * A parameter that names a file or folder inside `root`. Its value must be
 * a relative path that stays inside the root (no absolute path, no `..`
 * out of it, no backslash, drive letter, URL, control character, or
 * symbolic link leading out); the workflow's functions receive the
 * resolved absolute path. Anything else is refused with a
 * `PathParamError` naming the field, before anything runs. Use it for
 * every parameter that becomes a path: a plain string parameter passed to
 * `fromCsv` or `toJsonl` lets whoever sets it (a token holder of the HTTP
 * runner) read or overwrite any file the process can.
 */
export interface PathParamSpec {
  /** Marks a path parameter. */
  type: "path";
  /**
   * The folder the value must stay inside: relative to the workflow
   * file's folder (when the CLI or the HTTP runner loaded it from a file,
   * or `PlanOptions.folder` says), else to the working folder; or
   * absolute. It need not exist yet (for outputs).
   */
  root: string;
  /**
   * What the run does with the file: `"read"` (the default) or
   * `"write"`. Shown by `--help`, `--dry-run` and `GET /workflows`, and
   * tells which permission the root needs (reading is always needed, to
   * check links).
   */
  access?: "read" | "write";
  /** The value when none is given, checked like a given one. */
  default?: string;
  /** What it is for, shown by `--help`, `--dry-run` and the HTTP runner. */
  description?: string;
}

/** The parameters a workflow declares, by name. */
export type ParamsSpec = Record<string, ParamSpec>;

/** The values of declared parameters, typed from their declaration. */
export type ParamValues<P extends ParamsSpec> = {
  readonly [K in keyof P]: P[K]["type"] extends "number" ? number
    : P[K]["type"] extends "boolean" ? boolean
    : string;
};

/** A value, or a function of the run's parameters that makes it. */
export type FromParams<P extends ParamsSpec, T> =
  | T
  | ((params: ParamValues<P>) => T);

/**
 * What `defineWorkflow` takes.
 *
 * @typeParam P The declared parameters.
 * @typeParam Row The source's item type.
 * @typeParam Out The pipeline's output type, which the sink must accept.
 */
export interface WorkflowSpec<P extends ParamsSpec, Row, Out> {
  /** The workflow's name, used in plans, events and the HTTP runner. */
  name: string;
  /** One line on what it does. */
  description?: string;
  /** Parameters the CLI and the HTTP runner can set. */
  params?: P;
  /** Where items come from. */
  source: FromParams<P, Source<Row>>;
  /**
   * The stages, built from the source's pipeline (and the run's params);
   * without it, source items go straight to the sink.
   */
  pipeline?: (rows: Pipeline<Row>, params: ParamValues<P>) => Pipeline<Out>;
  /** Where results go; without it they are counted and dropped. */
  sink?: FromParams<P, Sink<Out>>;
  /** Where failed items go, each with its stage, error and attempts. */
  deadLetter?: FromParams<P, Sink<DeadLetter>>;
  /** Items each stage works on at once, unless the stage says. Defaults to 8. */
  concurrency?: number;
  /** Keep every stage's output in input order, unless the stage says. */
  ordered?: boolean;
  /** Rate limit of each stage, unless the stage says. */
  rateLimit?: Rate;
  /** Error policy of each stage, unless the stage says. */
  errors?: ErrorPolicy;
  /**
   * The item key of a source row, such as its id. A durable run records
   * finished inputs by key as well as by position, so a resumed run skips
   * finished inputs by key even when the input changed (with `force`): rows
   * added, removed or reordered. Keys are compared as strings and must be
   * unique.
   */
  key?: (row: Row) => string | number;
}

/**
 * Marks a value made by `defineWorkflow`, across copies of this module.
 * Exported as a type only: tell a workflow with {@linkcode isWorkflow}.
 *
 * @example Only defineWorkflow makes a workflow
 * ```ts
 * import { defineWorkflow, fromIterable, isWorkflow } from "@poolflow/poolflow";
 * import { assert, assertFalse } from "@std/assert";
 *
 * const source = fromIterable([1]);
 * assert(isWorkflow(defineWorkflow({ name: "w", source })));
 * assertFalse(isWorkflow({ name: "w", source }));
 * ```
 */
export const WORKFLOW: unique symbol = Symbol.for("poolflow.workflow") as never;

/**
 * A workflow: the spec given to `defineWorkflow`, marked as a workflow.
 *
 * @typeParam P The declared parameters.
 * @typeParam Row The source's item type.
 * @typeParam Out The pipeline's output type.
 */
export type Workflow<
  P extends ParamsSpec = ParamsSpec,
  Row = unknown,
  Out = unknown,
> = Readonly<WorkflowSpec<P, Row, Out>> & { readonly [WORKFLOW]: true };

/**
 * A workflow of any types, as the interpreter, CLI and server see it: every
 * `Workflow<P, Row, Out>` is one. Its parts are checked when it runs.
 */
export interface AnyWorkflow {
  /** The workflow's name. */
  readonly name: string;
  /** One line on what it does. */
  readonly description?: string | undefined;
  /** Declared parameters. */
  readonly params?: ParamsSpec | undefined;
  /** A source, or a function of the parameters that makes one. */
  readonly source: unknown;
  /** The stage chain's builder. */
  readonly pipeline?: unknown;
  /** A sink, or a function of the parameters that makes one. */
  readonly sink?: unknown;
  /** A dead-letter sink, or a function that makes one. */
  readonly deadLetter?: unknown;
  /** Default concurrency. */
  readonly concurrency?: number | undefined;
  /** Default order. */
  readonly ordered?: boolean | undefined;
  /** Default rate limit. */
  readonly rateLimit?: Rate | undefined;
  /** Default error policy. */
  readonly errors?: ErrorPolicy | undefined;
  /** The item key of a source row. */
  readonly key?: unknown;
  /** The mark of `defineWorkflow`. */
  readonly [WORKFLOW]: true;
}

/**
 * Declares a workflow. The value is plain data plus functions; nothing runs
 * until `run()` (or the CLI, or the HTTP runner) runs it. A workflow file's
 * default export is a workflow.
 *
 * @typeParam P The declared parameters (inferred).
 * @typeParam Row The source's item type (inferred from the source).
 * @typeParam Out The pipeline's output type (inferred from the pipeline).
 * @param spec Source, stages, sink, defaults and error policy.
 * @returns The workflow.
 *
 * @example A typed workflow
 * ```ts
 * import { collect, defineWorkflow, fromIterable, run } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const out = collect<string>();
 * const workflow = defineWorkflow({
 *   name: "shout",
 *   source: fromIterable([{ word: "hello" }, { word: "world" }]),
 *   concurrency: 4,
 *   ordered: true,
 *   pipeline: (rows) => rows.map("upper", (row) => row.word.toUpperCase()),
 *   sink: out,
 * });
 * const summary = await run(workflow).done;
 * assertEquals(summary.status, "succeeded");
 * assertEquals(out.items, ["HELLO", "WORLD"]);
 * ```
 */
export function defineWorkflow<
  const P extends ParamsSpec = Record<never, ParamSpec>,
  Row = unknown,
  Out = Row,
>(
  spec: WorkflowSpec<P, Row, Out> & {
    pipeline: (rows: Pipeline<Row>, params: ParamValues<P>) => Pipeline<Out>;
  },
): Workflow<P, Row, Out>;
/**
 * Declares a workflow without stages: source items go straight to the sink,
 * which must accept them.
 *
 * @typeParam P The declared parameters (inferred).
 * @typeParam Row The source's item type (inferred from the source).
 * @param spec Source, sink, defaults and error policy.
 * @returns The workflow.
 */
export function defineWorkflow<
  const P extends ParamsSpec = Record<never, ParamSpec>,
  Row = unknown,
>(
  spec: WorkflowSpec<P, Row, Row> & { pipeline?: undefined },
): Workflow<P, Row, Row>;
export function defineWorkflow<P extends ParamsSpec, Row, Out>(
  spec: WorkflowSpec<P, Row, Out>,
): Workflow<P, Row, Out> {
  return Object.freeze({ ...spec, [WORKFLOW]: true as const });
}

/**
 * Whether `value` was made by `defineWorkflow` (by any copy of poolflow).
 *
 * @param value Anything, such as a module's default export.
 * @returns Whether it is a workflow.
 *
 * @example Check a module's default export
 * ```ts
 * import { defineWorkflow, fromIterable, isWorkflow } from "@poolflow/poolflow";
 * import { assert } from "@std/assert";
 *
 * assert(isWorkflow(defineWorkflow({ name: "w", source: fromIterable([1]) })));
 * assert(!isWorkflow({ name: "w" }));
 * ```
 */
export function isWorkflow(value: unknown): value is AnyWorkflow {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[WORKFLOW] === true;
}
