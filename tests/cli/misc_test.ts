/**
 * Small parts of the CLI: exit codes, JSON events, the version.
 *
 * @module
 */

import { assertEquals, assertRejects } from "@std/assert";
import { ExitCode, exitCodeFor } from "../../cli/exit_codes.ts";
import { writeJsonEvents } from "../../cli/json_events.ts";
import { VERSION } from "../../lib/version.ts";
import type { RunEvent } from "../../mod.ts";
import { runSummary } from "./_fixtures.ts";

Deno.test("VERSION is the version in deno.json", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  assertEquals(VERSION, config.version);
});

Deno.test("exitCodeFor() maps every status, with and without a signal", () => {
  const statuses = [
    "succeeded",
    "completed-with-failures",
    "failed",
    "stopped",
    "aborted",
  ] as const;
  assertEquals(
    statuses.map((s) => exitCodeFor(s, undefined)),
    [0, 1, 2, 2, 2],
  );
  assertEquals(
    statuses.map((s) => exitCodeFor(s, "SIGINT")),
    [0, 1, 130, 130, 130],
  );
  assertEquals(
    statuses.map((s) => exitCodeFor(s, "SIGTERM")),
    [0, 1, 143, 143, 143],
  );
  assertEquals(
    [ExitCode.Usage, ExitCode.Interrupted, ExitCode.Terminated],
    [64, 130, 143],
  );
});

Deno.test("writeJsonEvents() writes whole lines through partial writes", async () => {
  const events: RunEvent[] = [
    { type: "stage-resized", stage: "parse", from: 1, to: 2 },
    { type: "run-finished", summary: runSummary() },
  ];
  const bytes: number[] = [];
  // A writer that takes at most 7 bytes at a time.
  const writer = {
    write: (chunk: Uint8Array) => {
      const taken = chunk.subarray(0, 7);
      bytes.push(...taken);
      return Promise.resolve(taken.length);
    },
  };
  await writeJsonEvents(events, writer);
  const lines = new TextDecoder().decode(new Uint8Array(bytes)).split("\n");
  assertEquals(lines.length, 3);
  assertEquals(lines.slice(0, 2).map((line) => JSON.parse(line)), events);
});

Deno.test("writeJsonEvents() ends quietly when the reader goes away, and not on other errors", async () => {
  const event: RunEvent = { type: "lagged", dropped: 1 };
  await writeJsonEvents([event, event], {
    write: () => Promise.reject(new Deno.errors.BrokenPipe("gone")),
  });
  await assertRejects(
    () =>
      writeJsonEvents([event], {
        write: () => Promise.reject(new TypeError("bug")),
      }),
    TypeError,
    "bug",
  );
});
