import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { parse } from "@std/csv";
import { collect } from "../../lib/io/collect.ts";
import { fromCsv } from "../../lib/io/csv_source.ts";
import { toCsv } from "../../lib/io/csv_sink.ts";
import { fromJson } from "../../lib/io/json_source.ts";
import { toJson } from "../../lib/io/json_sink.ts";
import { fromJsonl } from "../../lib/io/jsonl_source.ts";
import { toJsonl } from "../../lib/io/jsonl_sink.ts";
import { toStdout } from "../../lib/io/stdout_sink.ts";
import type { Sink } from "../../lib/io/types.ts";
import { context, readAll, runScript, withTempDir } from "./_helpers.ts";

/** Opens `sink`, writes `items` (awaiting each write) and closes it. */
async function writeAll<T>(sink: Sink<T>, items: Iterable<T>): Promise<void> {
  const writer = await sink.open(context());
  try {
    for (const item of items) await writer.write(item);
  } finally {
    await writer.close();
  }
}

async function names(dir: string): Promise<string[]> {
  const entries = await Array.fromAsync(Deno.readDir(dir));
  return entries.map((entry) => entry.name).sort();
}

const rows = Array.from({ length: 20_000 }, (_, i) => ({
  id: i,
  name: `user "${i}", the ${i % 2 ? "odd" : "even"}`,
  tags: i % 3 ? null : ["x", i],
}));

Deno.test("toJsonl() round-trips items through fromJsonl(), creating folders", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/deep/er/out.jsonl`;
    const sink = toJsonl(path);
    assertEquals([sink.kind, sink.location], ["jsonl", path]);
    await writeAll(sink, rows);
    assertEquals(await readAll(fromJsonl(path)), rows);
  });
});

Deno.test("toJsonl() buffers writes and flushes them on close", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/b.jsonl`;
    const writer = await toJsonl(path).open(context());
    const pending = writer.write({ a: 1 });
    assertEquals(pending, undefined);
    assertEquals(await Deno.readTextFile(path), "");
    await writer.close();
    await writer.close();
    assertEquals(await Deno.readTextFile(path), '{"a":1}\n');
  });
});

Deno.test("toJsonl() replaces a file, or appends on request", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/a.jsonl`;
    await Deno.writeTextFile(path, "old\n");
    await writeAll(toJsonl(path), [1]);
    assertEquals(await Deno.readTextFile(path), "1\n");
    await writeAll(toJsonl(path, { append: true }), [2]);
    assertEquals(await Deno.readTextFile(path), "1\n2\n");
  });
});

Deno.test("toJsonl() refuses an item without a JSON form", async () => {
  await withTempDir(async (dir) => {
    const writer = await toJsonl<unknown>(`${dir}/x.jsonl`).open(context());
    try {
      assertThrows(() => writer.write(undefined), TypeError, "no JSON form");
      assertThrows(() => writer.write(() => 1), TypeError, "no JSON form");
      assertThrows(() => writer.write(1n), TypeError);
    } finally {
      await writer.close();
    }
  });
});

Deno.test("toJsonl() names a file it cannot write", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    await assertRejects(
      () => toJsonl(`${dir}/file/x.jsonl`).open(context()),
      Error,
      `Cannot write output file "${dir}/file/x.jsonl"`,
    );
  });
});

Deno.test("toCsv() round-trips objects through fromCsv() with std quoting", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out/o.csv`;
    const sink = toCsv(path);
    assertEquals([sink.kind, sink.location], ["csv", path]);
    await writeAll(sink, rows);
    const back = await readAll(fromCsv(path));
    assertEquals(
      back,
      rows.map((row) => ({
        id: String(row.id),
        name: row.name,
        tags: row.tags === null ? "" : JSON.stringify(row.tags),
      })),
    );
  });
});

Deno.test("toCsv() writes the given columns, arrays, and no header on request", async () => {
  await withTempDir(async (dir) => {
    const picked = `${dir}/p.csv`;
    await writeAll(toCsv(picked, { columns: ["name", "id"] }), [
      { id: 1, name: "a", extra: true },
      { id: 2 },
    ]);
    assertEquals(await Deno.readTextFile(picked), "name,id\r\na,1\r\n,2\r\n");
    const arrays = `${dir}/a.csv`;
    await writeAll(toCsv(arrays, { delimiter: ";" }), [[1, "x;y"], [2, null]]);
    assertEquals(parse(await Deno.readTextFile(arrays), { separator: ";" }), [
      ["1", "x;y"],
      ["2", ""],
    ]);
    const headed = `${dir}/h.csv`;
    await writeAll(toCsv(headed, { columns: ["n", "s"] }), [[1, "a"]]);
    assertEquals(await Deno.readTextFile(headed), "n,s\r\n1,a\r\n");
    const bare = `${dir}/b.csv`;
    await writeAll(toCsv(bare, { header: false }), [{ a: 1 }]);
    assertEquals(await Deno.readTextFile(bare), "1\r\n");
  });
});

Deno.test("toCsv() refuses items that are not objects or arrays, or change kind", async () => {
  await withTempDir(async (dir) => {
    const writer = await toCsv<never>(`${dir}/x.csv`).open(context());
    try {
      assertThrows(
        () => writer.write(42 as never),
        TypeError,
        "expected an object or an array",
      );
      await writer.write({ a: 1 } as never);
      assertThrows(
        () => writer.write([1] as never),
        TypeError,
        "like the first item",
      );
    } finally {
      await writer.close();
    }
    assertThrows(() => toCsv(`${dir}/y.csv`, { delimiter: '"' }), TypeError);
  });
});

Deno.test("toJson() shows no file until close, then a whole array, and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/r.json`;
    await Deno.writeTextFile(path, '"old"');
    const sink = toJson(path);
    assertEquals([sink.kind, sink.location], ["json", path]);
    const writer = await sink.open(context());
    for (const row of rows) await writer.write(row);
    assertEquals(await Deno.readTextFile(path), '"old"');
    const during = await names(dir);
    assertEquals(during.length, 2);
    assert(during.some((name) => /^\.r\.json\.[0-9a-f]{8}\.tmp$/.test(name)));
    await writer.close();
    assertEquals(await names(dir), ["r.json"]);
    assertEquals(await readAll(fromJson(path)), rows);
  });
});

Deno.test("toJson() writes an empty array, and creates the folder", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/new/e.json`;
    await writeAll(toJson(path), []);
    assertEquals(JSON.parse(await Deno.readTextFile(path)), []);
    assertEquals(await names(`${dir}/new`), ["e.json"]);
  });
});

Deno.test("toJson() removes its temporary file when the rename fails", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/taken`;
    await Deno.mkdir(`${path}/inside`, { recursive: true });
    const writer = await toJson(path).open(context());
    await writer.write(1);
    await assertRejects(
      () => writer.close(),
      Error,
      `Cannot write output file "${path}"`,
    );
    assertEquals(await names(dir), ["taken"]);
  });
});

Deno.test("collect() keeps items, emptied in place on each open", async () => {
  const sink = collect<number>();
  assertEquals([sink.kind, sink.location], ["collect", "memory"]);
  const items = sink.items;
  await writeAll(sink, [1, 2]);
  assertEquals(items, [1, 2]);
  await writeAll(sink, [3]);
  assertEquals(sink.items, [3]);
  assertEquals(items, [3]);
});

Deno.test('toStdout() and "-" paths print lines, flushed on close', async () => {
  await withTempDir(async (dir) => {
    const output = await runScript(
      dir,
      `import { toStdout } from "./lib/io/stdout_sink.ts";
import { toJsonl } from "./lib/io/jsonl_sink.ts";
import { toCsv } from "./lib/io/csv_sink.ts";
const ctx = { signal: new AbortController().signal };
for (const sink of [toStdout(), toStdout({ format: "text" }), toJsonl("-"), toCsv("-")]) {
  const writer = await sink.open(ctx);
  await writer.write({ a: 1 });
  if (sink.kind === "stdout") await writer.write("plain");
  await writer.close();
}`,
    );
    assertEquals(output.stderr, "");
    assertEquals(
      output.stdout,
      '{"a":1}\n"plain"\n{"a":1}\nplain\n{"a":1}\na\r\n1\r\n',
    );
  });
  assertThrows(
    () => toStdout({ format: "xml" as "text" }),
    TypeError,
    'expected "jsonl" or "text"',
  );
});

Deno.test("sinks and sources take file URLs, named by their paths", async () => {
  await withTempDir(async (dir) => {
    const folder = new URL(`file://${dir}/with space/`);
    const json = new URL("r.json", folder);
    const jsonl = new URL("r.jsonl", folder);
    const sink = toJson(json);
    assertEquals(sink.location, `${dir}/with space/r.json`);
    await writeAll(sink, [{ a: 1 }]);
    await writeAll(toJsonl(jsonl), [{ b: 2 }]);
    assertEquals(await names(`${dir}/with space`), ["r.json", "r.jsonl"]);
    assertEquals(await readAll(fromJson(json)), [{ a: 1 }]);
    const source = fromJsonl(jsonl);
    assertEquals(source.location, `${dir}/with space/r.jsonl`);
    assertEquals(await readAll(source), [{ b: 2 }]);
  });
});
