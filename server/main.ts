/**
 * The server's command line: `deno run -A server.ts --workflows <folder>`.
 * It refuses to listen beyond loopback without a token unless told so
 * explicitly, loads the workflows before listening, and on Ctrl-C (or
 * SIGTERM, which Deno Deploy sends before stopping an instance) takes no
 * new runs, stops the running ones gracefully (items in flight finish,
 * durable runs commit a checkpoint and keep their outputs to resume),
 * aborts those still going after a grace period, ends the streams and
 * stops. A second signal aborts at once.
 *
 * @module
 */

import { parseArgs } from "../std/parse_args.ts";
import { isLoopback } from "./auth.ts";
import { optionsFromSettings, type SettingNames } from "./config.ts";
import { consoleLogger } from "./context.ts";
import { createServer } from "./create.ts";
import { serveWithHeaderTimeout } from "./header_timeout.ts";
import { type Duration, parseDuration } from "../lib/units/duration.ts";

/** Options of {@linkcode main}, for tests. */
export interface MainOptions {
  /** Reads an environment variable (`POOLFLOW_TOKEN`). Defaults to `Deno.env.get`. */
  readonly env?: (name: string) => string | undefined;
  /**
   * Stops the server (gracefully) when aborted; without it, SIGINT and
   * SIGTERM do.
   */
  readonly signal?: AbortSignal;
  /** Called once listening, with the address. */
  readonly onListen?: (address: { hostname: string; port: number }) => void;
  /** Where messages go. Defaults to the console. */
  readonly print?: (line: string) => void;
}

const HELP = `Usage: deno run -A server.ts --workflows <folder> [options]

Serves the workflows of a folder over HTTP, with a dashboard at /.

Options:
  --workflows <folder>          Folder of workflow files (required)
  --hostname <host>             Interface to listen on (default 127.0.0.1)
  --port <n>                    Port (default 8000; 0 picks a free one)
  --token <token>               Bearer token; prefer the POOLFLOW_TOKEN variable,
                                as the command line is visible to other users
  --max-runs <n>                Runs at once (default 8)
  --keep-runs <n>               Finished runs kept (default 100)
  --keep-for <duration>         How long finished runs are kept (default 1h)
  --keep-results <n>            Outcomes kept per run (default 1000)
  --max-body-bytes <n>          Largest request body (default 1048576)
  --cors-origin <origin>        Allow browser calls from this origin (repeatable)
  --progress-interval <dur>     Interval of progress events (default 1s)
  --checkpoints <file>          Make runs durable: keep checkpoints in this
                                SQLite file; POST /runs takes "resume": true
  --header-timeout <duration>   Close connections whose request headers do not
                                arrive within this time, from the connection's
                                start or its last response (default 20s)
  --grace <duration>            On SIGINT or SIGTERM, how long running runs get
                                to finish their items in flight (default 10s)
  --allow-remote-without-token  Listen beyond loopback without a token (unsafe)
  -h, --help                    Show this help
`;

const FLAG_NAMES: SettingNames = {
  workflows: "--workflows",
  token: "--token (or POOLFLOW_TOKEN)",
  maxRuns: "--max-runs",
  keepRuns: "--keep-runs",
  keepFor: "--keep-for",
  keepResults: "--keep-results",
  maxBodyBytes: "--max-body-bytes",
  corsOrigins: "--cors-origin",
  progressInterval: "--progress-interval",
  allowRemoteWithoutToken: "--allow-remote-without-token",
  checkpoints: "--checkpoints",
};

/** How long running runs get to stop gracefully on a signal, by default. */
const DEFAULT_GRACE = "10s";

/** How long a connection may go without a request's headers, by default. */
const DEFAULT_HEADER_TIMEOUT = "20s";

/** Exit code of a wrong command line. */
const USAGE = 64;

/**
 * Runs the server from a command line until it is stopped.
 *
 * @param args The arguments, as in `Deno.args`.
 * @param options Environment, stop signal and output, for tests.
 * @returns The exit code: 0 after a clean stop, 64 for a wrong command
 * line, 1 if the workflows cannot be loaded.
 *
 * @example Refuse to listen on every interface without a token
 * ```ts
 * import { main } from "./main.ts";
 * import { assertEquals } from "@std/assert";
 *
 * const lines: string[] = [];
 * const code = await main(["--workflows", "flows", "--hostname", "0.0.0.0"], {
 *   env: () => undefined,
 *   print: (line) => lines.push(line),
 * });
 * assertEquals(code, 64);
 * ```
 */
export async function main(
  args: readonly string[],
  options: MainOptions = {},
): Promise<number> {
  const print = options.print ?? ((line: string) => console.error(line));
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const unknown: string[] = [];
  const flags = parseArgs(args, {
    boolean: ["help", "allow-remote-without-token"],
    string: [
      "workflows",
      "hostname",
      "port",
      "token",
      "max-runs",
      "keep-runs",
      "keep-for",
      "keep-results",
      "max-body-bytes",
      "cors-origin",
      "progress-interval",
      "checkpoints",
      "grace",
      "header-timeout",
    ],
    collect: ["cors-origin"],
    alias: { help: "h" },
    unknown: (arg) => {
      unknown.push(arg);
      return false;
    },
  });
  if (flags.help) {
    print(HELP);
    return 0;
  }
  if (unknown.length > 0) {
    print(`Unknown argument "${unknown[0]}": see --help`);
    return USAGE;
  }
  const hostname = flags.hostname || "127.0.0.1";
  const portText = flags.port ?? "8000";
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    print(
      `Invalid --port: expected 0 to 65535, got ${JSON.stringify(portText)}`,
    );
    return USAGE;
  }
  let serverOptions;
  try {
    serverOptions = optionsFromSettings({
      workflows: flags.workflows,
      token: flags.token ?? env("POOLFLOW_TOKEN"),
      maxRuns: flags["max-runs"],
      keepRuns: flags["keep-runs"],
      keepFor: flags["keep-for"],
      keepResults: flags["keep-results"],
      maxBodyBytes: flags["max-body-bytes"],
      corsOrigins: flags["cors-origin"],
      progressInterval: flags["progress-interval"],
      allowRemoteWithoutToken: flags["allow-remote-without-token"],
      checkpoints: flags.checkpoints,
    }, FLAG_NAMES);
  } catch (error) {
    print((error as Error).message);
    return USAGE;
  }
  const grace = flags.grace ?? DEFAULT_GRACE;
  let headerTimeoutMs: number;
  try {
    parseDuration(grace as Duration, "--grace");
    headerTimeoutMs = parseDuration(
      (flags["header-timeout"] ?? DEFAULT_HEADER_TIMEOUT) as Duration,
      "--header-timeout",
    );
  } catch (error) {
    print((error as Error).message);
    return USAGE;
  }
  if (!(headerTimeoutMs > 0)) {
    print(
      `Invalid --header-timeout: expected a positive duration such as "20s", got ${
        JSON.stringify(flags["header-timeout"])
      }`,
    );
    return USAGE;
  }
  if (
    serverOptions.token === undefined && !isLoopback(hostname) &&
    !serverOptions.allowRemoteWithoutToken
  ) {
    print(
      `Refusing to listen on ${hostname} without a token: set POOLFLOW_TOKEN, listen on 127.0.0.1, or pass --allow-remote-without-token`,
    );
    return USAGE;
  }
  // Until it listens, main reports failures itself, once and without a stack.
  let listening = false;
  let server;
  try {
    server = createServer({
      ...serverOptions,
      shutdownGrace: grace as Duration,
      log: (entry) => {
        if (listening) consoleLogger(entry);
      },
    });
  } catch (error) {
    print((error as Error).message);
    return USAGE;
  }
  let names: readonly string[];
  try {
    names = await server.ready();
  } catch (error) {
    print(`Cannot load the workflows: ${(error as Error).message}`);
    await server.close();
    return 1;
  }

  const stop = new AbortController();
  let signalled = 0;
  const onSignal = () => {
    signalled++;
    if (signalled === 1) {
      print(
        `Stopping: no new runs; running ones have ${grace} to finish their items in flight (signal again to abort them)`,
      );
      stop.abort();
    } else if (signalled === 2) {
      print("Aborting the running runs (signal again to exit now)");
      // Closing again cuts the grace period short.
      void server.close();
    } else {
      Deno.exit(130);
    }
  };
  const signals: Deno.Signal[] = options.signal === undefined
    ? ["SIGINT", "SIGTERM"]
    : [];
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  options.signal?.addEventListener("abort", onSignal, { once: true });
  if (options.signal?.aborted) onSignal();

  const http = serveWithHeaderTimeout({
    hostname,
    port,
    headerTimeoutMs,
    onUnbounded: (why) => print(`Warning: --header-timeout: ${why}`),
    onListen: ({ hostname, port }) => {
      listening = true;
      const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
      print(
        `poolflow server listening on http://${shown}:${port}/ (workflows: ${
          names.join(", ")
        })`,
      );
      options.onListen?.({ hostname, port });
    },
  }, (request, info) => server.fetch(request, info));
  await new Promise<void>((resolve) =>
    stop.signal.addEventListener("abort", () => resolve(), { once: true })
  );
  try {
    // Signals stay heard while the runs stop: a second one aborts them.
    await server.close();
    await http.shutdown();
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
    options.signal?.removeEventListener("abort", onSignal);
  }
  return 0;
}
