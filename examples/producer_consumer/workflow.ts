/**
 * Producer/consumer with back-pressure: a fast "render" stage (8 at a
 * time, about 1 ms per message) feeds a slow "deliver" stage (2 at a time,
 * 10 ms per message, like a rate-limited API). Nothing but the stages'
 * bounded buffers sits between them: when the consumer falls behind, the
 * producer stops pulling, so it never gets more than its concurrency plus
 * its buffer (another 8 finished items) ahead, and the source is read no
 * faster than messages are delivered. Memory stays flat however long the
 * input is.
 *
 * This is what N workers on an unbounded `asyncio.Queue` get wrong: the
 * producer fills the queue as fast as it can.
 *
 * Run it: `deno run -A cli.ts examples/producer_consumer/workflow.ts`
 * (output under `examples/producer_consumer/out/`).
 *
 * @module
 */

import {
  defineWorkflow,
  fromJsonl,
  sleep,
  toJsonl,
  type Workflow,
} from "@poolflow/poolflow";
import { Backlog } from "./backlog.ts";

/** A message of `data/messages.jsonl`. */
export interface Message {
  /** Its id. */
  readonly id: number;
  /** Its text. */
  readonly text: string;
}

/** A message rendered for delivery. */
export interface Rendered {
  /** The message's id. */
  readonly id: number;
  /** The delivery's body. */
  readonly body: string;
}

/** A delivered message. */
export interface Delivered {
  /** The message's id. */
  readonly id: number;
  /** The body's length, as the pretend API acknowledges it. */
  readonly bytes: number;
}

/** The bundled input: 120 messages. */
export const MESSAGES_JSONL: URL = new URL(
  "./data/messages.jsonl",
  import.meta.url,
);
/** Messages rendered at once. */
export const PRODUCE_CONCURRENCY = 8;
/** Messages delivered at once. */
export const CONSUME_CONCURRENCY = 2;
/**
 * Finished items a stage holds for a slow next stage: a stage's buffer
 * defaults to its concurrency.
 */
export const PRODUCE_BUFFER = PRODUCE_CONCURRENCY;

const RENDER_MS = 1;
const DELIVER_MS = 10;

/** The workflow's parameters. */
const PARAMS = {
  out: {
    type: "path",
    root: "out",
    access: "write",
    default: "delivered.jsonl",
    description: "The delivered messages, as JSON lines",
  },
} as const;

/**
 * Makes the workflow, counting into `backlog`.
 *
 * @param backlog Counts what each stage has started.
 * @returns The workflow.
 */
export function createPipeline(
  backlog: Backlog = new Backlog(),
): Workflow<typeof PARAMS, Message, Delivered> {
  return defineWorkflow({
    name: "producer-consumer",
    description:
      "A fast stage (8 at a time) feeding a slow one (2 at a time), held back by back-pressure",
    params: PARAMS,
    source: fromJsonl<Message>(MESSAGES_JSONL),
    pipeline: (messages) =>
      messages
        .map("render", async (message, { signal }): Promise<Rendered> => {
          backlog.produceStarted();
          await sleep(RENDER_MS, signal);
          return { id: message.id, body: `<p>${message.text}</p>` };
        }, { concurrency: PRODUCE_CONCURRENCY })
        .map("deliver", async (rendered, { signal }): Promise<Delivered> => {
          backlog.consumeStarted();
          try {
            await sleep(DELIVER_MS, signal);
            return { id: rendered.id, bytes: rendered.body.length };
          } finally {
            backlog.consumeEnded();
          }
        }, { concurrency: CONSUME_CONCURRENCY }),
    sink: ({ out }) => toJsonl<Delivered>(out),
  });
}

export default createPipeline();
