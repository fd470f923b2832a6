import { assertEquals, assertRejects } from "@std/assert";
import { BufferedWriter } from "../../lib/io/buffered_writer.ts";

/** A target that takes at most `step` bytes per write, recording them. */
function slowTarget(step: number, failAt = Infinity) {
  const written: number[] = [];
  let writes = 0;
  return {
    written,
    async write(bytes: Uint8Array): Promise<number> {
      await Promise.resolve();
      if (++writes >= failAt) throw new Error("disk full");
      const n = Math.min(step, bytes.length);
      written.push(...bytes.subarray(0, n));
      return n;
    },
    text: () => new TextDecoder().decode(new Uint8Array(written)),
  };
}

Deno.test("BufferedWriter writes chunks in order across partial writes", async () => {
  const target = slowTarget(3);
  const writer = new BufferedWriter(target, 5);
  const pending: (void | Promise<void>)[] = [];
  for (let i = 0; i < 20; i++) pending.push(writer.write(`line ${i}\n`));
  assertEquals(pending.filter((p) => p !== undefined).length, 20);
  await writer.flush();
  assertEquals(
    target.text(),
    Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join(""),
  );
});

Deno.test("BufferedWriter holds text until a chunk fills or it is flushed", async () => {
  const target = slowTarget(1000);
  const writer = new BufferedWriter(target, 10);
  assertEquals(writer.write("abc"), undefined);
  assertEquals(writer.write("def"), undefined);
  await Promise.resolve();
  assertEquals(target.text(), "");
  await writer.flush();
  assertEquals(target.text(), "abcdef");
  await writer.flush();
  assertEquals(target.text(), "abcdef");
});

Deno.test("BufferedWriter reports a failed write at the next write or flush", async () => {
  const target = slowTarget(1000, 1);
  const writer = new BufferedWriter(target, 4);
  await writer.write("12345");
  await assertRejects(
    async () => await writer.write("6789"),
    Error,
    "disk full",
  );
  await assertRejects(() => writer.flush(), Error, "disk full");
});
