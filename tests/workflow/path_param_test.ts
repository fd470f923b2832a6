/**
 * Path params: a value is confined to its root whatever form it takes
 * (absolute, `..`, percent-encoded, Windows-style, through a symbolic
 * link), read params name an existing file, write params may name a new
 * one, and a refusal names the field and carries a stable code.
 *
 * @module
 */

import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  defineWorkflow,
  fromLines,
  type PathParamCode,
  PathParamError,
  planWorkflow,
  toJsonl,
} from "@poolflow/poolflow";

/** A folder with `data/in.txt`, `out/`, and `secret.txt` outside both. */
function withTree<T>(body: (dir: string) => T): T {
  const dir = Deno.realPathSync(
    Deno.makeTempDirSync({ prefix: "poolflow_paths_" }),
  );
  Deno.mkdirSync(`${dir}/data/sub`, { recursive: true });
  Deno.mkdirSync(`${dir}/out`);
  Deno.writeTextFileSync(`${dir}/data/in.txt`, "a\nb\n");
  Deno.writeTextFileSync(`${dir}/data/sub/deep.txt`, "c\n");
  Deno.writeTextFileSync(`${dir}/secret.txt`, "secret\n");
  try {
    return body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const files = defineWorkflow({
  name: "files",
  params: {
    input: { type: "path", root: "data", access: "read" },
    out: { type: "path", root: "out", access: "write", default: "o.jsonl" },
  },
  source: ({ input }) => fromLines(input),
  sink: ({ out }) => toJsonl<string>(out),
});

function plan(dir: string, params: Record<string, string>) {
  return planWorkflow(files, { params, folder: dir });
}

function assertRefused(
  dir: string,
  params: Record<string, string>,
  field: string,
  code: PathParamCode,
): PathParamError {
  const error = assertThrows(() => plan(dir, params), PathParamError);
  assertEquals([error.path, error.code], [field, code], error.message);
  assertStringIncludes(error.message, field);
  assertStringIncludes(error.message, JSON.stringify(params[field.slice(7)]));
  return error;
}

Deno.test("path params: a path inside the root resolves to its absolute path", () => {
  withTree((dir) => {
    const planned = plan(dir, { input: "sub/../in.txt", out: "run/1.jsonl" });
    assertEquals(planned.params, {
      input: `${dir}/data/in.txt`,
      out: `${dir}/out/run/1.jsonl`,
    });
    assertEquals(
      plan(dir, { input: "./sub/deep.txt" }).params.input,
      `${dir}/data/sub/deep.txt`,
    );
  });
});

Deno.test("path params: absolute paths and URLs are refused", () => {
  withTree((dir) => {
    assertRefused(
      dir,
      { input: `${dir}/secret.txt` },
      "params.input",
      "path_absolute",
    );
    assertRefused(
      dir,
      { input: "/etc/passwd" },
      "params.input",
      "path_absolute",
    );
    assertRefused(
      dir,
      { input: "in.txt", out: "/tmp/x" },
      "params.out",
      "path_absolute",
    );
    assertRefused(
      dir,
      { input: "file:///etc/passwd" },
      "params.input",
      "path_url",
    );
  });
});

Deno.test("path params: .. that leaves the root is refused, for reads and writes", () => {
  withTree((dir) => {
    assertRefused(
      dir,
      { input: "../secret.txt" },
      "params.input",
      "path_outside_root",
    );
    assertRefused(
      dir,
      { input: "sub/../../secret.txt" },
      "params.input",
      "path_outside_root",
    );
    assertRefused(
      dir,
      { input: "../../../../etc/hostname" },
      "params.input",
      "path_outside_root",
    );
    assertRefused(
      dir,
      { input: "in.txt", out: "../secret.txt" },
      "params.out",
      "path_outside_root",
    );
  });
});

Deno.test("path params: percent signs are not decoded, so %2e%2e%2f names no parent", () => {
  withTree((dir) => {
    // Read: a file of that literal name does not exist in the root.
    assertRefused(
      dir,
      { input: "%2e%2e%2fsecret.txt" },
      "params.input",
      "path_not_found",
    );
    assertRefused(
      dir,
      { input: "..%2fsecret.txt" },
      "params.input",
      "path_not_found",
    );
    // Write: it is a new file of that literal name inside the root.
    assertEquals(
      plan(dir, { input: "in.txt", out: "%2e%2e%2fsecret.txt" }).params.out,
      `${dir}/out/%2e%2e%2fsecret.txt`,
    );
  });
});

Deno.test("path params: Windows-style separators and drive letters are refused", () => {
  withTree((dir) => {
    for (
      const value of [
        "..\\..\\x",
        "sub\\deep.txt",
        "C:\\x",
        "c:x",
        "\\\\server\\share\\x",
      ]
    ) {
      assertRefused(dir, { input: value }, "params.input", "path_windows");
    }
    assertRefused(
      dir,
      { input: "in.txt", out: "..\\secret.txt" },
      "params.out",
      "path_windows",
    );
  });
});

Deno.test("path params: NUL and other control characters are refused", () => {
  withTree((dir) => {
    assertRefused(
      dir,
      { input: "in.txt\u0000.png" },
      "params.input",
      "path_control_character",
    );
    assertRefused(dir, { input: "" }, "params.input", "path_empty");
  });
});

Deno.test("path params: symbolic links that leave the root are refused, links inside it are followed", () => {
  withTree((dir) => {
    Deno.symlinkSync(`${dir}/secret.txt`, `${dir}/data/leak.txt`);
    Deno.symlinkSync(dir, `${dir}/data/up`);
    Deno.symlinkSync(`${dir}/data/in.txt`, `${dir}/data/alias.txt`);
    Deno.symlinkSync(`${dir}/secret.txt`, `${dir}/out/leak.jsonl`);
    Deno.symlinkSync(`${dir}/nowhere`, `${dir}/out/broken.jsonl`);
    assertRefused(
      dir,
      { input: "leak.txt" },
      "params.input",
      "path_symlink_outside_root",
    );
    assertRefused(
      dir,
      { input: "up/secret.txt" },
      "params.input",
      "path_symlink_outside_root",
    );
    // A write through an existing link out of the root would overwrite it.
    assertRefused(
      dir,
      { input: "in.txt", out: "leak.jsonl" },
      "params.out",
      "path_symlink_outside_root",
    );
    // A broken link could be created anywhere.
    assertRefused(
      dir,
      { input: "in.txt", out: "broken.jsonl" },
      "params.out",
      "path_symlink_outside_root",
    );
    // A new file under a linked folder that leaves the root.
    Deno.symlinkSync(dir, `${dir}/out/up`);
    assertRefused(
      dir,
      { input: "in.txt", out: "up/new.jsonl" },
      "params.out",
      "path_symlink_outside_root",
    );
    assertEquals(
      plan(dir, { input: "alias.txt" }).params.input,
      `${dir}/data/in.txt`,
    );
  });
});

Deno.test("path params: a file to read must exist; the default is checked like a value", () => {
  withTree((dir) => {
    const error = assertRefused(
      dir,
      { input: "missing.txt" },
      "params.input",
      "path_not_found",
    );
    assertStringIncludes(error.message, 'root "data"');
    const withDefault = defineWorkflow({
      name: "d",
      params: {
        input: { type: "path", root: "data", default: "../secret.txt" },
      },
      source: ({ input }) => fromLines(input),
    });
    const refused = assertThrows(
      () => planWorkflow(withDefault, { folder: dir }),
      PathParamError,
    );
    assertEquals(refused.code, "path_outside_root");
    assertStringIncludes(refused.message, "default of params.input");
  });
});

Deno.test("path params: a relative root resolves against the planning folder, given as a file: URL too", () => {
  withTree((dir) => {
    const url = new URL(`file://${dir}/`);
    assertEquals(
      planWorkflow(files, { params: { input: "in.txt" }, folder: url }).params
        .input,
      `${dir}/data/in.txt`,
    );
  });
});
