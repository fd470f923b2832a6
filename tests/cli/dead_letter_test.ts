/**
 * An item with no JSON form (a bigint, a cycle) fails alone through the
 * CLI, and its dead letter is written in a safe form: the run is not
 * failed by its own dead-letter sink, durable or not.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { jsonLines, runCli, withTempDir, writeWorkflow } from "./_helpers.ts";

function bigIntWorkflow(out: string, dead: string): string {
  return `import { defineWorkflow, fromIterable, toJsonl } from "@poolflow/poolflow";

export default defineWorkflow({
  name: "bigints",
  source: fromIterable([1, 2, 3, 4]),
  pipeline: (rows) =>
    rows.map("big", (n) => {
      if (n === 4) return { n };
      if (n === 3) {
        const cycle: Record<string, unknown> = { n };
        cycle.self = cycle;
        return cycle;
      }
      return { n, big: BigInt(n) * 10n ** 18n };
    }),
  sink: toJsonl(${JSON.stringify(out)}),
  deadLetter: toJsonl(${JSON.stringify(dead)}),
});
`;
}

for (const durable of [true, false]) {
  Deno.test(
    `cli: items with no JSON form fail alone and are dead-lettered in a safe form (${
      durable ? "durable" : "--no-checkpoint"
    })`,
    async () => {
      await withTempDir(async (dir) => {
        const out = `${dir}/out.jsonl`;
        const dead = `${dir}/dead.jsonl`;
        const file = await writeWorkflow(
          dir,
          "flow.ts",
          bigIntWorkflow(out, dead),
        );
        const result = await runCli([
          file,
          "--no-check",
          "--quiet",
          ...(durable ? [] : ["--no-checkpoint"]),
        ], { cwd: dir });
        assertEquals(result.code, 1, result.stderr);
        assertEquals(jsonLines(await Deno.readTextFile(out)), [{ n: 4 }]);
        const letters = jsonLines(await Deno.readTextFile(dead)) as {
          stage: string;
          input: unknown;
          error: string;
        }[];
        assertEquals(
          letters.map((letter) => letter.input).sort((a, b) =>
            JSON.stringify(a).localeCompare(JSON.stringify(b))
          ),
          [
            { n: 1, big: "1000000000000000000n" },
            { n: 2, big: "2000000000000000000n" },
            { n: 3, self: "[Circular]" },
          ],
        );
        for (const letter of letters) {
          assertEquals(letter.stage, "sink");
          assertStringIncludes(letter.error, "it has no JSON form");
        }
      });
    },
  );
}
