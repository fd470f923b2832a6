/**
 * Resume decisions of the host layer: a sink says whether it can resume,
 * both adapters ask the same function, and a workflow file's fingerprint
 * follows its text.
 *
 * @module
 */

import { assertEquals, assertNotEquals } from "@std/assert";
import {
  canResume,
  unresumableOutput,
  workflowFileFingerprint,
} from "../../host/resume.ts";
import {
  collect,
  type Sink,
  toCsv,
  toJson,
  toJsonl,
  toStdout,
} from "../../mod.ts";
import { withTempDir } from "../cli/_helpers.ts";

Deno.test("canResume() takes JSON lines, CSV and JSON files, or nothing", () => {
  assertEquals(
    [toJsonl("a.jsonl"), toCsv("a.csv"), toJson("a.json"), undefined].map(
      canResume,
    ),
    [true, true, true, true],
  );
  assertEquals(
    [toStdout(), collect(), toJsonl("-"), toCsv("-"), toJson("-")].map(
      canResume,
    ),
    [false, false, false, false, false],
  );
});

Deno.test("canResume() follows what a sink declares, not its kind", () => {
  const open = (): never => {
    throw new Error("not opened");
  };
  const own: Sink<never> = {
    kind: "parquet",
    location: "out.parquet",
    resumable: true,
    open,
  };
  const lookalike: Sink<never> = { kind: "jsonl", location: "x.jsonl", open };
  assertEquals([canResume(own), canResume(lookalike)], [true, false]);
});

Deno.test("unresumableOutput() names the first output that cannot resume", () => {
  assertEquals(
    unresumableOutput({ sink: undefined, deadLetter: undefined }),
    undefined,
  );
  assertEquals(
    unresumableOutput({
      sink: toJsonl("a.jsonl"),
      deadLetter: toJson("d.json"),
    }),
    undefined,
  );
  const stdout = toStdout();
  assertEquals(
    unresumableOutput({ sink: stdout, deadLetter: collect() }),
    { role: "sink", sink: stdout },
  );
  const memory = collect();
  assertEquals(
    unresumableOutput({ sink: toJsonl("a.jsonl"), deadLetter: memory }),
    { role: "dead-letter sink", sink: memory },
  );
});

Deno.test("workflowFileFingerprint() is the SHA-256 of the file and changes with it", async () => {
  await withTempDir(async (dir) => {
    const url = new URL(`file://${dir}/wf.ts`);
    await Deno.writeTextFile(url, "export default 1;\n");
    const first = await workflowFileFingerprint(url);
    assertEquals(first.length, 64);
    await Deno.writeTextFile(url, "export default 2;\n");
    assertNotEquals(await workflowFileFingerprint(url), first);
  });
});
