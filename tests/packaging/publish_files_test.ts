/**
 * `deno publish` ships what the published module reads at run time: the
 * templates of `poolflow init`, which it imports as text, so the command
 * works from JSR as from a checkout.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";

const ROOT = new URL("../../", import.meta.url);
const TEMPLATES = new URL("cli/init_templates/", ROOT);

async function filesUnder(url: URL, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(url)) {
    if (entry.isDirectory) {
      files.push(
        ...await filesUnder(
          new URL(`${entry.name}/`, url),
          `${prefix}${entry.name}/`,
        ),
      );
    } else files.push(`${prefix}${entry.name}`);
  }
  return files.sort();
}

Deno.test("deno publish includes every template of poolflow init", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) +
    new TextDecoder().decode(output.stderr);
  assert(output.success, text);
  const templates = await filesUnder(TEMPLATES);
  assert(templates.includes("workflow.ts"), templates.join(", "));
  const missing = templates.filter((file) =>
    !text.includes(new URL(file, TEMPLATES).href)
  );
  // On failure: a publish exclude (deno.json or .gitignore) drops them.
  assertEquals(missing, []);
});
