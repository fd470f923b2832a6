/**
 * Worker permissions. Deno lets a worker run with fewer permissions than
 * its parent (`new Worker(url, { deno: { permissions } })`), but in Deno 2
 * that option is unstable: without `--unstable-worker-options` on the
 * command line (or `"unstable": ["worker-options"]` in `deno.json`), Deno
 * ends the whole process (exit code 70, printing that the flag must be
 * provided) when such a worker starts, which no `catch` can stop. So the
 * pool checks for the flag first and throws a `TypeError` that says what
 * to do. It reads the command line from `/proc/self/cmdline` (Linux; Deno
 * allows that only under `--allow-all`) and the `deno.json` in use; when
 * it cannot read the command line it trusts the caller. Without
 * `permissions`, workers inherit the parent's permissions and need no flag.
 *
 * @module
 */

const FLAG = "--unstable-worker-options";
const CONFIG_NAMES = ["deno.json", "deno.jsonc"];
const UNSTABLE_IN_CONFIG = /"unstable"\s*:\s*\[[^\]]*"worker-options"/;

/**
 * The options of `new Worker` for a pool worker.
 *
 * @param name The worker's name, shown in its errors.
 * @param permissions What it may do; `undefined` inherits.
 * @returns Options for a module worker.
 * @throws {TypeError} If `permissions` is given and the flag is known to be
 * missing, or this is not Deno.
 */
export function workerOptions(
  name: string,
  permissions: Deno.PermissionOptions | undefined,
): WorkerOptions {
  if (permissions === undefined || permissions === "inherit") {
    return { type: "module", name };
  }
  if (typeof Deno === "undefined") {
    throw new TypeError(
      "Worker permissions are a Deno option: leave out `permissions` on this runtime",
    );
  }
  if (unstableWorkerOptions() === false) {
    throw new TypeError(
      `Worker permissions need Deno's ${FLAG} flag: run with \`deno run ${FLAG} ...\` (or \`deno test ${FLAG}\`), or add "unstable": ["worker-options"] to deno.json; without it Deno exits the process when the worker starts. Leave out \`permissions\` to let workers inherit the parent's permissions`,
    );
  }
  return { type: "module", name, deno: { permissions } };
}

/**
 * Whether worker options are enabled: `true` or `false` when the command
 * line could be read (Linux `/proc`), `undefined` when it could not, and
 * the caller is trusted.
 */
export function unstableWorkerOptions(): boolean | undefined {
  const args = readCommandLine();
  if (args === undefined) return undefined;
  if (args.includes(FLAG)) return true;
  for (const config of configCandidates(args)) {
    const text = readText(config);
    if (text !== undefined) return UNSTABLE_IN_CONFIG.test(text);
  }
  return false;
}

function readCommandLine(): string[] | undefined {
  const text = readText("/proc/self/cmdline");
  return text === undefined ? undefined : text.split("\0");
}

/** The config file named on the command line, else those Deno would discover. */
function* configCandidates(args: readonly string[]): Generator<string> {
  for (const [i, arg] of args.entries()) {
    if (arg.startsWith("--config=")) yield arg.slice("--config=".length);
    else if ((arg === "--config" || arg === "-c") && args[i + 1]) {
      yield args[i + 1]!;
    }
  }
  const starts: string[] = [];
  if (Deno.mainModule.startsWith("file:")) {
    starts.push(dirname(decodeURIComponent(new URL(Deno.mainModule).pathname)));
  }
  try {
    starts.push(Deno.cwd());
  } catch {
    // No read permission for the working directory: skip it.
  }
  for (const start of starts) {
    for (let dir = start;; dir = dirname(dir)) {
      for (const name of CONFIG_NAMES) yield `${dir}/${name}`;
      if (dir === "/" || dir === "" || dirname(dir) === dir) break;
    }
  }
}

function dirname(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}
