/**
 * Input and output files that cannot be used: a missing input, an
 * unreadable one, an output that cannot be written. What the user sees
 * (the summary's error) and what is kept. See docs/bad_input.md.
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  collect,
  defineWorkflow,
  fromCsv,
  fromIterable,
  MemoryCheckpointStore,
  run,
  toJsonl,
} from "../../mod.ts";
import { runToFiles, withTempDir } from "./_helpers.ts";

/** Tests run as root here: then file modes do not block reading. */
const ROOT_USER = Deno.uid() === 0;

Deno.test("a missing input file fails the run with NotFound naming the file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/orders.csv`;
    const { summary, out, dead } = await runToFiles(dir, fromCsv(path));
    assertEquals(summary.status, "failed");
    assertEquals(summary.error, {
      name: "NotFound",
      message: `Cannot read input file "${path}": not found`,
    });
    assertEquals([summary.read, out.length, dead.length], [0, 0, 0]);
  });
});

Deno.test("a durable run over a missing input fails before its outputs are opened: they are kept", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    await Deno.writeTextFile(out, '{"earlier":true}\n');
    const summary = await run(
      defineWorkflow({
        name: "missing",
        source: fromCsv(`${dir}/orders.csv`),
        sink: toJsonl(out),
      }),
      { durable: { store: new MemoryCheckpointStore() } },
    ).done;
    assertEquals(summary.status, "failed");
    assertEquals(summary.error?.name, "NotFound");
    assertEquals(await Deno.readTextFile(out), '{"earlier":true}\n');
  });
});

Deno.test({
  name:
    "a run over a missing input leaves the output file an earlier run wrote",
  async fn() {
    await withTempDir(async (dir) => {
      const out = `${dir}/out.jsonl`;
      await Deno.writeTextFile(out, '{"earlier":true}\n');
      const summary = await run(defineWorkflow({
        name: "missing",
        source: fromCsv(`${dir}/orders.csv`),
        sink: toJsonl(out),
      })).done;
      assertEquals(summary.status, "failed");
      assertEquals(await Deno.readTextFile(out), '{"earlier":true}\n');
    });
  },
});

Deno.test("an unreadable input fails the run naming the file (chmod 000, or a folder when running as root)", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/orders.csv`;
    await Deno.writeTextFile(path, "id\n1\n");
    await Deno.chmod(path, 0o000);
    const locked = await runToFiles(dir, fromCsv(path));
    if (ROOT_USER) {
      // Root reads a file whatever its mode: nothing to see here.
      assertEquals(locked.summary.status, "succeeded");
      assertEquals(locked.out, [{ id: "1" }]);
    } else {
      assertEquals(locked.summary.status, "failed");
      assertEquals(locked.summary.error, {
        name: "PermissionDenied",
        message: `Cannot read input file "${path}": permission denied`,
      });
    }
    await Deno.chmod(path, 0o644);

    // A folder cannot be read as a file, by anyone.
    const folder = `${dir}/inputs`;
    await Deno.mkdir(folder);
    const { summary, out } = await runToFiles(dir, fromCsv(folder));
    assertEquals(summary.status, "failed");
    assertEquals(summary.error, {
      name: "IsADirectory",
      message: `Cannot read input file "${folder}": is a directory`,
    });
    // The input is looked at before the output is opened: the earlier
    // run's output is left as it was.
    assertEquals(out, locked.out);
  });
});

Deno.test("an output path under a regular file fails the run before anything is read", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/report`, "a file, not a folder");
    const out = `${dir}/report/out.jsonl`;
    const read: number[] = [];
    const summary = await run(defineWorkflow({
      name: "unwritable",
      source: fromIterable([1, 2, 3]),
      pipeline: (rows) =>
        rows.map("note", (n) => {
          read.push(n);
          return n;
        }),
      sink: toJsonl(out),
    })).done;
    assertEquals(summary.status, "failed");
    assertEquals(summary.error?.name, "AlreadyExists");
    // The message names the output, but its reason is the OS's, about mkdir.
    assertStringIncludes(
      summary.error!.message,
      `Cannot write output file "${out}": File exists (os error 17): mkdir '${dir}/report'`,
    );
    assertEquals([summary.read, summary.written], [0, 0]);
    assertEquals(read, []);
    assertEquals(
      await Deno.readTextFile(`${dir}/report`),
      "a file, not a folder",
    );
  });
});

Deno.test("an output path that is a folder fails the run with IsADirectory", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.jsonl`;
    await Deno.mkdir(out);
    const dead = collect();
    const summary = await run(defineWorkflow({
      name: "folder",
      source: fromIterable([1]),
      sink: toJsonl(out),
      deadLetter: dead,
    })).done;
    assertEquals(summary.status, "failed");
    assertEquals(summary.error, {
      name: "IsADirectory",
      message: `Cannot write output file "${out}": is a directory`,
    });
    assertEquals((await Deno.stat(out)).isDirectory, true);
    assertEquals(summary.read, 0);
  });
});
