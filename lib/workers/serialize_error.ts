/**
 * Errors across the thread boundary. Structured clone keeps only the
 * built-in error types and drops `cause`, custom class names and extra
 * fields; these functions carry `name`, `message`, `stack`, `cause` (when
 * clonable), the errors of an `AggregateError` and other own clonable
 * fields such as `code`, and rebuild an error of the same built-in class
 * (or a plain `Error` named like the custom class) on the other side.
 *
 * @module
 */

/** A thrown value as it crosses to another thread. */
export type SerializedThrown =
  | SerializedError
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "unclonable"; readonly description: string };

/** An `Error` or `DOMException` as it crosses to another thread. */
export interface SerializedError {
  /** Tells an error from a thrown non-error. */
  readonly kind: "error";
  /** Its `name`, or its class name when `name` is the inherited `"Error"`. */
  readonly name: string;
  /** Its message. */
  readonly message: string;
  /** Its stack, as the thrower's thread printed it. */
  readonly stack: string | undefined;
  /** Whether it was a `DOMException`. */
  readonly dom: boolean;
  /** Its `cause`, if it had one. */
  readonly cause?: SerializedThrown;
  /** The errors of an `AggregateError`. */
  readonly errors?: readonly SerializedThrown[];
  /** Other own enumerable fields that can be cloned, such as `code`. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

const BUILT_IN: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};
const OWN = new Set(["name", "message", "stack", "cause", "errors"]);
// A cause chain this deep is a loop or a mistake; stop copying there.
const MAX_DEPTH = 16;

/**
 * Turns what was thrown into plain, clonable data.
 *
 * @param thrown Whatever a task threw.
 * @returns Its clonable form.
 */
export function serializeThrown(thrown: unknown): SerializedThrown {
  return toData(thrown, 0);
}

function toData(thrown: unknown, depth: number): SerializedThrown {
  if (thrown instanceof Error || thrown instanceof DOMException) {
    return serializeError(thrown, depth);
  }
  if (isClonable(thrown)) return { kind: "value", value: thrown };
  return { kind: "unclonable", description: describe(thrown) };
}

function serializeError(
  error: Error | DOMException,
  depth: number,
): SerializedError {
  const dom = error instanceof DOMException;
  const name = nameOf(error);
  let stack = typeof error.stack === "string" ? error.stack : undefined;
  // A custom class without its own `name` prints "Error: ..." in its stack.
  const printed = String(error.name);
  if (stack !== undefined && name !== printed && stack.startsWith(printed)) {
    stack = name + stack.slice(printed.length);
  }
  const result: {
    -readonly [K in keyof SerializedError]: SerializedError[K];
  } = {
    kind: "error",
    name,
    message: String(error.message),
    stack,
    dom,
  };
  if (depth < MAX_DEPTH && "cause" in error) {
    result.cause = toData(error.cause, depth + 1);
  }
  if (depth < MAX_DEPTH && error instanceof AggregateError) {
    result.errors = Array.from(
      error.errors,
      (inner) => toData(inner, depth + 1),
    );
  }
  if (!dom) {
    const fields: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(error)) {
      if (OWN.has(key)) continue;
      const value = (error as unknown as Record<string, unknown>)[key];
      if (typeof value === "function" || !isClonable(value)) continue;
      fields[key] = value;
      any = true;
    }
    if (any) result.fields = fields;
  }
  return result;
}

/**
 * Rebuilds a thrown value from its clonable form: an error of the same
 * built-in class (a plain `Error` whose `name` is the custom class's), with
 * the original stack, cause and fields; or the thrown value itself.
 *
 * @param data What {@linkcode serializeThrown} made.
 * @returns The value to throw on this thread.
 */
export function deserializeThrown(data: SerializedThrown): unknown {
  switch (data.kind) {
    case "value":
      return data.value;
    case "unclonable":
      return new TypeError(
        `A worker threw a value that cannot be copied to the main thread: ${data.description}`,
      );
    case "error":
      return deserializeError(data);
  }
}

function deserializeError(data: SerializedError): Error | DOMException {
  const options = data.cause === undefined
    ? undefined
    : { cause: deserializeThrown(data.cause) };
  let error: Error | DOMException;
  if (data.dom) {
    error = new DOMException(data.message, data.name);
  } else if (data.errors !== undefined) {
    error = new AggregateError(
      data.errors.map(deserializeThrown),
      data.message,
      options,
    );
  } else {
    const BuiltIn = BUILT_IN[data.name];
    error = new (BuiltIn ?? Error)(data.message, options);
    if (BuiltIn === undefined) define(error, "name", data.name);
  }
  if (data.dom && options) define(error, "cause", options.cause);
  if (data.stack !== undefined) define(error, "stack", data.stack);
  if (data.fields) Object.assign(error, data.fields);
  return error;
}

/** The name a caller would recognise: `name`, else the class's name. */
function nameOf(error: Error | DOMException): string {
  const name = String(error.name);
  if (name !== "Error") return name;
  const className = (error.constructor as { name?: unknown } | undefined)
    ?.name;
  return typeof className === "string" && className !== "" ? className : name;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function isClonable(value: unknown): boolean {
  if (value === null || typeof value !== "object") {
    return typeof value !== "function" && typeof value !== "symbol";
  }
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === "function") return `a function ${value.name}`.trim();
  if (typeof value === "symbol") return value.toString();
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return typeof value;
  }
}
