/**
 * Bad CSV input through a run into files: what the user sees (the dead
 * letter's message, the summary) and what is kept (the rows around a bad
 * one reach the sink). See docs/bad_input.md.
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromCsv } from "../../mod.ts";
import { runToFiles, withTempDir } from "./_helpers.ts";

type Row = Record<string, string>;

async function csvFile(
  dir: string,
  content: string | Uint8Array,
): Promise<string> {
  const path = `${dir}/in.csv`;
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}

Deno.test("an unterminated quote is one failed item at its line; the rows before it are written", async () => {
  await withTempDir(async (dir) => {
    const path = await csvFile(dir, 'id,name\n1,Ada\n2,"Grace\n3,Alan\n');
    const { summary, out, dead } = await runToFiles<Row>(
      dir,
      fromCsv(path),
    );
    assertEquals(summary.status, "completed-with-failures");
    assertEquals(out, [{ id: "1", name: "Ada" }]);
    assertEquals(dead.length, 1);
    assertEquals(dead[0]!.stage, "source");
    assertEquals(dead[0]!.line, 3);
    assertEquals(dead[0]!.input, '2,"Grace\n3,Alan');
    assertEquals(
      dead[0]!.error,
      `${path}:3: Malformed CSV record: extraneous or missing " in quoted-field (line 4, column 1)`,
    );
  });
});

Deno.test("an unterminated quote longer than maxRecordLength is cut off as one failed item, memory bounded", async () => {
  await withTempDir(async (dir) => {
    const tail = `${"x".repeat(99)}\n`.repeat(20_000); // 2 MB of lines
    const path = await csvFile(dir, `id,name\n1,Ada\n2,"${tail}`);
    const { summary, out, dead } = await runToFiles<Row>(
      dir,
      fromCsv(path, { maxRecordLength: 1024 * 1024 }),
    );
    assertEquals(summary.status, "completed-with-failures");
    assertEquals(out, [{ id: "1", name: "Ada" }]);
    assertEquals(dead.length, 1);
    assertEquals(
      dead[0]!.error,
      `${path}:3: CSV record is longer than 1048576 characters (an unterminated quote?)`,
    );
  });
});

Deno.test("a row with the wrong number of fields is one failed item; the rows around it are written", async () => {
  await withTempDir(async (dir) => {
    const path = await csvFile(
      dir,
      "id,name\n1,Ada\n2,Grace,extra\n3\n4,Alan\n",
    );
    const { summary, out, dead } = await runToFiles<Row>(
      dir,
      fromCsv(path),
    );
    assertEquals(summary.status, "completed-with-failures");
    assertEquals([summary.read, summary.written, summary.failed], [4, 2, 2]);
    assertEquals(out, [{ id: "1", name: "Ada" }, { id: "4", name: "Alan" }]);
    assertEquals(dead.map((d) => [d.line, d.error, d.input]), [
      [3, `${path}:3: Expected 2 fields but found 3`, "2,Grace,extra"],
      [4, `${path}:4: Expected 2 fields but found 1`, "3"],
    ]);
  });
});

Deno.test("a UTF-8 byte-order mark is dropped: the first column keeps its plain name", async () => {
  await withTempDir(async (dir) => {
    const path = await csvFile(dir, "\uFEFFid,name\n1,Ada\n");
    const { summary, out } = await runToFiles<Row>(dir, fromCsv(path));
    assertEquals(summary.status, "succeeded");
    assertEquals(out, [{ id: "1", name: "Ada" }]);
    assertEquals(Object.keys(out[0]!)[0], "id");
  });
});

Deno.test("CRLF line ends leave no \\r in values; a CRLF inside quotes becomes \\n", async () => {
  await withTempDir(async (dir) => {
    const path = await csvFile(
      dir,
      'id,name\r\n1,Ada\r\n2,"two\r\nlines"\r\n3,Alan\r\n',
    );
    const { summary, out } = await runToFiles<Row>(dir, fromCsv(path));
    assertEquals(summary.status, "succeeded");
    assertEquals(out, [
      { id: "1", name: "Ada" },
      { id: "2", name: "two\nlines" },
      { id: "3", name: "Alan" },
    ]);
  });
});

Deno.test("an empty file, or one with only a header, is a run of zero items that succeeds", async () => {
  await withTempDir(async (dir) => {
    for (const content of ["", "id,name\n"]) {
      const path = await csvFile(dir, content);
      const { summary, out, dead } = await runToFiles<Row>(
        dir,
        fromCsv(path),
      );
      assertEquals(summary.status, "succeeded", JSON.stringify(content));
      assertEquals([summary.read, summary.written, summary.failed], [0, 0, 0]);
      assertEquals([out, dead], [[], []]);
      // The outputs exist, empty.
      assertEquals(await Deno.readTextFile(`${dir}/out.jsonl`), "");
    }
  });
});

Deno.test("a 10 MB field, bare or quoted, goes through whole", async () => {
  await withTempDir(async (dir) => {
    const big = "x".repeat(10 * 1024 * 1024);
    const path = await csvFile(
      dir,
      `id,name\n1,${big}\n2,"${big}"\n3,Alan\n`,
    );
    const { summary, out } = await runToFiles<Row>(dir, fromCsv(path));
    assertEquals(summary.status, "succeeded");
    assertEquals(out.map((row) => row.name!.length), [
      big.length,
      big.length,
      4,
    ]);
    assert(out[0]!.name === big && out[1]!.name === big);
  });
});

Deno.test({
  name: "maxRecordLength applies to a record on one line too",
  async fn() {
    await withTempDir(async (dir) => {
      const big = "x".repeat(2 * 1024 * 1024);
      const path = await csvFile(
        dir,
        `id,name\n1,"${big}"\n2,${big}\n3,Alan\n`,
      );
      const { out, dead } = await runToFiles<Row>(
        dir,
        fromCsv(path, { maxRecordLength: 1024 * 1024 }),
      );
      assertEquals(out, [{ id: "3", name: "Alan" }]);
      assertEquals(dead.length, 2);
    });
  },
});

Deno.test("invalid UTF-8 is replaced by U+FFFD without a word: the row goes through changed", async () => {
  await withTempDir(async (dir) => {
    const encoder = new TextEncoder();
    const path = await csvFile(
      dir,
      new Uint8Array([
        ...encoder.encode("id,name\n1,Ad"),
        0xff,
        0xfe,
        ...encoder.encode("\n2,Grace\n"),
      ]),
    );
    const { summary, out, dead } = await runToFiles<Row>(
      dir,
      fromCsv(path),
    );
    // Nothing tells the user: the status is succeeded and no item failed.
    assertEquals(summary.status, "succeeded");
    assertEquals(dead, []);
    assertEquals(out, [
      { id: "1", name: "Ad\uFFFD\uFFFD" },
      { id: "2", name: "Grace" },
    ]);
    assertStringIncludes(
      await Deno.readTextFile(`${dir}/out.jsonl`),
      "Ad\uFFFD\uFFFD",
    );
  });
});
