/**
 * Memory readings of the current process from `/proc/self/status` (Linux):
 * peak RSS (`VmHWM`) and current RSS (`VmRSS`), in MiB.
 *
 * @module
 */

/** A memory field of `/proc/self/status`. */
export type MemoryField = "VmHWM" | "VmRSS";

/**
 * Reads `field` in MiB; `NaN` where `/proc` is missing. Deno asks for
 * `--allow-all` to read `/proc/self`.
 */
export function readMemoryMb(field: MemoryField): number {
  let status: string;
  try {
    status = Deno.readTextFileSync("/proc/self/status");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return NaN;
    throw error;
  }
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return match?.[1] === undefined ? NaN : Number(match[1]) / 1024;
}

/** Current RSS in MiB after a full GC when `--expose-gc` is on. */
export function settledRssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return readMemoryMb("VmRSS");
}

/** V8 heap in use in MiB after a full GC when `--expose-gc` is on. */
export function settledHeapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Deno.memoryUsage().heapUsed / 2 ** 20;
}
