/**
 * A real HTTP workflow: the SKUs of `data/skus.json` are looked up in a
 * product catalogue over HTTP (`httpJson`, aborted through the task's
 * signal), four at a time, flattened into rows and written as CSV in input
 * order. A 503 answer is retried by the stage's retry policy (so the retry
 * shows in the run's events and summary); a 404 is not worth a retry and
 * goes to the dead letter with its status.
 *
 * Run it against the bundled catalogue server: `deno run -A
 * examples/http_fetch/main.ts`, or start `examples/http_fetch/server.ts`
 * and run `deno run -A cli.ts examples/http_fetch/workflow.ts --param
 * baseUrl=http://127.0.0.1:8787`.
 *
 * @module
 */

import {
  defineWorkflow,
  fromIterable,
  HttpError,
  httpJson,
  toCsv,
  toJsonl,
} from "@poolflow/poolflow";
import type { Product } from "./server.ts";

/** The bundled SKUs: one is flaky (503 once), one is unknown (404). */
export const SKUS_JSON: URL = new URL("./data/skus.json", import.meta.url);

/** A product to look up. */
export interface ProductRequest {
  /** The product's SKU. */
  readonly sku: string;
  /** Where the catalogue answers it. */
  readonly url: string;
}

/** A row of the output CSV. */
export interface ProductRow extends Record<string, string | number> {
  /** The product's SKU. */
  readonly sku: string;
  /** Its name. */
  readonly name: string;
  /** Its price in euros, with two decimals. */
  readonly price_eur: string;
  /** Items in stock. */
  readonly stock: number;
  /** `"yes"` or `"no"`. */
  readonly available: string;
}

/** The columns of the output CSV, in order. */
export const COLUMNS: readonly (keyof ProductRow & string)[] = [
  "sku",
  "name",
  "price_eur",
  "stock",
  "available",
];

/**
 * The requests for the SKUs of a JSON file, against `baseUrl`. A source
 * built from the run's parameters: stages do not see them, the source does.
 *
 * @param file A JSON array of `{ sku }`.
 * @param baseUrl The catalogue's address.
 */
export async function* productRequests(
  file: URL,
  baseUrl: string,
): AsyncGenerator<ProductRequest, void, undefined> {
  const skus = JSON.parse(await Deno.readTextFile(file)) as { sku: string }[];
  for (const { sku } of skus) {
    const url = new URL(`/products/${encodeURIComponent(sku)}`, baseUrl);
    yield { sku, url: url.href };
  }
}

/**
 * Flattens a product into a CSV row.
 *
 * @param product The catalogue's answer.
 * @returns The row.
 */
export function toRow(product: Product): ProductRow {
  return {
    sku: product.sku,
    name: product.name,
    price_eur: (product.price.amount / 100).toFixed(2),
    stock: product.stock,
    available: product.stock > 0 ? "yes" : "no",
  };
}

/** Answers worth another attempt: the server was busy or failed. */
function isTransient(error: unknown): boolean {
  return error instanceof HttpError &&
    (error.status === 429 || error.status >= 500);
}

export default defineWorkflow({
  name: "http-fetch",
  description:
    "Look up products over HTTP, retry a busy server, write them as CSV; unknown SKUs go to the dead letter",
  params: {
    baseUrl: {
      type: "string",
      default: "http://127.0.0.1:8787",
      description: "The catalogue server (examples/http_fetch/server.ts)",
    },
    out: {
      type: "path",
      root: "out",
      access: "write",
      default: "products.csv",
      description: "The products, as CSV",
    },
    deadLetters: {
      type: "path",
      root: "out",
      access: "write",
      default: "dead_letters.jsonl",
      description: "The SKUs that could not be fetched, with their errors",
    },
  },
  source: ({ baseUrl }) =>
    fromIterable(productRequests(SKUS_JSON, baseUrl), { name: "skus.json" }),
  concurrency: 4,
  ordered: true,
  errors: { onError: "continue", timeout: "5s" },
  pipeline: (requests) =>
    requests
      // Retries are the stage's, not fetchJson's own, so they are counted.
      .map(
        "fetch",
        httpJson<ProductRequest, Product>((r) => r.url, {
          retries: 0,
        }),
        {
          errors: {
            retry: {
              attempts: 3,
              delay: "20ms",
              jitter: "none",
              retryIf: isTransient,
            },
          },
        },
      )
      .map("flatten", toRow),
  sink: ({ out }) => toCsv<ProductRow>(out, { columns: COLUMNS }),
  deadLetter: ({ deadLetters }) => toJsonl(deadLetters),
});
