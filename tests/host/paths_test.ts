/**
 * Resolving the workflow file against the working folder, and showing
 * `file:` URLs as paths.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import {
  displayPath,
  replaceFileUrls,
  resolveFileUrl,
} from "../../host/paths.ts";

Deno.test("resolveFileUrl() resolves relative and absolute paths, escaping URL characters", () => {
  assertEquals(
    resolveFileUrl("etl.ts", "/home/ada").href,
    "file:///home/ada/etl.ts",
  );
  assertEquals(
    resolveFileUrl("./a/../b/etl.ts", "/home/ada/").href,
    "file:///home/ada/b/etl.ts",
  );
  assertEquals(
    resolveFileUrl("/srv/etl.ts", "/home/ada").href,
    "file:///srv/etl.ts",
  );
  assertEquals(
    resolveFileUrl("100% #1?.ts", "/home/ada").href,
    "file:///home/ada/100%25%20%231%3F.ts",
  );
  assertEquals(
    resolveFileUrl("flows\\etl.ts", "C:\\Users\\ada").href,
    "file:///C:/Users/ada/flows/etl.ts",
  );
  assertEquals(
    resolveFileUrl("D:\\etl.ts", "C:\\Users\\ada").href,
    "file:///D:/etl.ts",
  );
});

Deno.test("displayPath() is relative inside the working folder and round-trips escapes", () => {
  const cwd = "/home/ada";
  for (const path of ["etl.ts", "100% #1?.ts", "flows/a b.ts"]) {
    assertEquals(displayPath(resolveFileUrl(path, cwd), cwd), path);
  }
  assertEquals(
    displayPath("file:///home/adam/etl.ts", cwd),
    "/home/adam/etl.ts",
  );
  assertEquals(
    displayPath("file:///C:/Users/ada/etl.ts", "C:\\Users\\ada"),
    "etl.ts",
  );
});

Deno.test("replaceFileUrls() replaces every URL, keeping line and column", () => {
  assertEquals(
    replaceFileUrls(
      'Import "x" failed at file:///home/ada/etl.ts:3:14 (from "file:///lib/mod.ts")',
      "/home/ada",
    ),
    'Import "x" failed at etl.ts:3:14 (from "/lib/mod.ts")',
  );
});
