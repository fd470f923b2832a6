/**
 * Path params on the CLI: `--param input=...` that escapes its root
 * (absolute, `..`, percent-encoded, a symbolic link, Windows-style) exits
 * 64 with a message naming the param and quoting the value, before
 * anything runs; a path inside the root runs, with roots relative to the
 * workflow file's folder whatever the working folder.
 *
 * @module
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { assertUserError, runCli, withTempDir } from "./_helpers.ts";

const WORKFLOW =
  `import { defineWorkflow, fromLines, toJsonl } from "@poolflow/poolflow";

export default defineWorkflow({
  name: "files",
  params: {
    input: { type: "path", root: "data", access: "read", description: "Lines to read" },
    out: { type: "path", root: "out", access: "write", default: "o.jsonl" },
  },
  source: ({ input }) => fromLines(input),
  pipeline: (rows) => rows.map("upper", (line: string) => line.toUpperCase()),
  sink: ({ out }) => toJsonl<string>(out),
});
`;

/** `dir/flows/files.ts` with `data/in.txt`, `out/`, a secret outside and links out. */
async function setUp(dir: string): Promise<string> {
  await Deno.mkdir(`${dir}/flows/data`, { recursive: true });
  await Deno.mkdir(`${dir}/flows/out`);
  await Deno.writeTextFile(`${dir}/flows/data/in.txt`, "a\nb\n");
  await Deno.writeTextFile(`${dir}/secret.txt`, "the secret\n");
  await Deno.symlink(`${dir}/secret.txt`, `${dir}/flows/data/leak.txt`);
  await Deno.symlink(`${dir}/secret.txt`, `${dir}/flows/out/leak.jsonl`);
  const file = `${dir}/flows/files.ts`;
  await Deno.writeTextFile(file, WORKFLOW);
  return file;
}

Deno.test("CLI: --param values escaping their root exit 64 naming the param, and run nothing", async () => {
  await withTempDir(async (tmp) => {
    const dir = await Deno.realPath(tmp);
    const file = await setUp(dir);
    const cases: [string[], string, string][] = [
      [["input=/etc/passwd"], "params.input", "absolute paths are not allowed"],
      [[`input=${dir}/secret.txt`], "params.input", "absolute paths"],
      [["input=../../secret.txt"], "params.input", '".." leads outside'],
      [["input=%2e%2e%2f%2e%2e%2fsecret.txt"], "params.input", "no such file"],
      [["input=leak.txt"], "params.input", "symbolic link leads outside"],
      [["input=..\\..\\secret.txt"], "params.input", "backslashes"],
      [["input=C:\\x"], "params.input", "drive letters"],
      [
        ["input=in.txt", "out=../../secret.txt"],
        "params.out",
        '".." leads outside',
      ],
      [["input=in.txt", "out=leak.jsonl"], "params.out", "symbolic link"],
    ];
    const outputs = await Promise.all(cases.map(([params]) =>
      runCli(
        [file, "--no-check", ...params.flatMap((p) => ["--param", p])],
        { cwd: dir },
      )
    ));
    for (const [i, [params, field, reason]] of cases.entries()) {
      const output = outputs[i]!;
      assertUserError(output, field);
      assertStringIncludes(output.stderr, reason, params.join(" "));
      const value = params.at(-1)!.slice(params.at(-1)!.indexOf("=") + 1);
      assertStringIncludes(output.stderr, JSON.stringify(value));
      assertStringIncludes(output.stderr, "files.ts");
      assertEquals(output.stdout, "", "nothing ran");
    }
    assertEquals(await Deno.readTextFile(`${dir}/secret.txt`), "the secret\n");
  });
});

Deno.test("CLI: a path param inside its root runs, relative to the workflow file's folder", async () => {
  await withTempDir(async (tmp) => {
    const dir = await Deno.realPath(tmp);
    const file = await setUp(dir);
    await Deno.mkdir(`${dir}/elsewhere`);
    const output = await runCli(
      [
        file,
        "--no-check",
        "--param",
        "input=in.txt",
        "--param",
        "out=runs/1.jsonl",
        "--quiet",
      ],
      { cwd: `${dir}/elsewhere` },
    );
    assertEquals(output.code, 0, output.stderr);
    assertEquals(
      await Deno.readTextFile(`${dir}/flows/out/runs/1.jsonl`),
      '"A"\n"B"\n',
    );
  });
});

Deno.test("CLI: --help and --dry-run show a path param's root and access", async () => {
  await withTempDir(async (tmp) => {
    const dir = await Deno.realPath(tmp);
    const file = await setUp(dir);
    const output = await runCli(
      [file, "--no-check", "--dry-run", "--param", "input=in.txt"],
      { cwd: dir },
    );
    assertEquals(output.code, 0, output.stderr);
    assertStringIncludes(
      output.stdout,
      `= ${
        JSON.stringify(`${dir}/flows/data/in.txt`)
      }  (path to read in data/, required)`,
    );
    assertStringIncludes(output.stdout, "(path to write in out/, default");
    const help = await runCli([file, "--help"], { cwd: dir });
    assertEquals(help.code, 0, help.stderr);
    assertStringIncludes(help.stdout, "input  path to read in data/  required");
  });
});
