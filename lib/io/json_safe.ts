/**
 * {@linkcode jsonSafe}: a copy of a value that `JSON.stringify` always
 * accepts, for records that must be written whatever they hold (dead
 * letters).
 *
 * @module
 */

/**
 * Returns a copy of `value` that `JSON.stringify` can always write, with
 * everything that has no JSON form replaced by a string that describes it:
 *
 * - a bigint by its digits and `n`: `12n` becomes `"12n"`;
 * - a reference back to an object being copied by `"[Circular]"` (an
 *   object seen twice without a cycle is copied twice);
 * - a function by `"[Function name]"` (`"[Function]"` when anonymous),
 *   a symbol by `"[Symbol(description)]"`;
 * - a `toJSON` method that throws by `"[toJSON threw: message]"`, a
 *   getter that throws by `"[Unreadable: message]"`.
 *
 * Everything JSON can hold is kept as it is (`toJSON` is applied, as
 * `JSON.stringify` would; `undefined` fields are left for it to drop), so
 * for data without functions or symbols `JSON.stringify(jsonSafe(x))`
 * equals `JSON.stringify(x)` whenever the latter succeeds. Functions and
 * symbols, which `JSON.stringify` drops silently, are described instead.
 *
 * @param value Any value.
 * @returns A value `JSON.stringify` writes without throwing.
 *
 * @example A bigint, a cycle and a function
 * ```ts
 * import { jsonSafe } from "./json_safe.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const row: Record<string, unknown> = { id: 1, total: 12n, print: () => {} };
 * row.self = row;
 * assertEquals(
 *   JSON.stringify(jsonSafe(row)),
 *   '{"id":1,"total":"12n","print":"[Function print]","self":"[Circular]"}',
 * );
 * ```
 */
export function jsonSafe(value: unknown): unknown {
  return copy(value, "", []);
}

function copy(value: unknown, key: string, ancestors: object[]): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") {
    return value.name ? `[Function ${value.name}]` : "[Function]";
  }
  if (typeof value === "symbol") return `[${String(value)}]`;
  if (typeof value !== "object" || value === null) return value;
  if (ancestors.includes(value)) return "[Circular]";
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    let replaced: unknown;
    try {
      replaced = toJSON.call(value, key);
    } catch (error) {
      return `[toJSON threw: ${messageOf(error)}]`;
    }
    ancestors.push(value);
    try {
      return copy(replaced, key, ancestors);
    } finally {
      ancestors.pop();
    }
  }
  // Boxed primitives are written as the primitive they hold.
  if (
    value instanceof Number || value instanceof String ||
    value instanceof Boolean
  ) {
    return value.valueOf();
  }
  if (typeof BigInt === "function" && value instanceof BigInt) {
    return `${value.valueOf()}n`;
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      return Array.from(
        { length: value.length },
        (_, i) => copy(read(value, i), String(i), ancestors),
      );
    }
    const out: Record<string, unknown> = {};
    for (const field of Object.keys(value)) {
      out[field] = copy(read(value, field), field, ancestors);
    }
    return out;
  } catch (error) {
    // A proxy that refuses to list its keys.
    return `[Unreadable: ${messageOf(error)}]`;
  } finally {
    ancestors.pop();
  }
}

function read(object: object, key: string | number): unknown {
  try {
    return (object as Record<string | number, unknown>)[key];
  } catch (error) {
    return `[Unreadable: ${messageOf(error)}]`;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return "an unprintable value";
  }
}
