/**
 * A registered workflow of the HTTP runner example: turns titles into URL
 * slugs, a few at a time, with a simulated delay per title. Its rows come
 * from a built-in list, or from the request (`input` rows or a CSV body
 * with a `title` column). Each title takes 100 ms of simulated work.
 *
 * @module
 */

import { defineWorkflow, fromIterable, sleep } from "../../../mod.ts";

/** A row: a title to slugify. */
export interface TitleRow {
  /** The title. */
  readonly title: string;
}

/** The built-in titles. */
export const TITLES: readonly TitleRow[] = [
  "Hello, World!",
  "Bounded concurrency in Deno",
  "Why fail-fast should abort",
  "Streaming results as they finish",
  "Back-pressure, explained",
  "Resizing a pool while it runs",
  "Dead letters are not failures you lose",
  "Server-sent events for progress",
  "Retry with jitter",
  "Timeouts that free the slot",
  "A CSV of orders, eight at a time",
  "Rate limits you can share",
].map((title) => ({ title }));

/** Lower-case words joined by dashes, without accents or punctuation. */
export function slugify(title: string): string {
  return title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export default defineWorkflow({
  name: "slugs",
  description: "Turn titles into URL slugs (rows: { title })",
  source: fromIterable(TITLES, { name: "titles" }),
  concurrency: 4,
  pipeline: (rows) =>
    rows.map("slugify", async (row: TitleRow, { signal }) => {
      if (typeof row?.title !== "string") {
        throw new TypeError('Each row needs a "title" string');
      }
      await sleep(100, signal);
      return { title: row.title, slug: slugify(row.title) };
    }),
});
