/**
 * Path parameters: a value from the command line or an HTTP request that
 * names a file, confined to a folder the workflow declares (its root).
 * The value must be a relative POSIX path; it is normalised, joined to
 * the root and resolved through symbolic links, and refused with a
 * `PathParamError` if it would end outside the root. The workflow's
 * functions receive the resolved, absolute path.
 *
 * What is refused, and why: absolute paths and `..` escapes (they name
 * any file); backslashes, drive letters and UNC prefixes (Windows forms
 * that a POSIX check would misread); URL schemes (`file:///etc/passwd`);
 * NUL and other control characters (a NUL cuts a path short in C code);
 * symbolic links that lead out of the root or are broken (a write would
 * follow them); for `access: "read"`, a file that does not exist. For
 * `access: "write"` the file and its folders may not exist yet: the part
 * that exists is resolved through its links, and what does not exist
 * holds no link. Percent signs are not decoded: `%2e%2e%2f` is a file of
 * that literal name inside the root, never `../`.
 *
 * Limits: the check runs when the run is planned; a symbolic link created
 * inside the root between the check and the open is not seen. Keep roots
 * out of reach of untrusted writers other than the workflow itself.
 *
 * @module
 */

import { type PathParamCode, PathParamError } from "./errors.ts";

/** What a run does with a path parameter's file. */
export type PathAccess = "read" | "write";

/** What {@linkcode resolvePathParam} needs besides the value. */
export interface PathParamContext {
  /** The field, such as `params.input`, named in errors. */
  readonly field: string;
  /** The root as declared: relative to `folder`, or absolute. */
  readonly root: string;
  /** The folder a relative root resolves against, absolute. */
  readonly folder: string;
  /**
   * What the run does with the file (default `"read"`): a file to read
   * must exist; a file to write may not exist yet (nor may its folders).
   */
  readonly access?: PathAccess;
  /** Whether the value is the parameter's default (said in errors). */
  readonly isDefault?: boolean;
  /** The workflow file, named in errors. */
  readonly file?: string | undefined;
}

// Any C0 control character or DEL; NUL is the dangerous one.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const DRIVE = /^[A-Za-z]:/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:/;

/**
 * Resolves a path parameter's value inside its root.
 *
 * @param value The value given (or the default).
 * @param context The field, the declared root and the folder it is
 * relative to.
 * @returns The absolute path inside the root, symbolic links resolved
 * (for a write, the parts that do not exist yet appended as given).
 * @throws {PathParamError} If the value is not a relative path that stays
 * inside the root, or the root cannot be checked.
 *
 * @example Confine a value to a folder
 * ```ts
 * import { PathParamError, resolvePathParam } from "@poolflow/poolflow";
 * import { assertEquals, assertThrows } from "@std/assert";
 *
 * const folder = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${folder}/data`);
 * Deno.writeTextFileSync(`${folder}/data/orders.csv`, "id\n1\n");
 * const context = { field: "params.input", root: "data", folder };
 * const data = Deno.realPathSync(folder) + "/data";
 * assertEquals(resolvePathParam("in/../orders.csv", context), `${data}/orders.csv`);
 * assertThrows(() => resolvePathParam("../secret", context), PathParamError, '"../secret"');
 * assertThrows(() => resolvePathParam("missing.csv", context), PathParamError, "no such file");
 * // A file to write need not exist yet.
 * const write = { ...context, root: "out", access: "write" as const };
 * assertEquals(resolvePathParam("run/1.jsonl", write), `${Deno.realPathSync(folder)}/out/run/1.jsonl`);
 * Deno.removeSync(folder, { recursive: true });
 * ```
 */
export function resolvePathParam(
  value: unknown,
  context: PathParamContext,
): string {
  const { field, root } = context;
  const refuse = (code: PathParamCode, reason: string): never => {
    const what = context.isDefault ? `default of ${field}` : field;
    throw new PathParamError(
      field,
      code,
      `Invalid ${what} ${JSON.stringify(value)}: ${reason}`,
      { value, root, file: context.file },
    );
  };
  const inside =
    `give a path relative to its root "${root}", such as "file.csv"`;
  if (typeof value !== "string") {
    const what = context.isDefault ? `default of ${field}` : field;
    throw new PathParamError(
      field,
      "path_not_string",
      `Invalid ${what}: expected a path (a string) relative to its root "${root}", got ${
        typeof value === "number" || typeof value === "boolean"
          ? String(value)
          : value === null
          ? "null"
          : `a value of type ${typeof value}`
      }`,
      { value, root, file: context.file },
    );
  }
  if (value === "") return refuse("path_empty", `the path is empty; ${inside}`);
  if (CONTROL.test(value)) {
    return refuse(
      "path_control_character",
      `it holds a control character (such as NUL); ${inside}`,
    );
  }
  if (value.includes("\\") || DRIVE.test(value)) {
    return refuse(
      "path_windows",
      `backslashes, drive letters and UNC paths are not allowed; separate folders with "/" and ${inside}`,
    );
  }
  if (SCHEME.test(value)) {
    return refuse("path_url", `URLs are not allowed; ${inside}`);
  }
  if (value.startsWith("/")) {
    return refuse("path_absolute", `absolute paths are not allowed; ${inside}`);
  }
  const segments = normalise(value.split("/"));
  if (segments === undefined) {
    return refuse(
      "path_outside_root",
      `".." leads outside its root "${root}"; give a path inside it`,
    );
  }

  const rootPath = root.startsWith("/")
    ? root
    : `${context.folder.replace(/\/+$/, "")}/${root}`;
  const lexicalRoot = normalise(rootPath.split("/")) ?? [];
  let realRoot: string;
  let real: string;
  try {
    realRoot = realPath(lexicalRoot);
    real = realPath([...splitReal(realRoot), ...segments]);
  } catch (error) {
    if (error instanceof BrokenLink) {
      return refuse(
        "path_symlink_outside_root",
        `a symbolic link on its way is broken (it could lead anywhere); give a path to an existing file or a new one inside its root "${root}"`,
      );
    }
    return refuse(
      "path_unverifiable",
      `cannot check it against its root "${root}" (${
        describeFsError(error)
      }), so it is refused`,
    );
  }
  const prefix = realRoot === "/" ? "/" : `${realRoot}/`;
  if (real !== realRoot && !real.startsWith(prefix)) {
    return refuse(
      "path_symlink_outside_root",
      `a symbolic link leads outside its root "${root}"; give a path inside it`,
    );
  }
  if ((context.access ?? "read") === "read" && !exists(real)) {
    return refuse(
      "path_not_found",
      `no such file inside its root "${root}"; give the path of an existing file relative to it`,
    );
  }
  return real;
}

/** The segments without `.`, empty ones and `..` pairs; `undefined` if `..` climbs out. */
function normalise(parts: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out;
}

function splitReal(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

/** A symbolic link that points nowhere: following it would create a file anywhere. */
class BrokenLink extends Error {}

/**
 * The real path of an absolute path given as segments: the longest prefix
 * that exists, through `realpath`, with the rest appended (it does not
 * exist, so it holds no link).
 */
function realPath(segments: readonly string[]): string {
  for (let end = segments.length; end >= 0; end--) {
    const prefix = `/${segments.slice(0, end).join("/")}`;
    try {
      Deno.lstatSync(prefix);
    } catch (error) {
      if (
        error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.NotADirectory
      ) {
        continue;
      }
      throw error;
    }
    let real: string;
    try {
      real = Deno.realPathSync(prefix);
    } catch (error) {
      // It exists (lstat saw it) but cannot be followed: a broken link.
      if (
        error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.NotADirectory
      ) {
        throw new BrokenLink();
      }
      throw error;
    }
    const rest = segments.slice(end);
    if (rest.length === 0) return real;
    return `${real === "/" ? "" : real}/${rest.join("/")}`;
  }
  // "/" always exists; reached only if even it cannot be seen.
  throw new Deno.errors.NotFound("no part of the path exists");
}

/** Whether a resolved path (links already followed) exists. */
function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** An error's kind without the paths Deno puts in its message. */
function describeFsError(error: unknown): string {
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return "reading it is not allowed: grant --allow-read on the root";
  }
  return error instanceof Error ? error.name : "unknown error";
}
