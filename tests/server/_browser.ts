/**
 * What the dashboard's browser tests share: Debian's Chromium (skipped only
 * when it is missing outside CI), a headless persistent context in a
 * temporary profile, and the page errors the tests must not see.
 *
 * @module
 */

import { assert } from "@std/assert";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Where Debian's package puts Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const inCi = ["true", "1"].includes(Deno.env.get("CI")?.toLowerCase() ?? "");

/** Whether to ignore a browser test: Chromium is missing and CI is not set. */
export const noChromium: boolean = !exists(CHROMIUM) && !inCi;

/** A headless Chromium; `close()` also removes its temporary profile. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium, failing with the install command where it is missing. */
export async function launchBrowser(
  viewport?: { width: number; height: number },
): Promise<Browser> {
  assert(
    exists(CHROMIUM),
    `Chromium is missing at ${CHROMIUM}: install it with "apt-get update && apt-get install -y chromium"`,
  );
  const profile = await Deno.makeTempDir({ prefix: "poolflow-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(viewport === undefined ? {} : { viewport }),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true });
    },
  };
}

/** Collects a page's script errors and console errors into `problems`. */
export function watchProblems(page: Page, problems: string[]): void {
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    // The first call without a token is a 401, which Chromium logs.
    if (
      message.type() === "error" &&
      !message.text().includes("status of 401")
    ) problems.push(message.text());
  });
}
