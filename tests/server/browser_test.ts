/**
 * The dashboard in a real headless browser: Debian's Chromium driven by
 * playwright-core. A real server listens on 127.0.0.1 (port 0); the page
 * takes the token, starts a run and sees its progress bar reach 100%,
 * then resizes and cancels another, each checked through the API too. A
 * screenshot goes to /tmp/poolflow-dashboard.png.
 *
 * Skipped only when /usr/bin/chromium is missing and CI is not set; in CI
 * a missing Chromium fails the test.
 */

import { assert, assertEquals } from "@std/assert";
import { launchBrowser, noChromium, watchProblems } from "./_browser.ts";
import { defineWorkflow, fromIterable, sleep } from "../../mod.ts";
import { createServer } from "../../server.ts";

const TOKEN = "browser-token-0123456789";
const SCREENSHOT = "/tmp/poolflow-dashboard.png";

const quick = defineWorkflow({
  name: "quick",
  description: "Forty items, four at a time",
  params: { count: { type: "number", default: 40 } },
  source: ({ count }) =>
    fromIterable(Array.from({ length: count }, (_, i) => i)),
  pipeline: (rows) =>
    rows.map("work", async (n: number, { signal }) => {
      await sleep(10, signal);
      return n * 2;
    }, { concurrency: 4 }),
});

const slow = defineWorkflow({
  name: "slow",
  description: "A thousand slow items",
  source: fromIterable(Array.from({ length: 1000 }, (_, i) => i)),
  pipeline: (rows) =>
    rows.map("fetch", async (n: number, { signal }) => {
      await sleep(100, signal);
      return n;
    }, { concurrency: 2 }),
});

Deno.test({
  name: "the dashboard starts a run to 100%, then resizes and cancels another",
  ignore: noChromium,
  async fn() {
    const server = createServer({
      workflows: { quick, slow },
      token: TOKEN,
      progressInterval: 50,
    });
    const http = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) => server.fetch(request, info),
    );
    const base = `http://127.0.0.1:${http.addr.port}`;
    const api = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
      });
      return await response.json();
    };
    const browser = await launchBrowser();
    const { context } = browser;
    const problems: string[] = [];

    try {
      const page = await context.newPage();
      watchProblems(page, problems);
      await page.goto(base);

      // Without the token the page asks for it.
      await page.locator("#token-form").waitFor({ state: "visible" });
      await page.fill("#token", TOKEN);
      await page.click("#token-form button");
      await page.locator('form[data-workflow="quick"]').waitFor();
      assertEquals(
        await page.locator("#workflow-list h3").allTextContents(),
        ["quick", "slow"],
      );
      // Start a run: its bar reaches 100% when it succeeds.
      await page.click(
        'form[data-workflow="quick"] button[data-action="start"]',
      );
      const quickRow = page.locator('tr[data-workflow="quick"]');
      await quickRow.locator('progress[data-percent="100"]').waitFor({
        timeout: 10_000,
      });
      assertEquals(await quickRow.getAttribute("data-status"), "succeeded");
      const quickId = await quickRow.getAttribute("data-run-id");
      const quickRun = await api(`/runs/${quickId}`);
      assertEquals([quickRun.status, quickRun.written], ["succeeded", 40]);
      // Start another, resize its stage from the page.
      await page.click(
        'form[data-workflow="slow"] button[data-action="start"]',
      );
      const slowRow = page.locator('tr[data-workflow="slow"]');
      const size = slowRow.locator('input[data-stage="fetch"]');
      await size.waitFor();
      await slowRow.locator('progress[data-percent]:not([data-percent=""])')
        .waitFor();
      await size.fill("6");
      await slowRow.locator('button[data-action="resize"]').click();
      await slowRow.locator(".stage span", { hasText: "/6" }).waitFor();
      const slowId = await slowRow.getAttribute("data-run-id");
      const resized = await api(`/runs/${slowId}`);
      assertEquals(resized.stats.stages[0].concurrency, 6);
      await sleep(300); // a few progress events, for the picture
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      // Cancel it from the page.
      await slowRow.locator('button[data-action="cancel"]').click();

      await page.locator(`tr[data-run-id="${slowId}"][data-status="aborted"]`)
        .waitFor();
      assertEquals((await api(`/runs/${slowId}`)).status, "aborted");
      assert(
        await slowRow.locator('button[data-action="cancel"]').isDisabled(),
      );
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await server.close();
      await http.shutdown();
    }
  },
});
