/**
 * `--dry-run`: the checked plan as data (printed with `--json`) and as text
 * for people: source, stages with kind, concurrency, order, rate and error
 * policy, sink, dead letter, parameters and limit.
 *
 * @module
 */

import type {
  ParamsSpec,
  PlannedStage,
  Rate,
  RetryPolicy,
  WorkflowPlan,
} from "../mod.ts";
import { formatDuration, table } from "./format.ts";
import { paramType } from "./help.ts";

/** Where a source or sink reads or writes. */
export interface EndpointDescription {
  /** Such as `"csv"`, `"jsonl"`, `"iterable"`. */
  readonly kind: string;
  /** A path, `"-"` for stdin or stdout, or a description. */
  readonly location: string;
}

/** A stage's resolved error policy. */
export interface PolicyDescription {
  /** What a failed item does to the run. */
  readonly onError: "fail-fast" | "continue";
  /** Attempts per item, the first included. */
  readonly attempts: number;
  /** How retries wait, when there are retries. */
  readonly backoff: string | undefined;
  /** Per-attempt timeout in milliseconds. */
  readonly timeoutMs: number | undefined;
  /** Failures allowed before the run fails; `null` for no limit. */
  readonly maxFailures: number | null;
}

/** A stage in the plan. */
export interface StageDescription {
  /** Its name. */
  readonly name: string;
  /** What it does: map, filter, flatMap, batch or tap. */
  readonly kind: string;
  /** Items per batch, for a batch stage. */
  readonly size: number | undefined;
  /** Items it works on at once; `undefined` for a batch stage. */
  readonly concurrency: number | undefined;
  /** Whether its output keeps input order. */
  readonly ordered: boolean;
  /** Its rate limit, such as `"50/s"`. */
  readonly rateLimit: string | undefined;
  /** Its error policy. */
  readonly errors: PolicyDescription;
}

/** A declared parameter and its value in this run. */
export interface ParamDescription {
  /** Its name. */
  readonly name: string;
  /** Its type. */
  readonly type: string;
  /** For a path: the folder its value must stay inside, as declared. */
  readonly root?: string;
  /** For a path: whether the run reads or writes it. */
  readonly access?: "read" | "write";
  /** The value this run uses. */
  readonly value: string | number | boolean | undefined;
  /** Its default, if declared. */
  readonly default: string | number | boolean | undefined;
  /** What it is for. */
  readonly description: string | undefined;
}

/** What `--dry-run` prints: a plain, JSON-friendly view of a plan. */
export interface PlanDescription {
  /** The workflow's name. */
  readonly workflow: string;
  /** Its description. */
  readonly description: string | undefined;
  /** The workflow file. */
  readonly file: string | undefined;
  /** Where items come from. */
  readonly source: EndpointDescription;
  /** The stages, in order. */
  readonly stages: readonly StageDescription[];
  /** Where results go; `null` when they are counted and dropped. */
  readonly sink: EndpointDescription | null;
  /** Where failed items go; `null` when they are only counted. */
  readonly deadLetter: EndpointDescription | null;
  /** The parameters. */
  readonly params: readonly ParamDescription[];
  /** How many source items to take, if limited. */
  readonly limit: number | undefined;
}

/**
 * Describes a plan as plain data.
 *
 * @param plan The checked plan.
 * @param declared The workflow's declared parameters, for types, defaults
 * and descriptions.
 * @returns The description.
 */
export function describePlan(
  plan: WorkflowPlan,
  declared: ParamsSpec | undefined,
): PlanDescription {
  return {
    workflow: plan.name,
    description: plan.description,
    file: plan.file,
    source: endpoint(plan.source),
    stages: plan.stages.map(describeStage),
    sink: plan.sink ? endpoint(plan.sink) : null,
    deadLetter: plan.deadLetter ? endpoint(plan.deadLetter) : null,
    params: Object.entries(declared ?? {}).map(([name, spec]) => ({
      name,
      type: spec.type,
      ...(spec.type === "path"
        ? { root: spec.root, access: spec.access ?? "read" }
        : {}),
      value: plan.params[name],
      default: spec.default,
      description: spec.description,
    })),
    limit: plan.limit,
  };
}

function endpoint(
  value: { readonly kind: string; readonly location: string },
): EndpointDescription {
  return { kind: value.kind, location: value.location };
}

function describeStage(stage: PlannedStage): StageDescription {
  const batch = stage.spec.kind === "batch";
  const retry = stage.errors.retry;
  return {
    name: stage.spec.name,
    kind: stage.spec.kind,
    size: stage.spec.size,
    concurrency: batch ? undefined : stage.concurrency,
    ordered: batch ? true : stage.ordered,
    rateLimit: stage.rateLimit === undefined
      ? undefined
      : formatRateLimit(stage.rateLimit),
    errors: {
      onError: stage.policy.failFast ? "fail-fast" : "continue",
      attempts: stage.policy.attempts,
      backoff: retry && stage.policy.attempts > 1
        ? describeBackoff(retry)
        : undefined,
      timeoutMs: stage.policy.timeoutMs,
      maxFailures: Number.isFinite(stage.policy.maxFailures)
        ? stage.policy.maxFailures
        : null,
    },
  };
}

/** Such as `"exponential from 100ms, full jitter"`, with the library's defaults. */
function describeBackoff(retry: RetryPolicy): string {
  const delay = retry.delay ?? 100;
  const jitter = retry.jitter ?? "full";
  return `${retry.backoff ?? "exponential"} from ${
    typeof delay === "number" ? `${delay}ms` : delay
  }${jitter === "none" ? "" : `, ${jitter} jitter`}`;
}

function formatRateLimit(rate: Rate): string {
  return typeof rate === "string" ? rate : `${rate.count}/${rate.interval}`;
}

/**
 * A stage's error policy in a few words.
 *
 * @param errors The policy.
 * @returns Such as `"fail-fast, 3 attempts (exponential), timeout 5.0 s"`.
 *
 * @example
 * ```ts
 * import { formatPolicy } from "./dry_run.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   formatPolicy({ onError: "continue", attempts: 3, backoff: "constant", timeoutMs: 500, maxFailures: 10 }),
 *   "continue, 3 attempts (constant), timeout 500 ms, at most 10 failures",
 * );
 * ```
 */
export function formatPolicy(errors: PolicyDescription): string {
  const parts: string[] = [errors.onError];
  if (errors.attempts > 1) {
    parts.push(
      `${errors.attempts} attempts${
        errors.backoff ? ` (${errors.backoff})` : ""
      }`,
    );
  }
  if (errors.timeoutMs !== undefined) {
    parts.push(`timeout ${formatDuration(errors.timeoutMs)}`);
  }
  if (errors.maxFailures !== null) {
    parts.push(`at most ${errors.maxFailures} failures`);
  }
  return parts.join(", ");
}

/**
 * The plan as text for people.
 *
 * @param plan The described plan.
 * @returns Lines joined by newlines, ending with one.
 *
 * @example
 * ```ts
 * import { formatPlan } from "./dry_run.ts";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const text = formatPlan({
 *   workflow: "etl",
 *   description: undefined,
 *   file: "etl.ts",
 *   source: { kind: "csv", location: "in.csv" },
 *   stages: [],
 *   sink: null,
 *   deadLetter: null,
 *   params: [],
 *   limit: undefined,
 * });
 * assertStringIncludes(text, 'Workflow "etl" (etl.ts)');
 * assertStringIncludes(text, "source       csv  in.csv");
 * ```
 */
export function formatPlan(plan: PlanDescription): string {
  const lines: string[] = [
    `Workflow "${plan.workflow}"${plan.file ? ` (${plan.file})` : ""}`,
  ];
  if (plan.description) lines.push(`  ${plan.description}`);
  lines.push("");
  const where = (value: EndpointDescription | null, none: string): string =>
    value ? `${value.kind}  ${value.location}` : none;
  lines.push(`source       ${where(plan.source, "")}`);
  if (plan.stages.length === 0) {
    lines.push("stages       none: source items go straight to the sink");
  } else {
    lines.push("stages");
    const rows = plan.stages.map((stage, i) => [
      String(i + 1),
      stage.name,
      stage.kind === "batch" ? `batch of ${stage.size}` : stage.kind,
      stage.concurrency === undefined ? "-" : String(stage.concurrency),
      stage.ordered ? "yes" : "no",
      stage.rateLimit ?? "-",
      formatPolicy(stage.errors),
    ]);
    const header = [
      "#",
      "name",
      "kind",
      "concurrency",
      "ordered",
      "rate",
      "errors",
    ];
    lines.push(...table([header, ...rows], [0, 3]).map((line) => `  ${line}`));
  }
  lines.push(
    `sink         ${where(plan.sink, "none: results are counted, not kept")}`,
  );
  lines.push(
    `dead letter  ${
      where(plan.deadLetter, "none: failed items are counted, not kept")
    }`,
  );
  if (plan.params.length === 0) {
    lines.push("params       none");
  } else {
    lines.push("params");
    const rows = plan.params.map((param) => [
      param.name,
      `= ${JSON.stringify(param.value)}`,
      `(${
        param.root === undefined ? param.type : paramType({
          type: "path",
          root: param.root,
          ...(param.access === undefined ? {} : { access: param.access }),
        })
      }${
        param.default === undefined
          ? ", required"
          : `, default ${JSON.stringify(param.default)}`
      })`,
      param.description ?? "",
    ]);
    lines.push(...table(rows).map((line) => `  ${line}`));
  }
  if (plan.limit !== undefined) lines.push(`limit        ${plan.limit}`);
  return `${lines.join("\n")}\n`;
}
