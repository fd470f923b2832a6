/**
 * The package's `deno.json` maps only what the library and its adapters
 * need at run time, so `deno task demo` from a fresh cache downloads
 * nothing else. Tests and benchmarks run with their own configurations
 * (`tests/deno.json`, `bench/deno.json`, each with its own lock file),
 * which repeat the package's imports and compiler options: these tests
 * keep the copies from drifting apart.
 *
 * @module
 */

import { assertEquals } from "@std/assert";

interface Config {
  readonly exports?: Record<string, string>;
  readonly imports?: Record<string, string>;
  readonly compilerOptions?: Record<string, unknown>;
  readonly tasks?: Record<string, string>;
}

const ROOT = new URL("../../", import.meta.url);

async function readConfig(path: string): Promise<Config> {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT))) as Config;
}

/** The package's imports as a nested config must see them: `./x` -> `../x`. */
function rebased(root: Config): Record<string, string> {
  const rebase = (target: string) =>
    target.startsWith("./") ? `../${target.slice(2)}` : target;
  const expected: Record<string, string> = {};
  for (const [key, target] of Object.entries(root.exports ?? {})) {
    expected[`@poolflow/poolflow${key.slice(1)}`] = rebase(target);
  }
  for (const [key, target] of Object.entries(root.imports ?? {})) {
    expected[key] = rebase(target);
  }
  return expected;
}

const TEST_ONLY = [
  "@sinonjs/fake-timers",
  "fast-check",
  "playwright-core",
  "@opentelemetry/sdk-trace",
  "@opentelemetry/sdk-metrics",
  "ajv",
];
const BENCH_ONLY = [
  "fastq",
  "p-limit",
  "p-map",
  "p-queue",
  "piscina",
  "tinypool",
];

for (
  const [path, own] of [
    ["tests/deno.json", TEST_ONLY],
    ["bench/deno.json", BENCH_ONLY],
  ] as const
) {
  Deno.test(`${path} maps the package's imports and entry points, and compiles like it`, async () => {
    const root = await readConfig("deno.json");
    const nested = await readConfig(path);
    const shared = Object.fromEntries(
      Object.entries(nested.imports ?? {}).filter(([key]) =>
        !(own as readonly string[]).includes(key)
      ),
    );
    // On failure: copy the package's new import (or entry point) into
    // this file, with "./" paths written "../".
    assertEquals(shared, rebased(root));
    assertEquals(nested.compilerOptions, root.compilerOptions);
  });
}

Deno.test("the package's deno.json maps no test or benchmark package", async () => {
  const root = await readConfig("deno.json");
  const mapped = Object.keys(root.imports ?? {});
  assertEquals(
    mapped.filter((key) => [...TEST_ONLY, ...BENCH_ONLY].includes(key)),
    [],
  );
  const lock = JSON.parse(
    await Deno.readTextFile(new URL("deno.lock", ROOT)),
  ) as { specifiers?: Record<string, string> };
  assertEquals(
    Object.keys(lock.specifiers ?? {}).filter((specifier) =>
      [...TEST_ONLY, ...BENCH_ONLY].some((name) =>
        specifier.startsWith(`npm:${name}@`)
      )
    ),
    [],
  );
});

Deno.test("every task that runs tests or benchmarks names their configuration", async () => {
  const { tasks = {} } = await readConfig("deno.json");
  for (const [name, command] of Object.entries(tasks)) {
    for (const part of command.split("&&")) {
      if (/\b(tests|bench)\//.test(part)) {
        const folder = /\bbench\//.test(part) ? "bench" : "tests";
        assertEquals(
          part.includes(`--config ${folder}/deno.json`),
          true,
          `task "${name}" runs "${part.trim()}" without --config ${folder}/deno.json`,
        );
      }
    }
  }
});
