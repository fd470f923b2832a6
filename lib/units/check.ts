/**
 * Argument checks shared by every public constructor and option, so misuse
 * fails early with the option's name, the bad value and the accepted forms.
 *
 * @module
 */

/** Renders a bad value for an error message: strings quoted, others as-is. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return "an object";
    }
  }
  return String(value);
}

/**
 * Returns `value` when it is an integer `>= min` (or `Infinity` when
 * allowed); throws a `RangeError`/`TypeError` naming `name` otherwise.
 */
export function checkCount(
  value: unknown,
  name: string,
  options: { min?: number; allowInfinity?: boolean } = {},
): number {
  const min = options.min ?? 1;
  const forms = `an integer >= ${min}${
    options.allowInfinity ? " or Infinity" : ""
  }`;
  if (typeof value !== "number") {
    throw new TypeError(
      `Invalid ${name}: expected ${forms}, got ${describeValue(value)}`,
    );
  }
  const ok = value === Infinity
    ? options.allowInfinity === true
    : Number.isSafeInteger(value) && value >= min;
  if (!ok) {
    throw new RangeError(
      `Invalid ${name}: expected ${forms}, got ${describeValue(value)}`,
    );
  }
  return value;
}
