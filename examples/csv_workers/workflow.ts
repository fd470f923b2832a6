/**
 * The CSV worker-pool demo as a workflow: the orders of `data/orders.csv`
 * are checked, confirmed with a simulated remote service (20 to 80 ms each,
 * honouring the task's signal) by 8 concurrent workers, and priced. A busy
 * service is retried once, a call that hangs is cut by a 500 ms timeout,
 * and rows that fail for good go to a dead-letter file while the run goes
 * on.
 *
 * Run it: `deno run -A cli.ts examples/csv_workers/workflow.ts`
 * (outputs under `examples/csv_workers/out/`; `--param out=...` names
 * another file there). Its files are path params: `input` must stay
 * inside `data/`, the outputs inside `out/`, both next to this file.
 *
 * @module
 */

import {
  defineWorkflow,
  fromCsv,
  type RetryPolicy,
  toJsonl,
} from "@poolflow/poolflow";
import {
  InvalidOrderError,
  parseOrder,
  type PricedOrder,
  priceOrder,
} from "./order.ts";
import { confirmOrder } from "./simulated_io.ts";

/** The bundled orders: 96 rows, a few of them bad on purpose. */
export const ORDERS_CSV: URL = new URL("./data/orders.csv", import.meta.url);

/** Bad data fails at once; a busy or slow service gets a second attempt. */
const RETRY: RetryPolicy = {
  attempts: 2,
  delay: "10ms",
  jitter: "none",
  retryIf: (error) => !(error instanceof InvalidOrderError),
};

/** The workflow; its default concurrency of 8 is the number of workers. */
const workflow = defineWorkflow({
  name: "csv-workers",
  description:
    "Check, confirm (simulated I/O) and price the orders of a CSV file with 8 workers",
  params: {
    input: {
      type: "path",
      root: "data",
      access: "read",
      default: "orders.csv",
      description: "The CSV of orders",
    },
    out: {
      type: "path",
      root: "out",
      access: "write",
      default: "orders.jsonl",
      description: "The priced orders, as JSON lines",
    },
    deadLetters: {
      type: "path",
      root: "out",
      access: "write",
      default: "dead_letters.jsonl",
      description: "The orders that failed, with their errors",
    },
  },
  source: ({ input }) => fromCsv(input),
  concurrency: 8,
  errors: { onError: "continue" },
  pipeline: (rows) =>
    rows
      .map("parse", (row) => parseOrder(row))
      .map("confirm", async (order, { signal, attempt }) => {
        await confirmOrder(order.id, attempt, signal);
        return order;
      }, { errors: { retry: RETRY, timeout: "500ms" } })
      .map("price", (order): PricedOrder => priceOrder(order)),
  sink: ({ out }) => toJsonl<PricedOrder>(out),
  deadLetter: ({ deadLetters }) => toJsonl(deadLetters),
});

export default workflow;
