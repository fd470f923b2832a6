/**
 * The benchmarks' own configuration (`bench/deno.json`): the peers they
 * measure against (p-map, piscina, ...) are mapped there, not in the
 * package's `deno.json`, so a child process a benchmark starts names it.
 *
 * @module
 */

/** The path of `bench/deno.json`, for `deno run --config`. */
export const BENCH_CONFIG: string = decodeURIComponent(
  new URL("./deno.json", import.meta.url).pathname,
);
