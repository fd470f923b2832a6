/**
 * Where a new project's `@poolflow/poolflow` import points: the published
 * module on JSR, or the checkout `poolflow init` runs from. Asked for
 * (`--from jsr`, `--from checkout`) or, by default, JSR when it answers
 * within a short timeout and lists this version, else the checkout: a
 * machine without JSR still gets a project that runs.
 *
 * @module
 */

import { VERSION } from "../lib/version.ts";
import { JSR_SPECIFIER } from "../host/package.ts";
import { UsageError } from "./errors.ts";

/** Where the import points, and why, for the message. */
export type PoolflowSource =
  | { readonly kind: "jsr"; readonly specifier: string; readonly why: string }
  | { readonly kind: "checkout"; readonly root: URL; readonly why: string };

/** What `--from` accepts. */
export const FROM_CHOICES = ["jsr", "checkout"] as const;

/** One of {@linkcode FROM_CHOICES}, or `undefined` to choose by reachability. */
export type FromChoice = typeof FROM_CHOICES[number] | undefined;

/** How long the JSR probe may take before the checkout is used. */
export const PROBE_TIMEOUT_MS = 2_000;

/** The package's metadata on JSR: its versions. */
const META_URL = "https://jsr.io/@poolflow/poolflow/meta.json";

/**
 * Decides where `@poolflow/poolflow` points.
 *
 * @param from What `--from` asked for.
 * @param moduleUrl This module's URL: a `file:` URL means a checkout.
 * @param probe Answers whether JSR has this version (a test passes its own).
 * @returns The source, with the reason it was chosen.
 * @throws {UsageError} For `--from checkout` when not run from a checkout.
 *
 * @example An explicit choice needs no network
 * ```ts
 * import { choosePoolflowSource } from "./init_registry.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const source = await choosePoolflowSource("checkout", new URL("file:///src/poolflow/cli/init_registry.ts"));
 * assertEquals(source.kind === "checkout" && source.root.href, "file:///src/poolflow/");
 * ```
 */
export async function choosePoolflowSource(
  from: FromChoice,
  moduleUrl: URL,
  probe: () => Promise<string | undefined> = probeJsr,
): Promise<PoolflowSource> {
  const checkout = moduleUrl.protocol === "file:"
    ? new URL("../", moduleUrl)
    : undefined;
  if (from === "jsr") {
    return { kind: "jsr", specifier: JSR_SPECIFIER, why: "--from jsr" };
  }
  if (from === "checkout") {
    if (checkout === undefined) {
      throw new UsageError(
        `Cannot use --from checkout: this poolflow runs from ${moduleUrl.origin}, not from a checkout; run the cli.ts of a checkout (deno run ... path/to/poolflow/cli.ts init DIR), or leave --from out`,
      );
    }
    return { kind: "checkout", root: checkout, why: "--from checkout" };
  }
  if (checkout === undefined) {
    return {
      kind: "jsr",
      specifier: JSR_SPECIFIER,
      why: "poolflow runs from the registry",
    };
  }
  const unreachable = await probe();
  if (unreachable === undefined) {
    return { kind: "jsr", specifier: JSR_SPECIFIER, why: "JSR answered" };
  }
  return {
    kind: "checkout",
    root: checkout,
    why: `${unreachable}; choose with --from jsr or --from checkout`,
  };
}

/**
 * Asks JSR whether it has this version, within {@linkcode PROBE_TIMEOUT_MS}.
 * Without `--allow-net=jsr.io` it asks nothing (rather than prompt).
 *
 * @returns `undefined` if JSR lists this version, else why not, such as
 * `JSR did not answer within 2 s`.
 */
export async function probeJsr(): Promise<string | undefined> {
  const permission = await Deno.permissions.query({
    name: "net",
    host: "jsr.io",
  });
  if (permission.state !== "granted") {
    return "JSR was not asked (no --allow-net=jsr.io)";
  }
  try {
    const response = await fetch(META_URL, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return `JSR answered ${response.status} for @poolflow/poolflow`;
    }
    const meta = await response.json() as { versions?: unknown };
    const versions = meta.versions;
    if (
      typeof versions === "object" && versions !== null && VERSION in versions
    ) {
      return undefined;
    }
    return `JSR has no @poolflow/poolflow ${VERSION}`;
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      return `JSR did not answer within ${PROBE_TIMEOUT_MS / 1000} s`;
    }
    const reason = error instanceof Error ? error.message : String(error);
    return `JSR cannot be reached (${reason.split("\n")[0]})`;
  }
}
