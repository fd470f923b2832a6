/**
 * The typed façade over the standard library's argument parser.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { parseArgs } from "@std/cli/parse-args";

Deno.test("parseArgs() types booleans, strings and collected flags", () => {
  const args = parseArgs(
    [
      "in.csv",
      "-v",
      "--name",
      "x",
      "--tag=a",
      "--tag",
      "b",
      "--no-color",
      "--",
      "--raw",
    ],
    {
      boolean: ["verbose", "color"],
      string: ["name", "tag", "missing"],
      collect: ["tag"],
      negatable: ["color"],
      alias: { verbose: "v" },
    },
  );
  const verbose: boolean = args.verbose;
  const name: string | undefined = args.name;
  const tags: string[] = args.tag;
  assertEquals([verbose, args.color, name, tags], [true, false, "x", [
    "a",
    "b",
  ]]);
  assertEquals(args.missing, undefined);
  assertEquals(args._, ["in.csv", "--raw"]);
});

Deno.test("parseArgs() gives string flags no value before a dash, and stops early when asked", () => {
  assertEquals(parseArgs(["--out", "-"], { string: ["out"] }).out, "");
  assertEquals(parseArgs(["--out=-"], { string: ["out"] }).out, "-");
  const early = parseArgs(["run", "--x", "1"], {
    stopEarly: true,
    boolean: ["x"],
  });
  assertEquals(early._, ["run", "--x", "1"]);
  assertEquals(parseArgs(["a", "--", "b"], { "--": true })["--"], ["b"]);
});
