/**
 * The package's version, as in `deno.json` (a test keeps the two equal):
 * what `poolflow --version` prints.
 *
 * @module
 */

/** The version of poolflow, such as `"0.1.0"`. */
export const VERSION = "0.1.0";
