/**
 * A small product catalogue over HTTP, for the HTTP example: a hono app
 * served on `127.0.0.1`. `GET /products/:sku` answers a product as JSON;
 * `B-204` answers 503 to its first request (a busy backend, worth a
 * retry), and an unknown SKU such as `Z-999` answers 404.
 *
 * Run it alone: `deno run -A examples/http_fetch/server.ts [port]` (8787 by
 * default), then the workflow with `--param baseUrl=http://127.0.0.1:8787`.
 *
 * @module
 */

import { Hono } from "hono";

/** A product as the catalogue answers it. */
export interface Product {
  /** Stock-keeping unit: the product's id. */
  readonly sku: string;
  /** Its name. */
  readonly name: string;
  /** Its price, in minor units of `currency`. */
  readonly price: { readonly amount: number; readonly currency: string };
  /** Items in stock. */
  readonly stock: number;
}

/** SKUs whose first request fails with 503. */
export const FLAKY_SKUS: ReadonlySet<string> = new Set(["B-204"]);

const CATALOGUE: readonly Product[] = [
  product("A-100", "Espresso cup", 850, 120),
  product("A-101", "Cappuccino cup", 1050, 0),
  product("B-200", "Moka pot, 3 cups", 3490, 14),
  product("B-204", "Moka pot, 6 cups", 4290, 7),
  product("C-310", "Burr grinder", 8900, 3),
  product("D-400", "Milk jug", 1590, 41),
  product("E-512", "Descaler, 500 ml", 990, 260),
];

function product(
  sku: string,
  name: string,
  cents: number,
  stock: number,
): Product {
  return { sku, name, price: { amount: cents, currency: "EUR" }, stock };
}

/** A running catalogue server. */
export interface CatalogueServer {
  /** Where it listens, such as `http://127.0.0.1:41234`. */
  readonly baseUrl: string;
  /** Requests received per path, such as `"/products/B-204"`. */
  readonly hits: ReadonlyMap<string, number>;
  /** Stops it, letting open requests finish. */
  shutdown(): Promise<void>;
}

/**
 * Makes the catalogue app. Each app has its own memory of which flaky
 * SKUs it already failed.
 *
 * @param hits Counts requests per path.
 * @returns The hono app.
 */
export function createCatalogueApp(
  hits: Map<string, number> = new Map(),
): Hono {
  const failedOnce = new Set<string>();
  const app = new Hono();
  app.use(async (c, next) => {
    hits.set(c.req.path, (hits.get(c.req.path) ?? 0) + 1);
    await next();
  });
  app.get("/products/:sku", (c) => {
    const sku = c.req.param("sku");
    if (FLAKY_SKUS.has(sku) && !failedOnce.has(sku)) {
      failedOnce.add(sku);
      return c.text("The catalogue is busy: try again", 503);
    }
    const found = CATALOGUE.find((p) => p.sku === sku);
    if (found === undefined) {
      return c.json({ error: `No product with SKU "${sku}"` }, 404);
    }
    return c.json(found);
  });
  return app;
}

/**
 * Serves a new catalogue app on `127.0.0.1`.
 *
 * @param port The port; 0 (the default) picks a free one.
 * @returns The running server.
 */
export function startCatalogueServer(port = 0): CatalogueServer {
  const hits = new Map<string, number>();
  const server = Deno.serve(
    { port, hostname: "127.0.0.1", onListen() {} },
    createCatalogueApp(hits).fetch,
  );
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    hits,
    shutdown: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const server = startCatalogueServer(Number(Deno.args[0] ?? 8787));
  console.log(`Catalogue listening on ${server.baseUrl} (Ctrl-C to stop)`);
}
