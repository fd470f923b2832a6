/**
 * The one SHA-256 hex helper: known digests, text as UTF-8, truncation.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { sha256Hex } from "../../lib/units/sha256.ts";

Deno.test("sha256Hex() gives the known digest of text and bytes", async () => {
  const abc =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assertEquals(await sha256Hex("abc"), abc);
  assertEquals(await sha256Hex(new TextEncoder().encode("abc")), abc);
  assertEquals(
    await sha256Hex(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("sha256Hex() keeps the first bytes asked for, two hex digits each", async () => {
  assertEquals(await sha256Hex("abc", 12), "ba7816bf8f01cfea414140de");
  assertEquals(await sha256Hex("é", 2), "4a99");
});
