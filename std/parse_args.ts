/**
 * Typed signatures for the Deno standard library's command-line argument
 * parser, which reaches us from npm (`deno-std`) as plain JavaScript. The
 * only place that imports it untyped; code imports `@std/cli/parse-args`,
 * which maps here. (The package's `cli/mod.js` does not load, so this
 * imports the single file.)
 *
 * The façade types the common subset: `boolean`, `string`, `collect`,
 * `negatable`, `alias`, `stopEarly`, `"--"` and `unknown`. It leaves out
 * `default`, whose values could contradict the declared types: apply
 * defaults after parsing.
 *
 * @example Parse a command line
 * ```ts
 * import { parseArgs } from "@std/cli/parse-args";
 * import { assertEquals } from "@std/assert";
 *
 * const args = parseArgs(["run.ts", "--quiet", "--param", "a=1", "--param=b=2"], {
 *   boolean: ["quiet"],
 *   string: ["param"],
 *   collect: ["param"],
 * });
 * assertEquals(args.quiet, true);
 * assertEquals(args.param, ["a=1", "b=2"]);
 * assertEquals(args._, ["run.ts"]);
 * ```
 *
 * @module
 */

import { parseArgs as untyped } from "npm:deno-std@1.4.0/cli/parse_args.js";

/**
 * Options of {@linkcode parseArgs}.
 *
 * @typeParam B Names of boolean flags.
 * @typeParam S Names of string flags.
 * @typeParam C Names of flags (boolean or string) that collect every value
 * into an array.
 */
export interface ParseOptions<
  B extends string = never,
  S extends string = never,
  C extends B | S = never,
> {
  /** Flags that take no value: `--quiet` is `true`, absent is `false`. */
  boolean?: readonly B[];
  /**
   * Flags whose value stays a string (never converted to a number). A
   * string flag with no value (`--out` at the end) is `""`.
   */
  string?: readonly S[];
  /** Flags that may repeat; their values are collected in an array. */
  collect?: readonly C[];
  /** Boolean flags that `--no-<name>` sets to `false`. */
  negatable?: readonly B[];
  /** Other names of a flag, such as `{ quiet: "q" }`. */
  alias?: Readonly<Record<string, string | readonly string[]>>;
  /** Stop parsing at the first positional argument; the rest go to `_`. */
  stopEarly?: boolean;
  /** Put arguments after `--` in `"--"` instead of `_`. */
  "--"?: boolean;
  /**
   * Called for every undeclared flag (with its `key` and `value`) and every
   * positional argument (with `arg` only); returning `false` leaves the
   * argument out of the result.
   */
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/**
 * What {@linkcode parseArgs} returns: positional arguments in `_`, then one
 * property per declared flag. Undeclared flags (unless `unknown` drops
 * them) appear with an `unknown` value.
 *
 * @typeParam B Names of boolean flags.
 * @typeParam S Names of string flags.
 * @typeParam C Names of collecting flags.
 */
export type Args<
  B extends string = never,
  S extends string = never,
  C extends B | S = never,
> =
  & {
    /** Positional arguments; numeric-looking ones become numbers. */
    _: (string | number)[];
    /** Arguments after `--`, when the `"--"` option is set. */
    "--"?: string[];
  }
  & { [K in B]: K extends C ? boolean[] : boolean }
  & { [K in Exclude<S, C>]?: string }
  & { [K in S & C]: string[] }
  & Record<string, unknown>;

/**
 * Parses command-line arguments: `--flag`, `--flag=value`, `--flag value`,
 * `-f`, `-abc`, `--no-flag` (for `negatable` booleans) and positional
 * arguments. Anything after `--` is positional.
 *
 * Note that a string flag followed by an argument that starts with `-`
 * (such as `--out -`) takes no value: write `--out=-`.
 *
 * @typeParam B Names of boolean flags (inferred).
 * @typeParam S Names of string flags (inferred).
 * @typeParam C Names of collecting flags (inferred).
 * @param args The arguments, as in `Deno.args`.
 * @param options Which flags are booleans, strings, repeatable.
 * @returns The flags and positional arguments.
 * @throws {TypeError} If an alias has no value.
 *
 * @example Booleans, strings, aliases
 * ```ts
 * import { parseArgs } from "@std/cli/parse-args";
 * import { assertEquals } from "@std/assert";
 *
 * const args = parseArgs(["-q", "--out=-", "--no-check", "data.csv"], {
 *   boolean: ["quiet", "check"],
 *   negatable: ["check"],
 *   string: ["out"],
 *   alias: { quiet: "q" },
 * });
 * assertEquals([args.quiet, args.check, args.out], [true, false, "-"]);
 * assertEquals(args._, ["data.csv"]);
 * ```
 *
 * @example Report unknown flags
 * ```ts
 * import { parseArgs } from "@std/cli/parse-args";
 * import { assertEquals } from "@std/assert";
 *
 * const unknown: string[] = [];
 * parseArgs(["x.ts", "--colour"], {
 *   boolean: ["color"],
 *   unknown: (arg, key) => {
 *     if (key === undefined) return true; // a positional argument
 *     unknown.push(arg);
 *     return false;
 *   },
 * });
 * assertEquals(unknown, ["--colour"]);
 * ```
 */
export function parseArgs<
  const B extends string = never,
  const S extends string = never,
  const C extends B | S = never,
>(
  args: readonly string[],
  options: ParseOptions<B, S, C> = {},
): Args<B, S, C> {
  return untyped([...args], options) as Args<B, S, C>;
}
