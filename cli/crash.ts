/**
 * Crashes: an error nobody caught, or a promise rejection nobody handled
 * (typically a stage that called an async function without `await`). The
 * CLI reports them with their stack and exits 70, so that a crash is never
 * mistaken for exit 1, "finished, some items failed".
 *
 * @module
 */

import { ExitCode } from "./exit_codes.ts";

/**
 * Makes uncaught errors and unhandled rejections end the process with
 * {@linkcode ExitCode.Crashed} after a message on stderr.
 *
 * @param exit How to leave; defaults to `Deno.exit`.
 * @param write Where the message goes; defaults to stderr.
 * @returns The handlers' removal.
 *
 * @example Report an unhandled rejection
 * ```ts
 * import { exitOnCrash } from "./crash.ts";
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 *
 * let code: number | undefined;
 * let text = "";
 * const remove = exitOnCrash((c) => (code = c), (t) => (text += t));
 * Promise.reject(new Error("forgot an await"));
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * remove();
 * assertEquals(code, 70);
 * assertStringIncludes(text, "an unhandled rejection");
 * ```
 */
export function exitOnCrash(
  exit: (code: number) => void = (code) => Deno.exit(code),
  write: (text: string) => void = (text) =>
    Deno.stderr.writeSync(new TextEncoder().encode(text)),
): () => void {
  const report = (what: string, error: unknown): void => {
    write(
      `poolflow: crashed: ${what} (exit code ${ExitCode.Crashed}): ${
        describe(error)
      }\nA stage that calls an async function must await it, or catch its errors.\n`,
    );
    exit(ExitCode.Crashed);
  };
  const onRejection = (event: PromiseRejectionEvent): void => {
    event.preventDefault();
    report("an unhandled rejection", event.reason);
  };
  const onError = (event: ErrorEvent): void => {
    event.preventDefault();
    report("an uncaught error", event.error ?? event.message);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  return () => {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("error", onError);
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.stack ?? `${error.name}: ${error.message}`;
  }
  return String(error);
}
