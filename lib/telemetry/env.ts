/**
 * Whether Deno's own OpenTelemetry exporter is on (`OTEL_DENO=true`), read
 * without a permission prompt: a process not allowed to read the variable
 * is taken to have it off.
 *
 * @module
 */

/**
 * Whether `OTEL_DENO` is `true` (or `1`) and readable.
 *
 * @returns `true` if Deno exports OpenTelemetry in this process.
 *
 * @example
 * ```ts
 * import { otelFromEnv } from "@poolflow/poolflow/telemetry";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(typeof otelFromEnv(), "boolean");
 * ```
 */
export function otelFromEnv(): boolean {
  const state = Deno.permissions.querySync({
    name: "env",
    variable: "OTEL_DENO",
  }).state;
  if (state !== "granted") return false;
  const value = Deno.env.get("OTEL_DENO")?.toLowerCase();
  return value === "true" || value === "1";
}
