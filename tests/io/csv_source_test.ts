import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromCsv } from "../../lib/io/csv_source.ts";
import { InvalidRecord, type Source } from "../../lib/io/types.ts";
import {
  context,
  descriptorsOn,
  readAll,
  runScript,
  withTempDir,
} from "./_helpers.ts";

/** Writes `text` to `name` in `dir` and returns the path. */
async function file(dir: string, name: string, text: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  return path;
}

/** Items as plain values: invalid records become `{ invalid: line }`. */
function summarize(items: unknown[]): unknown[] {
  return items.map((item) =>
    item instanceof InvalidRecord ? { invalid: item.line } : item
  );
}

Deno.test("fromCsv() reads rows keyed by the header", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "a.csv", "id,name\n1,Ada\n2,Grace\n");
    const source = fromCsv(path);
    assertEquals([source.kind, source.location], ["csv", path]);
    assertEquals(await readAll(source), [
      { id: "1", name: "Ada" },
      { id: "2", name: "Grace" },
    ]);
  });
});

Deno.test("fromCsv() reads quoted fields with separators, quotes and line ends", async () => {
  await withTempDir(async (dir) => {
    const path = await file(
      dir,
      "q.csv",
      'id,text\n1,"a, b"\n2,"say ""hi"""\n3,"line one\nline two\n"\n4,""\n5,x\n',
    );
    assertEquals(await readAll(fromCsv(path)), [
      { id: "1", text: "a, b" },
      { id: "2", text: 'say "hi"' },
      { id: "3", text: "line one\nline two\n" },
      { id: "4", text: "" },
      { id: "5", text: "x" },
    ]);
  });
});

Deno.test("fromCsv() numbers lines past quoted line ends, with LF or CRLF", async () => {
  for (const eol of ["\n", "\r\n"]) {
    await withTempDir(async (dir) => {
      const text = [
        "id,text",
        '1,"two',
        'lines"',
        "2", // line 4: too few fields
        '3,"a',
        "",
        'c"',
        "4,extra,field", // line 8
        "5,ok",
      ].join(eol) + eol;
      const items = await readAll(fromCsv(await file(dir, "l.csv", text)));
      assertEquals(summarize(items), [
        { id: "1", text: `two${"\n"}lines` },
        { invalid: 4 },
        { id: "3", text: "a\n\nc" },
        { invalid: 8 },
        { id: "5", text: "ok" },
      ]);
    });
  }
});

Deno.test("fromCsv() reads CRLF files and drops a byte-order mark", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "w.csv", "\ufeffid,name\r\n1,Ada\r\n2,Grace");
    assertEquals(await readAll(fromCsv(path)), [
      { id: "1", name: "Ada" },
      { id: "2", name: "Grace" },
    ]);
  });
});

Deno.test("fromCsv() yields nothing for an empty file or a header alone", async () => {
  await withTempDir(async (dir) => {
    assertEquals(await readAll(fromCsv(await file(dir, "e.csv", ""))), []);
    assertEquals(await readAll(fromCsv(await file(dir, "h.csv", "a,b\n"))), []);
    assertEquals(await readAll(fromCsv(await file(dir, "h2.csv", "a,b"))), []);
    assertEquals(
      await readAll(fromCsv(await file(dir, "n.csv", ""), { header: false })),
      [],
    );
  });
});

Deno.test("fromCsv() skips blank lines between records", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "b.csv", "a,b\n\n1,2\r\n\r\n3,4\n\n");
    assertEquals(await readAll(fromCsv(path)), [
      { a: "1", b: "2" },
      { a: "3", b: "4" },
    ]);
  });
});

Deno.test("fromCsv() turns a row with the wrong number of fields into an invalid record and goes on", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "m.csv", "a,b\n1,2\n3\n4,5,6\n7,8\n");
    const items = await readAll(fromCsv(path));
    assertEquals(items.length, 4);
    assertEquals(items[0], { a: "1", b: "2" });
    const bad = items[1];
    assertInstanceOf(bad, InvalidRecord);
    assertEquals(bad.line, 3);
    assertEquals(bad.location, path);
    assertEquals(bad.text, "3");
    assertEquals(bad.reason, "Expected 2 fields but found 1");
    assertEquals(bad.message, `${path}:3: Expected 2 fields but found 1`);
    assertInstanceOf(items[2], InvalidRecord);
    assertEquals(items[2].line, 4);
    assertEquals(items[3], { a: "7", b: "8" });
  });
});

Deno.test("fromCsv() turns a bad quote into an invalid record and goes on", async () => {
  await withTempDir(async (dir) => {
    const path = await file(
      dir,
      "q.csv",
      'a,b\n1,x"y\n2,"ok"\n3,"bad"z\n4,"fine"\n',
    );
    const items = await readAll(fromCsv(path));
    assertEquals(summarize(items), [
      { invalid: 2 },
      { a: "2", b: "ok" },
      { invalid: 4 },
      { a: "4", b: "fine" },
    ]);
    const bare = items[0] as InvalidRecord;
    assertEquals(
      bare.reason,
      'Malformed CSV record: bare " in non-quoted-field (line 2, column 4)',
    );
    assertEquals(bare.text, '1,x"y');
  });
});

Deno.test("fromCsv() yields one invalid record at the line of an unterminated quote", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "u.csv", 'a,b\n1,2\n3,"open\n4,5\n6,7\n');
    const items = await readAll(fromCsv(path));
    assertEquals(summarize(items), [{ a: "1", b: "2" }, { invalid: 3 }]);
    assertStringIncludes(
      (items[1] as InvalidRecord).reason,
      'extraneous or missing " in quoted-field',
    );
    const last = await file(dir, "u2.csv", 'a,b\n1,2\n3,"open');
    assertEquals(summarize(await readAll(fromCsv(last))), [
      { a: "1", b: "2" },
      { invalid: 3 },
    ]);
  });
});

Deno.test("fromCsv() skips a record longer than maxRecordLength as one invalid record", async () => {
  await withTempDir(async (dir) => {
    const path = await file(
      dir,
      "long.csv",
      'a,b\n1,"abcdef\nghijkl\nmnopqr"\n2,3\n',
    );
    const items = await readAll(fromCsv(path, { maxRecordLength: 10 }));
    assertEquals(summarize(items), [{ invalid: 2 }, { a: "2", b: "3" }]);
    assertStringIncludes(
      (items[0] as InvalidRecord).reason,
      "longer than 10 characters",
    );
  });
});

Deno.test("fromCsv() reads a 10 MB field, quoted and with line ends", async () => {
  await withTempDir(async (dir) => {
    const big = "x".repeat(10 * 1024 * 1024);
    const lines = "y".repeat(99).concat("\n").repeat(100_000);
    const path = await file(
      dir,
      "big.csv",
      `id,data\n1,${big}\n2,"${big}"\n3,"${lines}"\n4,end\n`,
    );
    const items = await readAll(fromCsv(path));
    assertEquals(items.length, 4);
    const rows = items as Record<string, string>[];
    assertEquals(rows.map((row) => row.data!.length), [
      big.length,
      big.length,
      lines.length,
      3,
    ]);
    assert(rows[0]!.data === big && rows[1]!.data === big);
    assertEquals(rows[2]!.data, lines);
    assertEquals(rows[3], { id: "4", data: "end" });
  });
});

Deno.test("fromCsv() splits on a custom delimiter, one or more characters long", async () => {
  await withTempDir(async (dir) => {
    const semi = await file(dir, "s.csv", 'a;b\n1;"x;y"\n');
    assertEquals(await readAll(fromCsv(semi, { delimiter: ";" })), [
      { a: "1", b: "x;y" },
    ]);
    const tab = await file(dir, "t.tsv", "a\tb\n1,2\t3\n");
    assertEquals(await readAll(fromCsv(tab, { delimiter: "\t" })), [
      { a: "1,2", b: "3" },
    ]);
    const wide = await file(dir, "w.csv", 'a::b\n1::"2::3"\n');
    assertEquals(await readAll(fromCsv(wide, { delimiter: "::" })), [
      { a: "1", b: "2::3" },
    ]);
  });
});

Deno.test("fromCsv() rejects an invalid delimiter or columns at once", () => {
  for (const delimiter of ["", '"', "\n", "a\r"]) {
    assertThrows(() => fromCsv("x.csv", { delimiter }), TypeError, "delimiter");
  }
  assertThrows(
    () => fromCsv("x.csv", { columns: ["a", "a"] }),
    TypeError,
    '"a" appears twice',
  );
  assertThrows(() => fromCsv("x.csv", { columns: [] }), TypeError);
});

Deno.test("fromCsv() keys rows by explicit columns, skipping the file's header on request", async () => {
  await withTempDir(async (dir) => {
    const bare = await file(dir, "c.csv", "1,Ada\n2,Grace,x\n");
    const named = fromCsv(bare, { columns: ["id", "name"] });
    assertEquals(summarize(await readAll(named)), [
      { id: "1", name: "Ada" },
      { invalid: 2 },
    ]);
    const headed = await file(dir, "h.csv", "ID,NAME\n1,Ada\n");
    const renamed = fromCsv(headed, { columns: ["id", "name"], header: true });
    assertEquals(await readAll(renamed), [{ id: "1", name: "Ada" }]);
  });
});

Deno.test("fromCsv() yields arrays of fields without a header, of any width", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "n.csv", 'a,b\n1\n2,"3,4",5\n');
    assertEquals(await readAll(fromCsv(path, { header: false })), [
      ["a", "b"],
      ["1"],
      ["2", "3,4", "5"],
    ]);
  });
});

Deno.test("fromCsv() keeps __proto__ and other odd column names as plain keys", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "p.csv", "__proto__,constructor\n1,2\n");
    const [row] = await readAll(fromCsv(path));
    assertEquals(Object.keys(row as object), ["__proto__", "constructor"]);
    assertEquals(Object.getPrototypeOf(row), Object.prototype);
    assertEquals((row as Record<string, string>)["__proto__"], "1");
  });
});

Deno.test("fromCsv() fails on a malformed header or one naming a column twice", async () => {
  await withTempDir(async (dir) => {
    const twice = fromCsv(await file(dir, "d.csv", "id,id\n1,2\n"));
    await assertRejects(() => readAll(twice), TypeError, '"id" appears twice');
    const bad = fromCsv(await file(dir, "b.csv", 'id,"na"me\n1,2\n'));
    await assertRejects(
      () => readAll(bad),
      SyntaxError,
      `Cannot read the header of "${dir}/b.csv"`,
    );
  });
});

Deno.test("fromCsv() does no I/O until iterated, then names a missing file", async () => {
  const reader = fromCsv("data/missing.csv").open(context());
  assertEquals(reader.progress(), { done: 0, total: undefined, unit: "bytes" });
  const error = await assertRejects(
    () => Array.fromAsync(reader),
    Deno.errors.NotFound,
    'Cannot read input file "data/missing.csv": not found',
  );
  assertInstanceOf(error.cause, Deno.errors.NotFound);
});

Deno.test("fromCsv() names a folder given as the file", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => readAll(fromCsv(dir)),
      Error,
      `Cannot read input file "${dir}": is a directory`,
    );
  });
});

Deno.test("fromCsv() closes the file when the iteration stops early", async () => {
  await withTempDir(async (dir) => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `${i},row ${i}`);
    const path = await file(dir, "e.csv", `id,name\n${rows.join("\n")}\n`);
    const reader = fromCsv(path).open(context());
    let seen = 0;
    for await (const _ of reader) {
      if (++seen === 3) {
        assertEquals(descriptorsOn(path), 1);
        break;
      }
    }
    assertEquals(descriptorsOn(path), 0);
    const progress = reader.progress();
    assert(progress.done > 0 && progress.done < progress.total!);
    assertThrows(() => reader[Symbol.asyncIterator](), TypeError, "twice");
  });
});

Deno.test("fromCsv() reports progress in bytes up to the file's size", async () => {
  await withTempDir(async (dir) => {
    const path = await file(dir, "p.csv", "a\n1\n2\n");
    const reader = fromCsv(path).open(context());
    assertEquals(reader.progress(), {
      done: 0,
      total: undefined,
      unit: "bytes",
    });
    await Array.fromAsync(reader);
    assertEquals(reader.progress(), { done: 6, total: 6, unit: "bytes" });
  });
});

Deno.test("fromCsv() stops with the signal's reason when the run aborts", async () => {
  await withTempDir(async (dir) => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `${i}`);
    const path = await file(dir, "a.csv", `id\n${rows.join("\n")}\n`);
    const controller = new AbortController();
    const reason = new Error("stop");
    let seen = 0;
    const error = await assertRejects(async () => {
      for await (const _ of fromCsv(path).open(context(controller.signal))) {
        if (++seen === 10) controller.abort(reason);
      }
    });
    assertEquals(error, reason);
  });
});

Deno.test('fromCsv() reads stdin for the path "-"', async () => {
  await withTempDir(async (dir) => {
    const output = await runScript(
      dir,
      `import { fromCsv } from "./lib/io/csv_source.ts";
const reader = fromCsv("-").open({ signal: new AbortController().signal });
const rows = await Array.fromAsync(reader);
console.log(JSON.stringify({ source: fromCsv("-").location, rows, progress: reader.progress() }));`,
      "id,name\n1,Ada\n",
    );
    assertEquals(output.stderr, "");
    assertEquals(JSON.parse(output.stdout), {
      source: "-",
      rows: [{ id: "1", name: "Ada" }],
      progress: { done: 14, unit: "bytes" },
    });
  });
});

Deno.test("fromCsv() types rows by options and by a named row type", () => {
  interface Order {
    id: string;
    amount: string;
  }
  const objects: Source<Record<string, string>> = fromCsv("x.csv");
  const arrays: Source<string[]> = fromCsv("x.csv", { header: false });
  const named: Source<Record<"id" | "name", string>> = fromCsv("x.csv", {
    columns: ["id", "name"],
  });
  const orders: Source<Order> = fromCsv<Order>("x.csv", { delimiter: ";" });
  assertEquals(
    [objects, arrays, named, orders].map((source) => source.kind),
    ["csv", "csv", "csv", "csv"],
  );
});
