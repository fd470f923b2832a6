/**
 * Output paths resolve to sinks by extension; every file sink they give
 * can resume, stdout cannot.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { sinkForPath } from "../../host/outputs.ts";
import { canResume } from "../../host/resume.ts";

Deno.test("sinkForPath() picks the sink by extension, case-insensitively", () => {
  const kinds = ["a.jsonl", "b.NDJSON", "c.csv", "d.Json", "-"].map((path) =>
    sinkForPath(path)?.kind
  );
  assertEquals(kinds, ["jsonl", "jsonl", "csv", "json", "stdout"]);
  assertEquals(sinkForPath("out/c.csv")?.location, "out/c.csv");
});

Deno.test("sinkForPath() gives nothing for a format it cannot tell", () => {
  assertEquals(
    ["results.txt", "results", "dir.jsonl/", ".csv/x"].map(sinkForPath),
    [undefined, undefined, undefined, undefined],
  );
});

Deno.test("every file sink sinkForPath() gives can resume; stdout cannot", () => {
  assertEquals(
    ["a.jsonl", "b.ndjson", "c.csv", "d.json", "-"].map((path) =>
      canResume(sinkForPath(path)!)
    ),
    [true, true, true, true, false],
  );
});
