/**
 * Wrong workflow files through the CLI, in a subprocess: a syntax error,
 * no default export, an option of the wrong type and an unknown option,
 * with `--no-check` (the loader and the validator answer) and with the
 * type check (where the validator can say what is wrong, its line comes
 * first, not the checker's overloads). Each exits 64 with one short message naming the file, and
 * nothing runs: the workflow's output is never created.
 * See docs/bad_input.md.
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { exists, runCli, withTempDir } from "./_helpers.ts";

/** A workflow file writing to `out`, with `body` spliced into its spec. */
function workflowFile(out: string, body: string): string {
  return `import { defineWorkflow, range, toJsonl } from "@poolflow/poolflow";

export default defineWorkflow({
  name: "wrong",
  source: range(3),
  sink: toJsonl(${JSON.stringify(out)}),
  ${body}
});
`;
}

interface Case {
  readonly name: string;
  readonly code: (out: string) => string;
  /** What stderr holds with --no-check. */
  readonly unchecked: readonly string[];
  /** What stderr holds with the type check, if run. */
  readonly checked?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: "a syntax error",
    code: (out) => workflowFile(out, "concurrency: 4 4,"),
    unchecked: ["Cannot load it:", "SyntaxError: Expected ',', got"],
  },
  {
    name: "no default export",
    code: (out) =>
      workflowFile(out, "").replace("export default", "export const flow ="),
    unchecked: [
      'No default export: end the file with "export default defineWorkflow({...})" (it exports flow)',
    ],
  },
  {
    name: "an option of the wrong type",
    code: (out) => workflowFile(out, 'concurrency: "ten",'),
    unchecked: ['Invalid concurrency: expected an integer >= 1, got "ten"'],
    // The validator's line says it best, with or without the type check.
    checked: ['Invalid concurrency: expected an integer >= 1, got "ten"'],
  },
  {
    name: "an unknown option",
    code: (out) => workflowFile(out, 'colour: "red",'),
    unchecked: [
      'Unknown workflow option "colour": allowed are name, description, params, source, pipeline, sink, deadLetter',
    ],
    checked: [
      'Unknown workflow option "colour": allowed are name, description, params, source, pipeline, sink, deadLetter',
    ],
  },
];

for (const c of CASES) {
  Deno.test(`a workflow file with ${c.name}: exit 64, one message, nothing runs`, async () => {
    await withTempDir(async (dir) => {
      const out = `${dir}/out.jsonl`;
      const file = `${dir}/wrong.ts`;
      await Deno.writeTextFile(file, c.code(out));
      const runs: [readonly string[], readonly string[]][] = [
        [["--no-check"], c.unchecked],
      ];
      if (c.checked) runs.push([[], c.checked]);
      for (const [flags, expected] of runs) {
        const { code, stdout, stderr } = await runCli([file, ...flags]);
        const label = `${c.name} ${flags.join(" ")}\n${stderr}`;
        assertEquals(code, 64, label);
        assertEquals(stdout, "", label);
        assert(stderr.startsWith(`poolflow: ${file}: `), label);
        for (const text of expected) assertStringIncludes(stderr, text, label);
        // A message, not a crash: no stack frames of poolflow's own code.
        assert(!/\b(cli|lib)\/\w+\.ts/.test(stderr), label);
        assertEquals(await exists(out), false, label);
      }
    });
  });
}
