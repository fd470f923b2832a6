// Every built-in source is also an AsyncIterable of its rows.
import { assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import {
  fromCsv,
  fromIterable,
  fromJson,
  fromJsonl,
  fromLines,
  InvalidRecord,
  InvalidRecordError,
  mapAll,
  mapConcurrent,
  range,
  SourceError,
} from "../../mod.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("mapConcurrent() takes fromCsv(path) directly and yields a value per row", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/rows.csv`;
    await Deno.writeTextFile(path, "id,name\n1,ada\n2,bob\n3,cy\n");
    const names = await mapAll(
      fromCsv<{ id: string; name: string }>(path),
      (row) => row.name.toUpperCase(),
      { concurrency: 2 },
    );
    assertEquals(names, ["ADA", "BOB", "CY"]);
  });
});

Deno.test("Every file source iterates its rows with for await, and again afresh", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.jsonl`, '{"n":1}\n\n{"n":2}\n');
    await Deno.writeTextFile(`${dir}/a.json`, '[{"n":1},{"n":2}]');
    await Deno.writeTextFile(`${dir}/a.txt`, "x\ny\n");
    const jsonl = fromJsonl<{ n: number }>(`${dir}/a.jsonl`);
    assertEquals(await Array.fromAsync(jsonl), [{ n: 1 }, { n: 2 }]);
    assertEquals(await Array.fromAsync(jsonl), [{ n: 1 }, { n: 2 }]);
    assertEquals(await Array.fromAsync(fromJson(`${dir}/a.json`)), [
      { n: 1 },
      { n: 2 },
    ]);
    assertEquals(await Array.fromAsync(fromLines(`${dir}/a.txt`)), ["x", "y"]);
    assertEquals(await Array.fromAsync(range(3)), [0, 1, 2]);
    assertEquals(await Array.fromAsync(fromIterable(["a", "b"])), ["a", "b"]);
  });
});

Deno.test("A malformed record ends the iteration with InvalidRecordError naming file and line, after the rows before it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/events.jsonl`;
    await Deno.writeTextFile(path, '{"id":1}\n{oops\n{"id":3}\n');
    const seen: unknown[] = [];
    const error = await assertRejects(async () => {
      for await (const row of fromJsonl(path)) seen.push(row);
    }, InvalidRecordError);
    assertEquals(seen, [{ id: 1 }]);
    assertEquals(error.code, "invalid_record");
    assertEquals([error.location, error.line], [path, 2]);
    assertEquals(error.message.startsWith(`${path}:2: Invalid JSON`), true);
    assertInstanceOf(error.record, InvalidRecord);
    assertEquals(error.record.text, "{oops");
  });
});

Deno.test("Under mapConcurrent() a malformed CSV row is a SourceError caused by InvalidRecordError, after the rows before it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/rows.csv`;
    await Deno.writeTextFile(path, "id,name\n1,ada\n2,bob,extra\n3,cy\n");
    const values: string[] = [];
    const error = await assertRejects(async () => {
      for await (
        const o of mapConcurrent(fromCsv(path), (row) => row.name!)
      ) if (o.ok) values.push(o.value);
    }, SourceError);
    assertEquals(values, ["ada"]);
    assertInstanceOf(error.cause, InvalidRecordError);
    assertEquals(error.cause.line, 3);
  });
});

Deno.test("open({ signal }) still yields malformed records as InvalidRecord values and goes on", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/events.jsonl`;
    await Deno.writeTextFile(path, '{"id":1}\n{oops\n{"id":3}\n');
    const { signal } = new AbortController();
    const items = await Array.fromAsync(fromJsonl(path).open({ signal }));
    assertEquals(items.length, 3);
    assertInstanceOf(items[1], InvalidRecord);
  });
});

Deno.test("Leaving a source's for await early closes its file", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/many.txt`;
    await Deno.writeTextFile(path, "line\n".repeat(10_000));
    let n = 0;
    for await (const _ of fromLines(path)) if (++n === 3) break;
    assertEquals(n, 3);
    // The resource sanitizer fails this test if the file stayed open.
  });
});
