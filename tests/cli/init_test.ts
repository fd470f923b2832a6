/**
 * `poolflow init DIR`: from a checkout (where JSR cannot be reached) it
 * makes a project whose `deno task check` and `deno task start` exit 0
 * with the tasks' own least-privilege flags; it refuses to overwrite and
 * then writes nothing; from a module served over HTTP (as the published
 * one is) it loads its templates and maps `@poolflow/poolflow` to JSR; and
 * it chooses JSR or the checkout as asked, or by whether JSR answers.
 *
 * @module
 */

import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { VERSION } from "../../lib/version.ts";
import { choosePoolflowSource } from "../../cli/init_registry.ts";
import { ENTRY_POINTS, JSR_SPECIFIER } from "../../host/package.ts";
import { CHECK_TASK, projectFiles, startTask } from "../../cli/init_project.ts";
import { UsageError } from "../../cli/errors.ts";

const ROOT = new URL("../../", import.meta.url);
const CLI = new URL("cli.ts", ROOT).pathname;

interface Output {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `deno` in `cwd` with no config of the repository's. */
async function deno(args: readonly string[], cwd: string): Promise<Output> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function withTempDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "poolflow_init_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `poolflow init` as a user runs it: only the permissions it documents. */
function init(dir: string, cwd: string, ...flags: string[]): Promise<Output> {
  return deno([
    "run",
    "--no-prompt",
    `--allow-read=${dir}`,
    `--allow-write=${dir}`,
    CLI,
    "init",
    dir,
    ...flags,
  ], cwd);
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      names.push(
        ...await listFiles(`${dir}/${entry.name}`, `${prefix}${entry.name}/`),
      );
    } else {
      names.push(`${prefix}${entry.name}`);
    }
  }
  return names.sort();
}

Deno.test("init makes a project from the checkout whose deno task check and deno task start exit 0", async () => {
  await withTempDir(async (tmp) => {
    const made = await init("my-etl", tmp);
    assertEquals(made.code, 0, made.stderr);
    assertStringIncludes(made.stdout, "Created a poolflow project in my-etl:");
    // No --allow-net=jsr.io: JSR is not asked, the checkout is used.
    assertStringIncludes(
      made.stdout,
      `@poolflow/poolflow maps to the checkout at ${ROOT.pathname}`,
    );
    assertStringIncludes(made.stdout, "cd my-etl");
    const dir = `${tmp}/my-etl`;
    assertEquals(await listFiles(dir), [
      ".gitignore",
      "data/cities.csv",
      "deno.json",
      "workflow.ts",
    ]);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`)) as {
      imports: Record<string, string>;
      tasks: Record<string, string>;
    };
    assertEquals(
      new URL(config.imports["@poolflow/poolflow"]!, `file://${dir}/`).href,
      new URL("mod.ts", ROOT).href,
    );
    assertEquals(config.tasks, {
      start: startTask({ kind: "checkout", root: ROOT, why: "" }, dir),
      check: CHECK_TASK,
    });
    assertMatch(config.tasks.start!, /--allow-read=\.,(\.\.\/)+\S+ /);
    assertEquals(config.tasks.start!.includes("-A"), false);
    assertEquals(
      await Deno.readTextFile(`${dir}/workflow.ts`),
      await Deno.readTextFile(
        new URL("cli/init_templates/workflow.ts", ROOT),
      ),
    );
    assertMatch(await Deno.readTextFile(`${dir}/.gitignore`), /^\/out\/$/m);
    assertMatch(
      await Deno.readTextFile(`${dir}/.gitignore`),
      /^\/\.poolflow\/$/m,
    );

    const check = await deno(["task", "check"], dir);
    assertEquals(check.code, 0, check.stderr);
    const start = await deno(["task", "start"], dir);
    assertEquals(start.code, 0, start.stderr);
    assertStringIncludes(start.stderr, "status       succeeded (exit code 0)");
    const lines = (await Deno.readTextFile(`${dir}/out/cities.jsonl`))
      .trimEnd().split("\n").map((line) => JSON.parse(line));
    assertEquals(lines.length, 12);
    assertEquals(lines[0], {
      name: "Lagos",
      country: "NG",
      population: 15388000,
      size: "megacity",
    });
    assertEquals(await Deno.readTextFile(`${dir}/out/dead_letters.jsonl`), "");

    // The task's permissions also cover entry points the CLI has not loaded.
    const workflow = await Deno.readTextFile(`${dir}/workflow.ts`);
    await Deno.writeTextFile(
      `${dir}/workflow.ts`,
      workflow.replace(
        /^import .*$/m,
        '$&\nimport { createServer as _createServer } from "@poolflow/poolflow/server";',
      ),
    );
    const again = await deno(["task", "start", "--quiet"], dir);
    assertEquals(again.code, 0, again.stderr);
  });
});

Deno.test("init refuses to overwrite: it names every file that exists, exits 73 and writes nothing", async () => {
  await withTempDir(async (tmp) => {
    await Deno.mkdir(`${tmp}/mine/data`, { recursive: true });
    await Deno.writeTextFile(`${tmp}/mine/workflow.ts`, "// my own work\n");
    await Deno.writeTextFile(`${tmp}/mine/data/cities.csv`, "name\nOslo\n");
    const refused = await init("mine", tmp);
    assertEquals(refused.code, 73, refused.stderr);
    assertEquals(
      refused.stderr,
      'poolflow init: Refusing to overwrite "workflow.ts", "data/cities.csv" in "mine": nothing was written; move them away or choose a new folder\n',
    );
    assertEquals(await listFiles(`${tmp}/mine`), [
      "data/cities.csv",
      "workflow.ts",
    ]);
    assertEquals(
      await Deno.readTextFile(`${tmp}/mine/workflow.ts`),
      "// my own work\n",
    );

    await Deno.writeTextFile(`${tmp}/a_file`, "");
    const notFolder = await init("a_file", tmp);
    assertEquals(notFolder.code, 73);
    assertStringIncludes(notFolder.stderr, "it is a file, not a folder");
  });
});

Deno.test("init says which flag it lacks, and a wrong command line exits 64", async () => {
  await withTempDir(async (tmp) => {
    const noWrite = await deno(
      ["run", "--no-prompt", `--allow-read=${tmp}`, CLI, "init", "p"],
      tmp,
    );
    assertEquals(noWrite.code, 73);
    assertEquals(
      noWrite.stderr,
      'poolflow init: Cannot write the project in "p": allow it with --allow-write=p\n',
    );
    assertEquals(await listFiles(tmp), []);

    const cases: Array<[string[], string]> = [
      [[], "Missing the project folder: poolflow init DIR"],
      [
        ["p", "--form", "jsr"],
        'Unknown flag "--form" (did you mean "--from"?)',
      ],
      [
        ["p", "--from", "npm"],
        'Invalid --from "npm": expected "jsr" or "checkout"',
      ],
      [["p", "q"], 'Unexpected argument "q": give one folder'],
    ];
    for (const [args, message] of cases) {
      const wrong = await deno(
        ["run", "--no-prompt", CLI, "init", ...args],
        tmp,
      );
      assertEquals(wrong.code, 64, args.join(" "));
      assertStringIncludes(wrong.stderr, message);
      assertStringIncludes(
        wrong.stderr,
        'Run "poolflow init --help" for usage.',
      );
    }
    const help = await deno(["run", "--no-prompt", CLI, "init", "--help"], tmp);
    assertEquals(help.code, 0);
    assertStringIncludes(help.stdout, "Usage: poolflow init DIR");
  });
});

Deno.test("init run from a module served over HTTP, as the published one is, loads its templates and maps @poolflow/poolflow to JSR", async () => {
  await withTempDir(async (tmp) => {
    await using server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
    }, async (request) => {
      const path = new URL(request.url).pathname;
      try {
        const body = await Deno.readFile(new URL(`.${path}`, ROOT));
        return new Response(body, {
          headers: {
            "content-type": path.endsWith(".ts")
              ? "application/typescript"
              : "text/plain",
          },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    });
    const url = `http://127.0.0.1:${server.addr.port}/cli.ts`;
    const made = await deno([
      "run",
      "--no-prompt",
      `--allow-read=${tmp}`,
      `--allow-write=${tmp}`,
      url,
      "init",
      "remote",
    ], tmp);
    assertEquals(made.code, 0, made.stderr);
    assertStringIncludes(
      made.stdout,
      `@poolflow/poolflow maps to ${JSR_SPECIFIER} (poolflow runs from the registry)`,
    );
    const config = JSON.parse(
      await Deno.readTextFile(`${tmp}/remote/deno.json`),
    ) as { imports: Record<string, string> };
    assertEquals(config.imports, {
      "@poolflow/poolflow": `jsr:@poolflow/poolflow@^${VERSION}`,
    });
    assertEquals(
      await Deno.readTextFile(`${tmp}/remote/data/cities.csv`),
      await Deno.readTextFile(
        new URL("cli/init_templates/data/cities.csv", ROOT),
      ),
    );
  });
});

Deno.test("choosePoolflowSource() takes JSR when it answers, else the checkout, and obeys --from", async () => {
  const checkoutUrl = new URL("cli/init_registry.ts", ROOT);
  const jsrUrl = new URL(
    `https://jsr.io/@poolflow/poolflow/${VERSION}/cli/init_registry.ts`,
  );
  let probes = 0;
  const answers = () => {
    probes++;
    return Promise.resolve(undefined);
  };
  const unreachable = () => {
    probes++;
    return Promise.resolve("JSR did not answer within 2 s");
  };

  assertEquals(await choosePoolflowSource(undefined, checkoutUrl, answers), {
    kind: "jsr",
    specifier: JSR_SPECIFIER,
    why: "JSR answered",
  });
  assertEquals(
    await choosePoolflowSource(undefined, checkoutUrl, unreachable),
    {
      kind: "checkout",
      root: ROOT,
      why:
        "JSR did not answer within 2 s; choose with --from jsr or --from checkout",
    },
  );
  assertEquals(probes, 2);
  // Asked for, or run from the registry: no probe.
  assertEquals(
    (await choosePoolflowSource("jsr", checkoutUrl, unreachable)).kind,
    "jsr",
  );
  assertEquals(
    (await choosePoolflowSource("checkout", checkoutUrl, answers)).kind,
    "checkout",
  );
  assertEquals(
    (await choosePoolflowSource(undefined, jsrUrl, unreachable)).kind,
    "jsr",
  );
  assertEquals(probes, 2);
  await assertRejects(
    () => choosePoolflowSource("checkout", jsrUrl, answers),
    UsageError,
    "Cannot use --from checkout: this poolflow runs from https://jsr.io",
  );
});

Deno.test("a project mapped to JSR maps the package once; one mapped to a checkout maps every entry point of deno.json", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { exports: Record<string, string> };
  // On failure: copy deno.json's exports into ENTRY_POINTS.
  assertEquals(ENTRY_POINTS, config.exports);
  const [jsrConfig] = projectFiles(
    { kind: "jsr", specifier: JSR_SPECIFIER, why: "" },
    "/home/ada/etl",
  );
  assertEquals(JSON.parse(jsrConfig!.text).imports, {
    "@poolflow/poolflow": JSR_SPECIFIER,
  });
  const [checkoutConfig] = projectFiles(
    {
      kind: "checkout",
      root: new URL("file:///home/ada/src/poolflow/"),
      why: "",
    },
    "/home/ada/etl",
  );
  const imports = JSON.parse(checkoutConfig!.text).imports as Record<
    string,
    string
  >;
  assertEquals(Object.keys(imports).length, Object.keys(config.exports).length);
  assertEquals(imports["@poolflow/poolflow"], "../src/poolflow/mod.ts");
  assertEquals(
    imports["@poolflow/poolflow/telemetry"],
    "../src/poolflow/lib/telemetry/mod.ts",
  );
});
