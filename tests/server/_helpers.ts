/**
 * Helpers of the HTTP runner's tests: workflows that finish, block until
 * cancelled, or are fed by the test; a server with a quiet logger; request
 * helpers; and a reader of server-sent events that cancels its stream.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import {
  type AnyWorkflow,
  type Channel,
  defineWorkflow,
  fromIterable,
  sleep,
} from "../../mod.ts";
import {
  createServer,
  type LogEntry,
  type PoolflowServer,
  type ServerOptions,
} from "../../server.ts";

/** Squares of 0..n-1, two at a time, with a short delay per item. */
export const squares = defineWorkflow({
  name: "squares",
  description: "Squares of 0..n-1",
  params: {
    n: { type: "number", default: 5, description: "How many" },
  },
  source: ({ n }) => fromIterable(Array.from({ length: n }, (_, i) => i)),
  pipeline: (rows) =>
    rows.map("square", async (x: number, { signal }) => {
      await sleep(1, signal);
      if (x === 3) {
        throw new Error("3 is unlucky (see /srv/poolflow/flows/squares.ts)");
      }
      return { x, square: x * x };
    }, { concurrency: 2 }),
});

/** Passes its rows through: for inline and CSV input. */
export const echo = defineWorkflow({
  name: "echo",
  source: fromIterable<unknown>([]),
  pipeline: (rows) => rows.map("echo", (row: unknown) => row),
});

/** An endless source whose items wait until the run is aborted. */
export const blocking = defineWorkflow({
  name: "blocking",
  source: fromIterable({
    *[Symbol.iterator]() {
      for (let i = 0;; i++) yield i;
    },
  }),
  pipeline: (rows) =>
    rows
      .map("work", (n: number, { signal }) =>
        new Promise<number>((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), {
            once: true,
          });
          void n;
        }), { concurrency: 2 })
      .batch(10),
});

/** A workflow fed by a channel the test sends to and closes. */
export function fedWorkflow(channel: Channel<number>): AnyWorkflow {
  return defineWorkflow({
    name: "fed",
    source: fromIterable(channel),
    pipeline: (rows) => rows.map("double", (n: number) => n * 2),
  });
}

/** A server for tests, with its log kept instead of printed. */
export interface TestServer extends AsyncDisposable {
  /** The server. */
  readonly server: PoolflowServer;
  /** What it logged. */
  readonly logged: LogEntry[];
  /** Sends a request to a path, JSON-encoding `json` as the body. */
  request(
    path: string,
    init?: RequestInit & {
      json?: unknown;
      info?: Parameters<PoolflowServer["fetch"]>[1];
    },
  ): Promise<Response>;
}

/**
 * Starts a test server (in-process: nothing listens) with the test
 * workflows, unless `options.workflows` says otherwise.
 */
export function testServer(
  options: Partial<ServerOptions> = {},
): TestServer {
  const logged: LogEntry[] = [];
  const server = createServer({
    workflows: { squares, echo, blocking },
    progressInterval: 20,
    log: (entry) => logged.push(entry),
    ...options,
  });
  return {
    server,
    logged,
    request(path, init = {}) {
      const { json, info, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined && !headers.has("content-type")) {
        headers.set("content-type", "application/json");
      }
      return server.fetch(
        new Request(`http://localhost${path}`, {
          ...rest,
          headers,
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        }),
        info,
      );
    },
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** An error body's `error`, checking the status and content type. */
export async function errorOf(
  response: Response,
  status: number,
): Promise<
  {
    code: string;
    message: string;
    field?: string;
    reason?: string;
    requestId?: string;
  }
> {
  const body = await response.json();
  assertEquals(response.status, status, JSON.stringify(body));
  assertEquals(response.headers.get("content-type"), "application/json");
  return body.error;
}

/** Reads a JSON body, checking the status. */
export async function jsonOf<T = Record<string, unknown>>(
  response: Response,
  status = 200,
): Promise<T> {
  const body = await response.json();
  assertEquals(response.status, status, JSON.stringify(body));
  return body as T;
}

/** What `POST /runs` answers. */
export interface Created {
  readonly id: string;
  readonly links: {
    readonly self: string;
    readonly events: string;
    readonly results: string;
    readonly cancel: string;
  };
}

/** Starts a run and returns its id and links. */
export async function startRun(
  test: TestServer,
  body: Record<string, unknown>,
): Promise<Created> {
  return await jsonOf<Created>(
    await test.request("/runs", { method: "POST", json: body }),
    201,
  );
}

/** A run's detail once it has finished. */
export async function waitFinished(
  test: TestServer,
  id: string,
): Promise<
  Record<string, unknown> & { status: string; summary: Record<string, unknown> }
> {
  for (let i = 0; i < 500; i++) {
    const run = await jsonOf<
      Record<string, unknown> & {
        status: string;
        summary: Record<string, unknown>;
      }
    >(await test.request(`/runs/${id}`));
    if (run.summary !== null) return run;
    await sleep(5);
  }
  throw new Error(`Run ${id} did not finish`);
}

/** One server-sent event as framed on the wire. */
export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
  /** The raw lines of the frame. */
  readonly lines: readonly string[];
}

/**
 * Reads server-sent events from a response until `until` says stop or the
 * stream ends, then cancels the body. Comments (`: ...`) become frames
 * without data, with their lines.
 */
export async function readSse(
  response: Response,
  until: (frame: SseFrame, frames: readonly SseFrame[]) => boolean = () =>
    false,
): Promise<SseFrame[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream())
    .getReader();
  const frames: SseFrame[] = [];
  let buffer = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          lines.find((line) => line.startsWith(`${name}: `))?.slice(
            name.length + 2,
          );
        const frame: SseFrame = {
          ...(field("id") === undefined ? {} : { id: field("id")! }),
          ...(field("event") === undefined ? {} : { event: field("event")! }),
          data: lines.filter((line) => line.startsWith("data: ")).map((line) =>
            line.slice(6)
          ).join("\n"),
          lines,
        };
        frames.push(frame);
        if (until(frame, frames)) return frames;
      }
    }
    return frames;
  } finally {
    await reader.cancel();
  }
}

/** Polls `check` every few milliseconds until it holds (or fails after ~5 s). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await sleep(5);
  }
  throw new Error(`Timed out waiting until ${what}`);
}
