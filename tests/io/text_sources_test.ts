import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "@std/assert";
import { fromJson } from "../../lib/io/json_source.ts";
import { fromJsonl } from "../../lib/io/jsonl_source.ts";
import { fromLines } from "../../lib/io/lines_source.ts";
import { InvalidRecord } from "../../lib/io/types.ts";
import {
  context,
  descriptorsOn,
  readAll,
  runScript,
  withTempDir,
} from "./_helpers.ts";

Deno.test("fromJsonl() reads one value per line and skips blank lines", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/v.jsonl`;
    await Deno.writeTextFile(path, '{"a":1}\r\n\n  \n[2]\n"three"\nnull\n4');
    const source = fromJsonl(path);
    assertEquals([source.kind, source.location], ["jsonl", path]);
    assertEquals(await readAll(source), [{ a: 1 }, [2], "three", null, 4]);
  });
});

Deno.test("fromJsonl() turns a line that is not JSON into an invalid record and goes on", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/bad.jsonl`;
    await Deno.writeTextFile(path, '{"id":1}\n\n{"id":\n{"id":3}\n');
    const items = await readAll(fromJsonl<{ id: number }>(path));
    assertEquals(items.length, 3);
    assertEquals(items[0], { id: 1 });
    const bad = items[1];
    assertInstanceOf(bad, InvalidRecord);
    assertEquals([bad.line, bad.text], [3, '{"id":']);
    assert(bad.reason.startsWith("Invalid JSON: "));
    assertEquals(items[2], { id: 3 });
  });
});

Deno.test("fromJsonl() reads lines longer than a read chunk", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/long.jsonl`;
    const long = "z".repeat(1_000_000);
    await Deno.writeTextFile(path, `"${long}"\n"${long}"\n`);
    assertEquals(await readAll(fromJsonl(path)), [long, long]);
  });
});

Deno.test("fromJsonl() and fromLines() name a missing file when iterated", async () => {
  for (const source of [fromJsonl("nope/x.jsonl"), fromLines("nope/x.jsonl")]) {
    await assertRejects(
      () => readAll(source),
      Deno.errors.NotFound,
      'Cannot read input file "nope/x.jsonl": not found',
    );
  }
});

Deno.test("fromLines() yields every line without its line end", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/l.txt`;
    await Deno.writeTextFile(path, "a\r\n\nb\r\nc");
    const source = fromLines(path);
    assertEquals(source.kind, "lines");
    assertEquals(await readAll(source), ["a", "", "b", "c"]);
    await Deno.writeTextFile(path, "");
    assertEquals(await readAll(fromLines(path)), []);
    await Deno.writeTextFile(path, "\n");
    assertEquals(await readAll(fromLines(path)), [""]);
  });
});

Deno.test("fromLines() decodes characters split between reads", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/u.txt`;
    // 3-byte characters cross every 256 KiB read boundary.
    const line = "€".repeat(100_000);
    await Deno.writeTextFile(path, `${line}\n${line}\n`);
    assertEquals(await readAll(fromLines(path)), [line, line]);
  });
});

Deno.test("fromLines() closes the file when the iteration stops early", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/many.txt`;
    await Deno.writeTextFile(path, "line\n".repeat(200_000));
    for await (const line of fromLines(path).open(context())) {
      assertEquals(line, "line");
      assertEquals(descriptorsOn(path), 1);
      break;
    }
    assertEquals(descriptorsOn(path), 0);
  });
});

Deno.test("fromJson() yields the elements of an array, reading the whole file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/a.json`;
    const values = Array.from({ length: 3000 }, (_, i) => ({ i }));
    await Deno.writeTextFile(path, JSON.stringify(values));
    const source = fromJson(path);
    assertEquals(source.kind, "json");
    const reader = source.open(context());
    assertEquals(await Array.fromAsync(reader), values);
    const { size } = await Deno.stat(path);
    assertEquals(reader.progress(), { done: size, total: size, unit: "bytes" });
  });
});

Deno.test("fromJson() names the file when it is not a JSON array", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/o.json`;
    await Deno.writeTextFile(path, '{"items": []}');
    await assertRejects(
      () => readAll(fromJson(path)),
      TypeError,
      `Expected a JSON array in "${path}", got an object`,
    );
    await Deno.writeTextFile(path, "[1, 2");
    await assertRejects(
      () => readAll(fromJson(path)),
      SyntaxError,
      `Cannot parse "${path}" as JSON: `,
    );
    await assertRejects(
      () => readAll(fromJson(`${dir}/none.json`)),
      Deno.errors.NotFound,
      `Cannot read input file "${dir}/none.json": not found`,
    );
  });
});

Deno.test('fromJsonl(), fromLines() and fromJson() read stdin for "-"', async () => {
  await withTempDir(async (dir) => {
    const run = (call: string, stdin: string) =>
      runScript(
        dir,
        `import { fromJson } from "./lib/io/json_source.ts";
import { fromJsonl } from "./lib/io/jsonl_source.ts";
import { fromLines } from "./lib/io/lines_source.ts";
const reader = ${call}.open({ signal: new AbortController().signal });
console.log(JSON.stringify(await Array.fromAsync(reader)));`,
        stdin,
      );
    assertEquals(
      (await run('fromJsonl("-")', '{"a":1}\n2\n')).stdout,
      '[{"a":1},2]\n',
    );
    assertEquals((await run('fromLines("-")', "x\ny")).stdout, '["x","y"]\n');
    assertEquals((await run('fromJson("-")', "[1,2]")).stdout, "[1,2]\n");
  });
});
