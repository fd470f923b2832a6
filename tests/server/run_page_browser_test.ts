/**
 * The run page in a real headless browser (Debian's Chromium driven by
 * playwright-core, as in browser_test.ts): a live run, a finished run
 * with failures and a failed run, each checked on what the page shows,
 * plus the run list linking to them. Screenshots go to
 * /tmp/poolflow-screenshots/ (or $POOLFLOW_SCREENSHOTS) for a person to
 * look at; their paths are printed.
 *
 * Skipped only when /usr/bin/chromium is missing and CI is not set; in CI
 * a missing Chromium fails the test.
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Page } from "playwright-core";
import { launchBrowser, noChromium, watchProblems } from "./_browser.ts";
import { defineWorkflow, fromIterable, sleep } from "../../mod.ts";
import { createServer } from "../../server.ts";

const TOKEN = "run-page-token-0123456789";
const SHOTS = Deno.env.get("POOLFLOW_SCREENSHOTS") ??
  "/tmp/poolflow-screenshots";
const HOSTILE =
  `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`;

/** Goes on until cancelled; every seventh item fails. */
const live = defineWorkflow({
  name: "live",
  source: fromIterable(Array.from({ length: 100_000 }, (_, i) => i)),
  errors: { onError: "continue" },
  pipeline: (rows) =>
    rows.map("fetch", async (n: number, { signal }) => {
      await sleep(15, signal);
      if (n % 7 === 6) throw new Error(`timeout on ${n}`);
      return n;
    }, { concurrency: 3 }),
});

/** 60 items; every third fails with a message full of markup. */
const mixed = defineWorkflow({
  name: "mixed",
  source: fromIterable(Array.from({ length: 60 }, (_, i) => i)),
  errors: { onError: "continue" },
  pipeline: (rows) =>
    rows
      .map("parse", async (n: number, { signal }) => {
        await sleep(2 + (n % 5) * 3, signal);
        return n;
      }, { concurrency: 4 })
      .map("judge", (n: number) => {
        if (n % 3 === 0) throw new Error(`${HOSTILE} item ${n}`);
        return n;
      }),
});

/** Fails the run on item 20. */
const brittle = defineWorkflow({
  name: "brittle",
  source: fromIterable(Array.from({ length: 200 }, (_, i) => i)),
  errors: { onError: "fail-fast" },
  pipeline: (rows) =>
    rows.map("write", async (n: number, { signal }) => {
      await sleep(3, signal);
      if (n === 20) throw new Error("Disk full <b>quota 100%</b>");
      return n;
    }, { concurrency: 2 }),
});

async function shoot(page: Page, name: string): Promise<string> {
  const path = `${SHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

async function numberIn(page: Page, selector: string): Promise<number> {
  return Number(await page.locator(selector).first().textContent());
}

Deno.test({
  name: "the run page shows a live run, a finished run and a failed run",
  ignore: noChromium,
  async fn() {
    await Deno.mkdir(SHOTS, { recursive: true });
    const server = createServer({
      workflows: { live, mixed, brittle },
      token: TOKEN,
      progressInterval: 100,
    });
    const http = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) => server.fetch(request, info),
    );
    const base = `http://127.0.0.1:${http.addr.port}`;
    const api = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "application/json",
          ...init.headers,
        },
      });
      return await response.json();
    };
    const waitFinished = async (id: string) => {
      for (let i = 0; i < 1000; i++) {
        const run = await api(`/runs/${id}`);
        if (run.summary !== null) return run;
        await sleep(20);
      }
      throw new Error(`Run ${id} did not finish`);
    };
    const browser = await launchBrowser({ width: 1280, height: 900 });
    const { context } = browser;
    const problems: string[] = [];
    let liveId: string | undefined;
    try {
      const finishedId = (await api("/runs", {
        method: "POST",
        body: JSON.stringify({ workflow: "mixed" }),
      })).id as string;
      const failedId = (await api("/runs", {
        method: "POST",
        body: JSON.stringify({ workflow: "brittle" }),
      })).id as string;
      await waitFinished(finishedId);
      await waitFinished(failedId);
      liveId = (await api("/runs", {
        method: "POST",
        body: JSON.stringify({ workflow: "live" }),
      })).id as string;

      const page = await context.newPage();
      watchProblems(page, problems);

      // The run list: the token, live progress bars, a link per run.
      await page.goto(base);
      await page.locator("#token-form").waitFor({ state: "visible" });
      await page.fill("#token", TOKEN);
      await page.click("#token-form button");
      const liveRow = page.locator(`tr[data-run-id="${liveId}"]`);
      await liveRow.locator('progress[data-percent]:not([data-percent=""])')
        .waitFor({ timeout: 10_000 });
      assertEquals(await page.locator("#run-list tr").count(), 3);
      await shoot(page, "run-list");
      await liveRow.locator('a[data-action="open"]').click();
      await page.waitForURL(`${base}/dashboard/runs/${liveId}`);

      // A live run: the chart grows, work in flight, events coming.
      await page.locator("body[data-status=running]").waitFor();
      assertEquals(await page.locator("#run-id").textContent(), liveId);
      await page.locator("#throughput circle.point").nth(2).waitFor({
        timeout: 15_000,
      });
      const stage = '#stage-list tr[data-stage="fetch"]';
      await page.locator(`${stage} td.p50`, { hasText: "ms" }).waitFor();
      assert(await numberIn(page, `${stage} td.running`) > 0, "in flight");
      assertEquals(await numberIn(page, `${stage} td:nth-child(7)`), 3);
      const pointsBefore = await page.locator("#throughput circle.point")
        .count();
      const eventsBefore = await page.locator("#event-log li").count();
      assert(eventsBefore > 0, "the event log has entries");
      await page.locator("#event-log li").nth(eventsBefore).waitFor();
      await page.locator("#failure-list tr.failure").first().waitFor();
      assertStringIncludes(
        (await page.locator("#failure-list td.error-text").first()
          .textContent())!,
        "timeout on 6",
      );
      await page.locator("#throughput circle.point").nth(pointsBefore).waitFor({
        timeout: 15_000,
      });
      await shoot(page, "run-live");
      // It ends while watched: the page follows it to its end.
      await api(`/runs/${liveId}/cancel`, {
        method: "POST",
        body: JSON.stringify({ graceful: false }),
      });
      await page.locator("body[data-status=aborted]").waitFor();
      await page.locator("#event-log li.event-run-finished").waitFor();

      // A finished run with failures: percentiles, histograms, paging.
      await page.goto(`${base}/dashboard/runs/${finishedId}`);
      await page.locator("body[data-status=completed-with-failures]")
        .waitFor();
      assertEquals(
        await page.locator("#counts").textContent().then((t) =>
          t?.startsWith("60 read, 40 written, 20 failed")
        ),
        true,
      );
      assert(await page.locator("#throughput circle.point").count() >= 1);
      for (const name of ["parse", "judge"]) {
        const row = `#stage-list tr[data-stage="${name}"]`;
        for (const p of ["p50", "p90", "p99"]) {
          assertStringIncludes(
            (await page.locator(`${row} td.${p}`).textContent())!,
            " ms",
          );
        }
        assert(
          await page.locator(`figure[data-stage="${name}"] rect.bar`)
            .count() > 0,
        );
      }
      assertStringIncludes(
        (await page.locator('figure[data-stage="parse"] figcaption')
          .textContent())!,
        "60 attempts timed",
      );
      const failureRows = page.locator("#failure-list tr.failure");
      await failureRows.first().waitFor();
      assertEquals(await failureRows.count(), 10);
      const inputs = async () =>
        (await page.locator("#failure-list td.input").allTextContents())
          .map(Number);
      const firstPage = await inputs();
      assertEquals(
        await page.locator("#failure-list td.error-text").first()
          .textContent(),
        `Error: ${HOSTILE} item ${firstPage[0]}`,
      );
      assertEquals(
        await page.locator("#failure-range").textContent(),
        "1–10 of 20",
      );
      assert(await page.locator("#failures-prev").isDisabled());
      await page.click("#failures-next");
      await page.locator("#failure-range", { hasText: "11–20 of 20" })
        .waitFor();
      // Two pages: every failed item once (they come in the order they failed).
      assertEquals(
        [...firstPage, ...await inputs()].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i * 3),
      );
      assert(await page.locator("#failures-next").isDisabled());
      // The hostile message stayed text: nothing ran, nothing was added.
      assertEquals(await page.evaluate(() => "pwned" in window), false);
      assertEquals(
        await page.locator("#failure-list script, #failure-list img").count(),
        0,
      );
      await page.locator("#event-log li.event-run-finished").waitFor();
      assert(await page.locator("#event-log li.event-item-failed").count() > 0);
      await shoot(page, "run-finished");

      // A failed run: its error, the failure and the events up to the end.
      await page.goto(`${base}/dashboard/runs/${failedId}`);
      await page.locator("body[data-status=failed]").waitFor();
      assertStringIncludes(
        (await page.locator("#run-error").textContent())!,
        "Disk full <b>quota 100%</b>",
      );
      assertEquals(await page.locator("#run-error b").count(), 0);
      await page.locator("#failure-list tr.failure").first().waitFor();
      assertStringIncludes(
        (await page.locator("#failure-list td.error-text").first()
          .textContent())!,
        "Disk full",
      );
      await page.locator("#event-log li.event-run-finished", {
        hasText: "failed",
      }).waitFor();
      await shoot(page, "run-failed");
      assertEquals(problems, []);
    } finally {
      if (liveId !== undefined) {
        await api(`/runs/${liveId}/cancel`, {
          method: "POST",
          body: JSON.stringify({ graceful: false }),
        }).catch(() => {});
      }
      await browser.close();
      await server.close();
      await http.shutdown();
    }
  },
});
