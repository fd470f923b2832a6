/**
 * What a project needs to know to map poolflow: the specifier of the
 * published module and the package's entry points (the `exports` of its
 * `deno.json`; a test keeps them equal). Shared by `poolflow init` and the
 * type check's advice about an unmapped import.
 *
 * @module
 */

import { VERSION } from "../lib/version.ts";

/** The import map target of the published module, as `deno add` writes it. */
export const JSR_SPECIFIER = `jsr:@poolflow/poolflow@^${VERSION}`;

/** The package's entry points: `exports` of its `deno.json`. */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  ".": "./mod.ts",
  "./pool": "./pool.ts",
  "./io": "./io.ts",
  "./workflow": "./workflow.ts",
  "./workers": "./workers.ts",
  "./durable": "./durable.ts",
  "./cli": "./cli.ts",
  "./server": "./server.ts",
  "./telemetry": "./lib/telemetry/mod.ts",
  "./executors": "./lib/executors/mod.ts",
  "./distributed": "./distributed.ts",
};
