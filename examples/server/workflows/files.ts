/**
 * A registered workflow of the HTTP runner example that reads and writes
 * files: the titles of a CSV under `examples/server/data/` become URL
 * slugs, written as JSON lines under `examples/server/out/`. Both are
 * path params, so a request can name any file inside those folders and
 * none outside them: `{"params":{"input":"/etc/passwd"}}` is refused with
 * a 400 whose `field` is `params.input`.
 *
 * @module
 */

import { defineWorkflow, fromCsv, sleep, toJsonl } from "../../../mod.ts";
import { slugify } from "./slugs.ts";

/** A title and its slug. */
export interface Slug {
  /** The title. */
  readonly title: string;
  /** Its slug. */
  readonly slug: string;
}

export default defineWorkflow({
  name: "files",
  description: "Slugs of the titles of a CSV file, written as JSON lines",
  params: {
    input: {
      type: "path",
      root: "../data",
      access: "read",
      default: "titles.csv",
      description: "A CSV with a title column, inside examples/server/data/",
    },
    out: {
      type: "path",
      root: "../out",
      access: "write",
      default: "slugs.jsonl",
      description: "The slugs, as JSON lines, inside examples/server/out/",
    },
  },
  source: ({ input }) => fromCsv(input),
  concurrency: 4,
  pipeline: (rows) =>
    rows.map("slugify", async (row, { signal }): Promise<Slug> => {
      const title = row["title"];
      if (title === undefined) throw new TypeError('Each row needs a "title"');
      await sleep(20, signal);
      return { title, slug: slugify(title) };
    }),
  sink: ({ out }) => toJsonl<Slug>(out),
});
