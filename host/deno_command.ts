/**
 * Which Deno the CLI runs for `deno check`: the one running it, when
 * allowed, so the check and the run agree; otherwise the `deno` on `PATH`.
 * `--allow-run=deno` grants only the latter (Deno matches the name through
 * `PATH`, not the canonical path of its own executable), and it is the
 * flag a documented, least-privilege command can spell on every machine.
 *
 * @module
 */

/**
 * The executable to spawn for a Deno subcommand.
 *
 * @returns `Deno.execPath()` if running it is allowed, else `"deno"` if
 * that is allowed, else `Deno.execPath()` (spawning it then fails with
 * Deno's permission error, or prompts).
 *
 * @example Under `-A`, the running Deno
 * ```ts ignore
 * import { denoExecutable } from "./deno_command.ts";
 *
 * const command = new Deno.Command(denoExecutable(), { args: ["--version"] });
 * ```
 */
export function denoExecutable(): string {
  const own = Deno.execPath();
  if (granted(own)) return own;
  return granted("deno") ? "deno" : own;
}

function granted(command: string): boolean {
  return Deno.permissions.querySync({ name: "run", command }).state ===
    "granted";
}
