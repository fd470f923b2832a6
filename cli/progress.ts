/**
 * The progress display, fed by a run's events. On a terminal, a
 * multi-line frame redrawn in place at each `progress` event; elsewhere
 * (a pipe, a log file), a plain line at each one. Both print the first few
 * failed items above the display. Output goes to a `write` function, stderr
 * in the CLI, so a stdout sink stays clean.
 *
 * @module
 */

import type { RunEvent, RunStats } from "../mod.ts";
import { truncate } from "./format.ts";
import {
  formatFailure,
  formatProgressFrame,
  formatProgressLine,
} from "./progress_format.ts";

/** Renders a run's events for people. */
export interface ProgressDisplay {
  /** Takes the next event. */
  onEvent(event: RunEvent): void;
  /** Prints a message above the display, such as "Stopping". */
  log(line: string): void;
  /** Removes what is drawn in place, if anything. */
  clear(): void;
}

/** Options of the progress displays. */
export interface ProgressOptions {
  /** Writes text (stderr in the CLI). */
  readonly write: (text: string) => void;
  /** The run's `--limit`, if any: the display's 100%. */
  readonly limit?: number | undefined;
  /** How many failed items to print before keeping quiet. Defaults to 5. */
  readonly failureLines?: number;
}

/** Options of {@linkcode TtyProgress}. */
export interface TtyProgressOptions extends ProgressOptions {
  /** The terminal's width now; lines are cut to fit so redraws stay in place. */
  readonly columns: () => number;
}

/** Counts failures and says which to print. */
class FailureLog {
  #seen = 0;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The lines to print for this failure, if any. */
  lines(event: Extract<RunEvent, { type: "item-failed" }>): string[] {
    this.#seen++;
    if (this.#seen <= this.#max) return [formatFailure(event)];
    if (this.#seen === this.#max + 1) {
      return ["… more failures are counted in the summary"];
    }
    return [];
  }
}

/**
 * The terminal display: a frame redrawn in place with ANSI cursor moves.
 *
 * @example Draw, then redraw in place
 * ```ts
 * import { TtyProgress } from "./progress.ts";
 * import { assertEquals } from "@std/assert";
 *
 * let screen = "";
 * const display = new TtyProgress({ write: (t) => screen += t, columns: () => 80 });
 * display.log("hello");
 * assertEquals(screen, "hello\n");
 * ```
 */
export class TtyProgress implements ProgressDisplay {
  readonly #options: TtyProgressOptions;
  readonly #failures: FailureLog;
  #drawn = 0;
  #last: RunStats | undefined;

  /**
   * Creates the display; it draws nothing until the first event.
   *
   * @param options Where to write, the terminal's width, the limit.
   */
  constructor(options: TtyProgressOptions) {
    this.#options = options;
    this.#failures = new FailureLog(options.failureLines ?? 5);
  }

  /** Redraws at `progress`, prints the first failures, clears at the end. */
  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "progress":
        this.#last = event.stats;
        this.#draw();
        break;
      case "item-failed":
        for (const line of this.#failures.lines(event)) this.log(line);
        break;
      case "stage-resized":
        this.log(`resized: ${event.stage} ${event.from} → ${event.to}`);
        break;
      case "run-finished":
        this.#last = undefined;
        this.clear();
        break;
    }
  }

  /** Prints `line` above the frame, then redraws the frame under it. */
  log(line: string): void {
    this.#options.write(`${this.#erase()}${line}\n`);
    this.#drawn = 0;
    this.#draw();
  }

  /** Removes the frame from the screen. */
  clear(): void {
    this.#options.write(this.#erase());
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.#last) return;
    const width = Math.max(20, this.#options.columns() - 1);
    const frame = formatProgressFrame(this.#last, {
      limit: this.#options.limit,
      barWidth: Math.max(
        10,
        Math.min(30, width - 55 - this.#last.workflow.length),
      ),
    }).map((line) => truncate(line, width));
    this.#options.write(`${this.#erase()}${frame.join("\n")}\n`);
    this.#drawn = frame.length;
  }

  /** Moves up over the drawn frame and clears to the end of the screen. */
  #erase(): string {
    return this.#drawn > 0 ? `\x1b[${this.#drawn}A\r\x1b[J` : "";
  }
}

/**
 * The display for pipes and logs: a line per `progress` event (the CLI
 * asks for one every two seconds), and the first failures.
 *
 * @example
 * ```ts
 * import { PlainProgress } from "./progress.ts";
 * import { assertEquals } from "@std/assert";
 *
 * let log = "";
 * const display = new PlainProgress({ write: (t) => log += t, failureLines: 1 });
 * for (const index of [1, 2, 3]) {
 *   display.onEvent({ type: "item-failed", stage: "parse", index, error: "bad", attempts: 1 });
 * }
 * assertEquals(log, "failed: parse #1: bad\n… more failures are counted in the summary\n");
 * ```
 */
export class PlainProgress implements ProgressDisplay {
  readonly #options: ProgressOptions;
  readonly #failures: FailureLog;

  /**
   * Creates the display.
   *
   * @param options Where to write, the limit.
   */
  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#failures = new FailureLog(options.failureLines ?? 5);
  }

  /** Prints a line at `progress`, and the first failures. */
  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "progress":
        this.log(formatProgressLine(event.stats, this.#options.limit));
        break;
      case "item-failed":
        for (const line of this.#failures.lines(event)) this.log(line);
        break;
      case "stage-resized":
        this.log(`resized: ${event.stage} ${event.from} -> ${event.to}`);
        break;
    }
  }

  /** Prints `line`. */
  log(line: string): void {
    this.#options.write(`${line}\n`);
  }

  /** Nothing to clear: lines stay. */
  clear(): void {}
}
