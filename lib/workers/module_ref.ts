/**
 * Checks of what names a worker task: a module (never a closure, which
 * cannot cross threads) and an export name; and whether this runtime has
 * workers at all.
 *
 * @module
 */

import { describeValue } from "../units/check.ts";

/**
 * The module as the worker will import it.
 *
 * @param module A URL or specifier.
 * @param where The API, named in the error.
 * @returns An absolute URL or a bare specifier.
 * @throws {TypeError} If `module` is a function, a relative path or not a
 * string or URL.
 */
export function resolveModule(module: unknown, where: string): string {
  if (typeof module === "function") {
    const name = module.name ? `"${module.name}"` : "the function";
    throw new TypeError(
      `${where} takes a module URL and an export name, not a function: a closure cannot cross to a worker thread. Move ${name} into its own module, export it, and pass new URL("./that_module.ts", import.meta.url) and the export's name`,
    );
  }
  if (module instanceof URL) return module.href;
  if (typeof module !== "string" || module.trim() === "") {
    throw new TypeError(
      `Invalid module for ${where}: expected a URL or a module specifier, got ${
        describeValue(module)
      }`,
    );
  }
  if (module.startsWith("./") || module.startsWith("../")) {
    throw new TypeError(
      `Invalid module for ${where}: "${module}" is relative, and the worker would resolve it against poolflow's own files: pass new URL("${module}", import.meta.url)`,
    );
  }
  return module;
}

/**
 * The export name, checked.
 *
 * @throws {TypeError} If it is not a non-empty string.
 */
export function checkExportName(name: unknown, where: string): string {
  if (typeof name === "string" && name !== "") return name;
  throw new TypeError(
    `Invalid export name for ${where}: expected the name of an exported function, such as "hash" or "default", got ${
      describeValue(name)
    }`,
  );
}

/**
 * Throws when this runtime has no `Worker`.
 *
 * @throws {DOMException} A `NotSupportedError` if `globalThis.Worker` is
 * missing.
 */
export function checkWorkersAvailable(where: string): void {
  if (typeof globalThis.Worker === "function") return;
  throw new DOMException(
    `${where} needs worker threads, but this runtime has no Worker (globalThis.Worker is ${
      describeValue(globalThis.Worker)
    }): run the stage's function directly, or use a runtime with module workers such as Deno`,
    "NotSupportedError",
  );
}
