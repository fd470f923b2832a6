/**
 * The progress display: its text, the ETA, redrawing in place on a
 * terminal, plain lines elsewhere, and the first failures.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { PlainProgress, TtyProgress } from "../../cli/progress.ts";
import {
  completion,
  formatProgressFrame,
  formatProgressLine,
} from "../../cli/progress_format.ts";
import type { RunEvent } from "../../mod.ts";
import { runStats, runSummary, stageStats } from "./_fixtures.ts";

Deno.test("completion() uses the limit, else the source's size, else the count", () => {
  assertEquals(
    completion(
      runStats({
        read: 25,
        elapsedMs: 1000,
        progress: { done: 10, total: 1000, unit: "bytes" },
      }),
      100,
    ),
    { fraction: 0.25, done: "25/100 items", etaMs: 3000 },
  );
  assertEquals(
    completion(
      runStats({
        read: 5,
        elapsedMs: 3000,
        progress: { done: 2_500_000, total: 10_000_000, unit: "bytes" },
      }),
      undefined,
    ),
    { fraction: 0.25, done: "5/~20 items (2.5 MB/10.0 MB read)", etaMs: 9000 },
  );
  assertEquals(
    completion(runStats({ read: 1234, elapsedMs: 3000 }), undefined),
    { fraction: undefined, done: "1,234 items", etaMs: undefined },
  );
  // Nothing read yet, or all read: no ETA.
  assertEquals(
    completion(
      runStats({ progress: { done: 0, total: 10, unit: "items" } }),
      undefined,
    ).etaMs,
    undefined,
  );
  assertEquals(
    completion(
      runStats({
        read: 10,
        elapsedMs: 5,
        progress: { done: 10, total: 10, unit: "items" },
      }),
      undefined,
    ),
    { fraction: 1, done: "10/10 items", etaMs: undefined },
  );
});

Deno.test("formatProgressFrame() shows a row per stage and the stopping state", () => {
  const frame = formatProgressFrame(
    runStats({
      state: "stopping",
      elapsedMs: 65_000,
      read: 1500,
      written: 1400,
      deadLetters: 3,
      invalid: 1,
      stages: [
        stageStats({
          name: "fetch",
          in: 1500,
          out: 1450,
          failed: 3,
          retried: 12,
          running: 16,
          concurrency: 16,
          rate: 22.4,
        }),
        stageStats({ name: "group", kind: "batch", in: 1450, out: 140 }),
      ],
    }),
  );
  assertEquals(frame, [
    "etl  1,484 items  elapsed 1:05  stopping: finishing items in flight",
    "  stage  kind      in    out  failed  retried  running  rate",
    "  fetch  map    1,500  1,450       3       12    16/16  22/s",
    "  group  batch  1,450    140       0        0        -   0/s",
    "  written 1,400 · dead letters 3 · invalid 1",
  ]);
});

Deno.test("formatProgressLine() fits a run on one line", () => {
  assertEquals(
    formatProgressLine(
      runStats({
        elapsedMs: 4000,
        read: 48,
        progress: { done: 480, total: 1000, unit: "bytes" },
        written: 40,
        stages: [
          stageStats({ rate: 12, running: 8 }),
          stageStats({ name: "save", rate: 4.5, running: 1, concurrency: 2 }),
        ],
      }),
      undefined,
    ),
    "[0:04] etl: 39% of 39/~100 items (480 B/1.0 kB read), ETA 0:06 · written 40 · dead letters 0 | parse 12/s 8/8 | save 4.5/s 1/2",
  );
});

Deno.test("progress counts items finished, not bytes read ahead into buffers", () => {
  // A small CSV is read at once; 18 of its 96 rows are through, 78 in flight.
  const stats = runStats({
    elapsedMs: 2000,
    read: 96,
    progress: { done: 3200, total: 3200, unit: "bytes" },
    written: 18,
    stages: [stageStats({ running: 4, queued: 74, concurrency: 4 })],
  });
  assertEquals(
    formatProgressLine(stats, undefined),
    "[0:02] etl: 18% of 18/96 items, ETA 0:08 · written 18 · dead letters 0 | parse 0/s 4/4",
  );
  assertStringIncludes(formatProgressFrame(stats)[0]!, " 18%  18/96 items");
});

const failed = (index: number): RunEvent => ({
  type: "item-failed",
  stage: "parse",
  index,
  error: `bad ${index}\nsecond line`,
  attempts: index % 2 ? 3 : 1,
});

Deno.test("TtyProgress redraws its frame in place and prints failures above it", () => {
  let screen = "";
  const display = new TtyProgress({
    write: (text) => screen += text,
    columns: () => 40,
    failureLines: 2,
  });
  const stats = runStats({ read: 3, stages: [stageStats()] });
  display.onEvent({ type: "progress", stats });
  const first = screen;
  assertEquals(first.split("\n").length, 5); // 4 lines and the last newline
  for (const line of first.split("\n")) {
    assertEquals(line.length <= 39, true, line);
  }
  screen = "";
  display.onEvent({ type: "progress", stats });
  // Up over the 4 drawn lines, clear, draw again.
  assertEquals(screen, `\x1b[4A\r\x1b[J${first}`);
  screen = "";
  for (const index of [1, 2, 3, 4]) display.onEvent(failed(index));
  assertEquals(
    screen,
    `\x1b[4A\r\x1b[Jfailed: parse #1 after 3 attempts: bad 1\n${first}` +
      `\x1b[4A\r\x1b[Jfailed: parse #2: bad 2\n${first}` +
      `\x1b[4A\r\x1b[J… more failures are counted in the summary\n${first}`,
  );
  screen = "";
  display.onEvent({ type: "run-finished", summary: runSummary() });
  assertEquals(screen, "\x1b[4A\r\x1b[J");
  screen = "";
  display.log("after the end");
  assertEquals(screen, "after the end\n");
});

Deno.test("PlainProgress prints a line per progress event, and resizes", () => {
  let log = "";
  const display = new PlainProgress({
    write: (text) => log += text,
    limit: 10,
  });
  display.onEvent({
    type: "progress",
    stats: runStats({ read: 5, elapsedMs: 2000 }),
  });
  display.onEvent({ type: "stage-resized", stage: "parse", from: 8, to: 2 });
  display.onEvent({ type: "lagged", dropped: 3 });
  display.clear();
  assertEquals(
    log,
    "[0:02] etl: 50% of 5/10 items, ETA 0:02 · written 0 · dead letters 0\nresized: parse 8 -> 2\n",
  );
  assertStringIncludes(log, "50%");
});
