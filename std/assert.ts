/**
 * Typed signatures for the Deno standard library's assertions, which reach
 * us from npm (`deno-std`) as plain JavaScript. The only place that imports
 * them untyped; tests and examples import `@std/assert`, which maps here.
 *
 * @module
 */

import * as untyped from "npm:deno-std@1.4.0/assert/mod.js";

// deno-lint-ignore no-explicit-any
type AnyConstructor = new (...args: any[]) => unknown;
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Throws unless `expr` is truthy. */
export const assert: (expr: unknown, msg?: string) => asserts expr =
  untyped.assert;
/** Throws unless `expr` is falsy. */
export const assertFalse: (expr: unknown, msg?: string) => void =
  untyped.assertFalse;
/** Deep equality. */
export const assertEquals: <T>(actual: T, expected: T, msg?: string) => void =
  untyped.assertEquals;
/** Deep inequality. */
export const assertNotEquals: <T>(
  actual: T,
  expected: T,
  msg?: string,
) => void = untyped.assertNotEquals;
/** `Object.is` equality. */
export const assertStrictEquals: <T>(
  actual: unknown,
  expected: T,
  msg?: string,
) => asserts actual is T = untyped.assertStrictEquals;
/** Throws unless `actual` is neither `null` nor `undefined`. */
export const assertExists: <T>(
  actual: T,
  msg?: string,
) => asserts actual is NonNullable<T> = untyped.assertExists;
/** Throws unless `actual` is an instance of `expectedType`. */
export const assertInstanceOf: <T extends AnyConstructor>(
  actual: unknown,
  expectedType: T,
  msg?: string,
) => asserts actual is InstanceType<T> = untyped.assertInstanceOf;
/** `actual > expected`. */
export const assertGreater: <T>(actual: T, expected: T, msg?: string) => void =
  untyped.assertGreater;
/** `actual >= expected`. */
export const assertGreaterOrEqual: <T>(
  actual: T,
  expected: T,
  msg?: string,
) => void = untyped.assertGreaterOrEqual;
/** `actual < expected`. */
export const assertLess: <T>(actual: T, expected: T, msg?: string) => void =
  untyped.assertLess;
/** `actual <= expected`. */
export const assertLessOrEqual: <T>(
  actual: T,
  expected: T,
  msg?: string,
) => void = untyped.assertLessOrEqual;
/** `expected.test(actual)`. */
export const assertMatch: (
  actual: string,
  expected: RegExp,
  msg?: string,
) => void = untyped.assertMatch;
/** `actual.includes(expected)` for strings. */
export const assertStringIncludes: (
  actual: string,
  expected: string,
  msg?: string,
) => void = untyped.assertStringIncludes;
/** Every element of `expected` is in `actual`. */
export const assertArrayIncludes: <T>(
  actual: ArrayLike<T>,
  expected: ArrayLike<T>,
  msg?: string,
) => void = untyped.assertArrayIncludes;
/** `actual` has at least the properties of `expected`. */
export const assertObjectMatch: (
  actual: Record<PropertyKey, unknown>,
  expected: Record<PropertyKey, unknown>,
  msg?: string,
) => void = untyped.assertObjectMatch;
/** `fn` throws an instance of `ErrorClass` whose message includes `msgIncludes`. */
export const assertThrows: <E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
) => E = untyped.assertThrows;
/** `fn` rejects with an instance of `ErrorClass` whose message includes `msgIncludes`. */
export const assertRejects: <E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
) => Promise<E> = untyped.assertRejects;
/** Always throws. */
export const fail: (msg?: string) => never = untyped.fail;
/** Thrown by every assertion. */
export const AssertionError: new (message: string) => Error =
  untyped.AssertionError;
