/**
 * Documented commands grant the least they need: no `deno run -A` or
 * `deno install -A` in the READMEs, the CLI's module doc and help, or the
 * tasks a user runs (`demo`, `serve`). Tests and benchmarks keep `-A`.
 * That the demo's exact flags suffice is tested by running `deno task demo`
 * (tests/examples/csv_workers_test.ts).
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { helpText } from "../../cli/help.ts";
import { INIT_HELP } from "../../cli/init.ts";

const ROOT = new URL("../../", import.meta.url);
const ALL = /\bdeno (?:run|install)\b[^\n`]*?(?:\s-A\b|--allow-all)/g;

function allGranting(text: string): string[] {
  return [...text.matchAll(ALL)].map((match) => match[0]);
}

Deno.test("documented commands run with least-privilege flags, not -A", async () => {
  for (const file of ["README.md", "examples/README.md", "cli.ts"]) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    assertEquals(allGranting(text), [], file);
  }
  assertEquals(allGranting(helpText()), [], "poolflow --help");
  assertEquals(allGranting(INIT_HELP), [], "poolflow init --help");
  const { tasks } = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { tasks: Record<string, string> };
  for (const name of ["demo", "serve"]) {
    assertEquals(allGranting(tasks[name] ?? ""), [], `deno task ${name}`);
  }
});
