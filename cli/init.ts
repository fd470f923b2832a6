/**
 * `poolflow init DIR`: a new project a user can run at once: a typed
 * `workflow.ts` over a bundled CSV, a `deno.json` mapping
 * `@poolflow/poolflow` (to JSR, or to the checkout this runs from when JSR
 * cannot be reached) with `start` and `check` tasks, and a `.gitignore`
 * for outputs and checkpoints. It overwrites nothing: if any of its files
 * exists, it names them and writes nothing.
 *
 * @module
 */

import { resolve } from "node:path";
import { closest } from "../lib/units/suggest.ts";
import { parseArgs } from "../std/parse_args.ts";
import { UsageError } from "./errors.ts";
import { ExitCode } from "./exit_codes.ts";
import {
  choosePoolflowSource,
  FROM_CHOICES,
  type FromChoice,
  type PoolflowSource,
} from "./init_registry.ts";
import { type ProjectFile, projectFiles } from "./init_project.ts";
import { writeStderr, writeStdout } from "./terminal.ts";

/** Options of {@linkcode initCommand}, for tests. */
export interface InitOptions {
  /** The working folder, absolute; `DIR` resolves against it. */
  readonly cwd?: string;
  /** Answers whether JSR has this version; by default, asks JSR. */
  readonly probe?: () => Promise<string | undefined>;
  /** This module's URL, as if run from there (a checkout or JSR). */
  readonly moduleUrl?: URL;
}

/** `poolflow init --help`. */
export const INIT_HELP = `Usage: poolflow init DIR [--from jsr|checkout]

Creates a project in DIR (made if missing) that runs at once:
  deno.json        maps @poolflow/poolflow; tasks "start" and "check"
  workflow.ts      a typed workflow over data/cities.csv
  data/cities.csv  its input
  .gitignore       out/ and .poolflow/ (outputs and checkpoints)
Then: cd DIR && deno task start

  --from jsr       map @poolflow/poolflow to the published module on JSR
  --from checkout  map it to the checkout this poolflow runs from
                   (default: JSR if it answers within 2 s, else the checkout)
  -h, --help       show this help

Nothing is overwritten: if one of the files exists, init names it, writes
nothing and exits 73. Permissions: --allow-read and --allow-write for DIR;
--allow-net=jsr.io to ask JSR.
`;

/**
 * Runs `poolflow init` with the arguments after `init`.
 *
 * @param argv The arguments after `init`.
 * @param options The working folder and, for tests, the JSR probe.
 * @returns The exit code: 0 created, 64 a wrong command line, 73 a file
 * exists or cannot be written.
 *
 * @example A project from a checkout
 * ```ts ignore
 * import { initCommand } from "./init.ts";
 *
 * const code = await initCommand(["my-etl", "--from", "checkout"]);
 * ```
 */
export async function initCommand(
  argv: readonly string[],
  options: InitOptions = {},
): Promise<number> {
  let args: InitArgs;
  try {
    args = parseInitArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeStderr(
      `poolflow init: ${error.message}\nRun "poolflow init --help" for usage.\n`,
    );
    return ExitCode.Usage;
  }
  if (args.help) {
    await writeStdout(INIT_HELP);
    return ExitCode.Ok;
  }
  const cwd = options.cwd ?? Deno.cwd();
  const dir = resolve(cwd, args.dir);
  const moduleUrl = options.moduleUrl ?? new URL(import.meta.url);
  try {
    const source = await choosePoolflowSource(
      args.from,
      moduleUrl,
      options.probe,
    );
    const files = projectFiles(source, dir);
    await refuseExisting(args.dir, dir, files);
    await writeFiles(args.dir, dir, files);
    await writeStdout(report(args.dir, files, source));
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof UsageError) {
      writeStderr(`poolflow init: ${error.message}\n`);
      return ExitCode.Usage;
    }
    if (error instanceof CannotCreateError) {
      writeStderr(`poolflow init: ${error.message}\n`);
      return ExitCode.CannotCreate;
    }
    throw error;
  }
}

interface InitArgs {
  readonly dir: string;
  readonly from: FromChoice;
  readonly help: boolean;
}

const INIT_FLAGS = ["from", "help"] as const;

function parseInitArgs(argv: readonly string[]): InitArgs {
  const unknown: string[] = [];
  const parsed = parseArgs([...argv], {
    boolean: ["help"],
    string: ["from"],
    alias: { help: "h" },
    unknown: (arg, key) => {
      if (key === undefined) return true;
      unknown.push(arg.startsWith("--") ? `--${key}` : `-${key}`);
      return false;
    },
  });
  const first = unknown[0];
  if (first !== undefined) {
    const hint = closest(first.replace(/^-+/, ""), INIT_FLAGS);
    throw new UsageError(
      `Unknown flag "${first}"${hint ? ` (did you mean "--${hint}"?)` : ""}`,
    );
  }
  const from = parsed.from;
  if (
    from !== undefined &&
    !(FROM_CHOICES as readonly string[]).includes(from)
  ) {
    throw new UsageError(
      `Invalid --from ${
        JSON.stringify(from)
      }: expected "jsr" or "checkout", such as --from checkout`,
    );
  }
  const positional = parsed._.map(String);
  if (positional.length > 1) {
    throw new UsageError(
      `Unexpected argument "${positional[1]}": give one folder`,
    );
  }
  const dir = positional[0];
  if (dir === undefined && !parsed.help) {
    throw new UsageError(
      "Missing the project folder: poolflow init DIR, such as poolflow init my-workflow",
    );
  }
  return {
    dir: dir ?? ".",
    from: from as FromChoice,
    help: parsed.help,
  };
}

/** A file of the project exists or cannot be written: exit 73. */
class CannotCreateError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "CannotCreateError";
  }
}

function permissionHint(error: unknown, flag: string, shown: string): string {
  return error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ? `allow it with ${flag}=${shown}`
    : error instanceof Error
    ? error.message
    : String(error);
}

/** Throws, naming every file that exists, before anything is written. */
async function refuseExisting(
  shown: string,
  dir: string,
  files: readonly ProjectFile[],
): Promise<void> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) {
      throw new CannotCreateError(
        `Cannot create a project in "${shown}": it is a file, not a folder; give a new or existing folder`,
      );
    }
  } catch (error) {
    if (error instanceof CannotCreateError) throw error;
    if (error instanceof Deno.errors.NotFound) return;
    throw new CannotCreateError(
      `Cannot look into "${shown}": ${
        permissionHint(error, "--allow-read", shown)
      }`,
      { cause: error },
    );
  }
  const existing: string[] = [];
  for (const file of files) {
    try {
      await Deno.lstat(`${dir}/${file.path}`);
      existing.push(file.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw new CannotCreateError(
        `Cannot look into "${shown}": ${
          permissionHint(error, "--allow-read", shown)
        }`,
        { cause: error },
      );
    }
  }
  if (existing.length > 0) {
    throw new CannotCreateError(
      `Refusing to overwrite ${
        existing.map((path) => `"${path}"`).join(", ")
      } in "${shown}": nothing was written; move ${
        existing.length === 1 ? "it" : "them"
      } away or choose a new folder`,
    );
  }
}

async function writeFiles(
  shown: string,
  dir: string,
  files: readonly ProjectFile[],
): Promise<void> {
  // Ask first (this prompts in a terminal), so a refusal writes nothing.
  const permission = await Deno.permissions.request({
    name: "write",
    path: dir,
  });
  if (permission.state !== "granted") {
    throw new CannotCreateError(
      `Cannot write the project in "${shown}": allow it with --allow-write=${shown}`,
    );
  }
  const written: string[] = [];
  try {
    for (const file of files) {
      const path = `${dir}/${file.path}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), {
        recursive: true,
      });
      // createNew: a file that appeared since the check is not overwritten.
      await Deno.writeTextFile(path, file.text, { createNew: true });
      written.push(path);
    }
  } catch (error) {
    // Leave the folder as it was: the files written so far were new.
    for (const path of written) await Deno.remove(path).catch(() => {});
    throw new CannotCreateError(
      `Cannot write the project in "${shown}" (nothing was kept): ${
        permissionHint(error, "--allow-write", shown)
      }`,
      { cause: error },
    );
  }
}

function report(
  shown: string,
  files: readonly ProjectFile[],
  source: PoolflowSource,
): string {
  const target = source.kind === "jsr"
    ? source.specifier
    : `the checkout at ${decodeURIComponent(source.root.pathname)}`;
  const cd = shown === "." ? "" : `  cd ${shown}\n`;
  return `Created a poolflow project in ${shown}:
${
    files.map((file) => `  ${file.path}\n`).join("")
  }@poolflow/poolflow maps to ${target} (${source.why}).
Next:
${cd}  deno task start   # run workflow.ts: data/cities.csv to out/cities.jsonl
  deno task check   # type-check it
`;
}
