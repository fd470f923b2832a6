import { assertEquals } from "@std/assert";
import { toCsv } from "../../lib/io/csv_sink.ts";
import { toJson } from "../../lib/io/json_sink.ts";
import { toJsonl } from "../../lib/io/jsonl_sink.ts";
import type { Sink, SinkCheckpoint } from "../../lib/io/types.ts";
import { context, withTempDir } from "./_helpers.ts";

/**
 * A durable run goes on writing while a checkpoint syncs: the checkpoint
 * must describe what was written when it was asked for, or a resume would
 * skip the items written meanwhile and keep their lines too, or lose them.
 */
async function checkpointAmidWrites(
  sink: Sink<{ id: number }>,
): Promise<{ asked: SinkCheckpoint; later: SinkCheckpoint }> {
  const writer = await sink.open(context());
  try {
    for (let id = 0; id < 3; id++) await writer.write({ id });
    const asked = writer.checkpoint!();
    // Written, and flushed by the next checkpoint, before the first one
    // resolves: part of the next one only.
    for (let id = 3; id < 6; id++) await writer.write({ id });
    const later = writer.checkpoint!();
    return { asked: await asked, later: await later };
  } finally {
    await writer.close();
  }
}

Deno.test("toJsonl(), toCsv(), toJson(): a checkpoint holds what was written when it was asked for", async () => {
  await withTempDir(async (dir) => {
    const jsonl = await checkpointAmidWrites(toJsonl(`${dir}/out.jsonl`));
    const line = (id: number) => `{"id":${id}}\n`.length;
    assertEquals(jsonl.asked, { bytes: 3 * line(0) });
    assertEquals(jsonl.later, { bytes: 6 * line(0) });

    const csv = await checkpointAmidWrites(toCsv(`${dir}/out.csv`));
    // The header, then one short line per row, CRLF-ended.
    assertEquals(csv.asked.bytes, "id\r\n".length + 3 * "0\r\n".length);
    assertEquals(csv.later.bytes, "id\r\n".length + 6 * "0\r\n".length);

    const json = await checkpointAmidWrites(toJson(`${dir}/out.json`));
    assertEquals(json.asked.count, 3);
    assertEquals(json.asked.bytes, `[\n{"id":0},\n{"id":1},\n{"id":2}`.length);
    assertEquals(json.later.count, 6);
  });
});
