/**
 * Memory readings of the current process from `/proc/self/status` (Linux):
 * peak RSS (`VmHWM`) and current RSS (`VmRSS`), in MiB; and its CPU time
 * from `/proc/self/stat`.
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

/**
 * CPU seconds the process used so far, user and system, of all its
 * threads (`/proc/self/stat`); `NaN` where `/proc` is missing. On a shared
 * machine it moves far less than wall time with the other load.
 */
export function readCpuSeconds(): number {
  let stat: string;
  try {
    stat = Deno.readTextFileSync("/proc/self/stat");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return NaN;
    throw error;
  }
  // Fields after the command name, which is in parentheses: utime and
  // stime are the 14th and 15th fields, in clock ticks (100 a second on
  // Linux everywhere Deno runs).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
