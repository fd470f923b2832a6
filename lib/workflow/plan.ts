/**
 * Validation: turns a workflow value and the run's options into a checked
 * plan before anything runs. Unknown keys are rejected (a silently ignored
 * option is how queues hang) and every wrong value gets a `WorkflowError`
 * that names the file, the field path, the value and the accepted forms.
 *
 * @module
 */

import type { DeadLetter, Sink, Source } from "../io/types.ts";
import {
  type ErrorPolicy,
  type ResolvedPolicy,
  resolvePolicy,
} from "../policy/policy.ts";
import { checkCount, describeValue } from "../units/check.ts";
import { parseRate, type Rate } from "../units/rate.ts";
import { isWorkflow } from "./define.ts";
import { WorkflowError } from "./errors.ts";
import type { StageSpec } from "./pipeline.ts";
import {
  buildStages,
  checkErrors,
  fromParams,
  isSink,
  isSource,
  optionalSink,
  rejectUnknownKeys,
  resolveParams,
  STAGE_KEYS,
  WORKFLOW_KEYS,
} from "./validate.ts";

export { WorkflowError };

/** Overrides a run applies to a workflow (the CLI's flags, the HTTP body). */
export interface PlanOptions {
  /** Parameter values; strings are converted to the declared type. */
  params?: Readonly<Record<string, unknown>>;
  /** Default concurrency for stages that do not set their own. */
  concurrency?: number;
  /** Error mode for every stage. */
  onError?: "fail-fast" | "continue";
  /**
   * A sink to use instead of the workflow's. Any sink fits the type; its
   * writes are checked at run time, as the workflow's output is not known.
   */
  sink?: Sink<never>;
  /** Take only the first `limit` source items. */
  limit?: number;
  /**
   * A source to use instead of the workflow's, such as inline rows sent to
   * the HTTP runner. Its items must fit the first stage: checked at run time.
   */
  source?: Source<unknown>;
  /** The workflow's file, named in errors. */
  file?: string;
  /**
   * The folder that relative roots of path params resolve against: the
   * workflow file's folder (a path or `file:` URL; the CLI and the HTTP
   * runner pass it for workflow files). Without it, the working folder.
   */
  folder?: string | URL;
}

/** A stage, checked and with its settings resolved. */
export interface PlannedStage {
  /** The stage as declared. */
  readonly spec: StageSpec;
  /** Items it works on at once. */
  readonly concurrency: number;
  /** Whether its output keeps input order. */
  readonly ordered: boolean;
  /** Its rate limit, if any. */
  readonly rateLimit: Rate | undefined;
  /** Its error policy, workflow defaults merged in. */
  readonly errors: ErrorPolicy;
  /** The same, resolved. */
  readonly policy: ResolvedPolicy;
}

/** A workflow checked against a run's options: what `--dry-run` prints. */
export interface WorkflowPlan {
  /** The workflow's name. */
  readonly name: string;
  /** Its description. */
  readonly description: string | undefined;
  /** The workflow file, when known. */
  readonly file: string | undefined;
  /** The parameter values in force. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Where items come from. */
  readonly source: Source<unknown>;
  /** The stages, in order. */
  readonly stages: readonly PlannedStage[];
  /** Where results go, if anywhere. */
  readonly sink: Sink<unknown> | undefined;
  /** Where failed items go, if anywhere. */
  readonly deadLetter: Sink<DeadLetter> | undefined;
  /** How many source items to take, if limited. */
  readonly limit: number | undefined;
  /** The workflow-wide error policy, for what fails outside a stage. */
  readonly policy: ResolvedPolicy;
  /** The item key of a source row, if the workflow names one. */
  readonly key: ((row: unknown) => string | number) | undefined;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Checks a workflow and resolves it against a run's options.
 *
 * @param workflow A value made by `defineWorkflow` (checked, not trusted).
 * @param options Parameters and overrides.
 * @returns The plan.
 * @throws {WorkflowError} If anything is wrong, naming the file and field.
 *
 * @example Plan a workflow
 * ```ts
 * import { defineWorkflow, fromIterable, planWorkflow } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const workflow = defineWorkflow({
 *   name: "w",
 *   params: { factor: { type: "number", default: 2 } },
 *   source: fromIterable([1, 2]),
 *   concurrency: 4,
 *   pipeline: (rows) => rows.map("scale", (n) => n * 2, { concurrency: 16 }).tap("log", () => {}),
 * });
 * const plan = planWorkflow(workflow, { params: { factor: "3" } });
 * assertEquals(plan.params, { factor: 3 });
 * assertEquals(plan.stages.map((s) => [s.spec.name, s.concurrency]), [["scale", 16], ["log", 4]]);
 * ```
 */
export function planWorkflow(
  workflow: unknown,
  options: PlanOptions = {},
): WorkflowPlan {
  const file = options.file;
  const fail = (path: string, message: string, cause?: unknown): never => {
    throw new WorkflowError(path, message, { file, cause });
  };
  // Our own checks throw RangeError/TypeError that already name the path.
  const check = <T>(path: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError) {
        return fail(path, error.message, error);
      }
      throw error;
    }
  };

  if (!isWorkflow(workflow)) {
    return fail(
      "default export",
      `Not a workflow: expected the value of defineWorkflow({...}), got ${
        describeValue(workflow)
      }`,
    );
  }
  const spec = workflow as unknown as Record<string, unknown>;
  rejectUnknownKeys(spec, WORKFLOW_KEYS, "workflow", fail);
  if (typeof spec.name !== "string" || spec.name.trim() === "") {
    fail(
      "name",
      `Invalid name: expected a non-empty string, got ${
        describeValue(spec.name)
      }`,
    );
  }
  const name = spec.name as string;
  if (spec.description !== undefined && typeof spec.description !== "string") {
    fail(
      "description",
      `Invalid description: expected a string, got ${
        describeValue(spec.description)
      }`,
    );
  }

  const params = resolveParams(spec.params, options.params ?? {}, fail, {
    folder: () => absoluteFolder(options.folder),
    file,
  });
  if (options.source !== undefined && !isSource(options.source)) {
    fail(
      "source",
      `Invalid source override: expected a source, got ${
        describeValue(options.source)
      }`,
    );
  }
  const source = options.source ??
    fromParams(spec.source, params, "source", fail);
  if (!isSource(source)) {
    fail(
      "source",
      `Invalid source: expected a source such as fromCsv(path) or fromIterable(items), got ${
        describeValue(source)
      }`,
    );
  }
  if (options.sink !== undefined && !isSink(options.sink)) {
    fail(
      "sink",
      `Invalid sink override: expected a sink, got ${
        describeValue(options.sink)
      }`,
    );
  }
  const sink = (options.sink as Sink<unknown> | undefined) ??
    optionalSink(spec.sink, params, "sink", fail);
  const deadLetter = optionalSink(
    spec.deadLetter,
    params,
    "deadLetter",
    fail,
  ) as
    | Sink<DeadLetter>
    | undefined;

  const defaultConcurrency = check(
    "concurrency",
    () =>
      checkCount(
        options.concurrency ?? spec.concurrency ?? DEFAULT_CONCURRENCY,
        "concurrency",
      ),
  );
  if (spec.key !== undefined && typeof spec.key !== "function") {
    fail(
      "key",
      `Invalid key: expected a function (row) => string | number, got ${
        describeValue(spec.key)
      }`,
    );
  }
  if (spec.ordered !== undefined && typeof spec.ordered !== "boolean") {
    fail(
      "ordered",
      `Invalid ordered: expected true or false, got ${
        describeValue(spec.ordered)
      }`,
    );
  }
  const defaultRate = spec.rateLimit as Rate | undefined;
  if (defaultRate !== undefined) {
    check("rateLimit", () => parseRate(defaultRate, "rateLimit"));
  }
  const defaultErrors = checkErrors(spec.errors, "errors", fail, check);
  const override = options.onError === undefined
    ? {}
    : { onError: options.onError };
  const policy = check(
    "onError",
    () =>
      resolvePolicy({ ...defaultErrors, ...override }, "continue", "errors"),
  );

  const stages = buildStages(spec.pipeline, params, fail).map(
    (stage): PlannedStage => {
      const where = `pipeline stage "${stage.name}"`;
      if (stage.kind === "batch") {
        check(`${where}: size`, () => checkCount(stage.size, `${where}: size`));
      } else if (typeof stage.fn !== "function") {
        fail(
          where,
          `Invalid ${where}: expected a function, got ${
            describeValue(stage.fn)
          }`,
        );
      }
      const own = stage.options as Record<string, unknown>;
      if (typeof own !== "object" || own === null) {
        fail(
          where,
          `Invalid ${where}: options must be an object, got ${
            describeValue(own)
          }`,
        );
      }
      rejectUnknownKeys(own, STAGE_KEYS, where, fail);
      const concurrency = own.concurrency === undefined
        ? defaultConcurrency
        : check(
          `${where}: concurrency`,
          () => checkCount(own.concurrency, `${where}: concurrency`),
        );
      if (own.ordered !== undefined && typeof own.ordered !== "boolean") {
        fail(
          `${where}: ordered`,
          `Invalid ${where}: ordered: expected true or false, got ${
            describeValue(own.ordered)
          }`,
        );
      }
      const rateLimit = (own.rateLimit ?? defaultRate) as Rate | undefined;
      if (own.rateLimit !== undefined) {
        check(
          `${where}: rateLimit`,
          () => parseRate(own.rateLimit as Rate, `${where}: rateLimit`),
        );
      }
      const ownErrors = checkErrors(
        own.errors,
        `${where}: errors`,
        fail,
        check,
      );
      const errors: ErrorPolicy = {
        ...defaultErrors,
        ...ownErrors,
        ...override,
      };
      return {
        spec: stage,
        concurrency,
        ordered: (own.ordered ?? spec.ordered ?? false) as boolean,
        rateLimit,
        errors,
        policy: resolvePolicy(errors, "continue", `${where}: errors`),
      };
    },
  );
  const limit = options.limit === undefined
    ? undefined
    : check("limit", () => checkCount(options.limit, "limit"));

  return {
    name,
    description: spec.description as string | undefined,
    file,
    params,
    source: source as Source<unknown>,
    stages,
    sink,
    deadLetter,
    limit,
    policy,
    key: spec.key as ((row: unknown) => string | number) | undefined,
  };
}

/** The folder as an absolute path; the working folder is read only if needed. */
function absoluteFolder(folder: string | URL | undefined): string {
  if (folder instanceof URL || folder?.startsWith("file:")) {
    return decodeURIComponent(new URL(folder).pathname);
  }
  if (folder?.startsWith("/")) return folder;
  const cwd = Deno.cwd();
  return folder === undefined ? cwd : `${cwd}/${folder}`;
}
