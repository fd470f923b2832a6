/**
 * `--out`: the sink by extension.
 *
 * @module
 */

import { assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "../../cli/errors.ts";
import { sinkForOut } from "../../cli/out.ts";
import type { Sink } from "../../mod.ts";

Deno.test("sinkForOut() picks the sink by extension", () => {
  const cases: [string, string, string][] = [
    ["out.jsonl", "jsonl", "out.jsonl"],
    ["data/OUT.NDJSON", "jsonl", "data/OUT.NDJSON"],
    ["results.csv", "csv", "results.csv"],
    ["/tmp/all.json", "json", "/tmp/all.json"],
    ["-", "stdout", "-"],
  ];
  for (const [out, kind, location] of cases) {
    const sink = sinkForOut(out);
    assertEquals([sink.kind, sink.location], [kind, location], out);
  }
});

Deno.test("sinkForOut() refuses a path without a known extension", () => {
  for (const out of ["out.txt", "out", "dir.jsonl/", "archive.jsonl.gz"]) {
    assertThrows(
      () => sinkForOut(out),
      UsageError,
      `--out ${JSON.stringify(out)}`,
    );
  }
});

Deno.test("sinkForOut() writes what the sink of that kind writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_cli_" });
  try {
    // The override's item type is open (`never`); this one holds rows.
    const sink = sinkForOut(`${dir}/rows.csv`) as Sink<Record<string, unknown>>;
    const writer = await sink.open({ signal: new AbortController().signal });
    await writer.write({ a: 1, b: "x" });
    await writer.close();
    assertEquals(await Deno.readTextFile(`${dir}/rows.csv`), "a,b\r\n1,x\r\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
