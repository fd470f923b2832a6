/**
 * The process's standard streams as the CLI uses them: stderr for people,
 * written synchronously (short lines, in order with the progress display),
 * the terminal's width, and stdout for plans, help and JSON.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Writes `text` to stderr, all of it.
 *
 * @param text The text.
 */
export function writeStderr(text: string): void {
  let bytes = encoder.encode(text);
  try {
    while (bytes.length > 0) {
      bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
    }
  } catch (error) {
    // Nobody reads stderr any more: nothing to tell them.
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

/**
 * Whether stderr is a terminal, where the progress display redraws in place.
 *
 * @returns `true` on a terminal.
 */
export function stderrIsTerminal(): boolean {
  return Deno.stderr.isTerminal();
}

/**
 * The terminal's width in columns; 80 when it cannot be told.
 *
 * @returns The width.
 */
export function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/**
 * Writes `text` to stdout, all of it (a closed pipe is ignored).
 *
 * @param text The text.
 * @returns When written.
 */
export async function writeStdout(text: string): Promise<void> {
  let bytes = encoder.encode(text);
  try {
    while (bytes.length > 0) {
      bytes = bytes.subarray(await Deno.stdout.write(bytes));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}
