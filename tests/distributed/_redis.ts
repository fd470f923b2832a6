/**
 * A throwaway `redis-server` per test: started on a free port with no
 * persistence, stopped (killed) on dispose. Where the binary is missing the
 * tests say so and skip, except under CI, where they must run.
 */

/** A running redis-server. */
export interface RedisServer extends AsyncDisposable {
  readonly port: number;
  readonly url: string;
  /** Kills it (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
}

function hasRedis(): boolean {
  try {
    const out = new Deno.Command("redis-server", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success;
  } catch {
    return false;
  }
}

const available = hasRedis();
if (!available && Deno.env.get("CI") !== "true") {
  console.error(
    "tests/distributed: skipped, redis-server is not installed (apt-get install redis-server); under CI=true they fail instead",
  );
}

/** Whether to ignore the Redis tests here (never under CI). */
export const noRedis: boolean = !available && Deno.env.get("CI") !== "true";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts a redis-server on a free port and waits until it answers. */
export async function startRedis(): Promise<RedisServer> {
  const port = freePort();
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let killed: Promise<void> | undefined;
  const kill = (): Promise<void> => {
    killed ??= (async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    })();
    return killed;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    [Symbol.asyncDispose]: kill,
  };
}

/** Whether a Redis server answers PING on `port`. */
async function answers(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(16);
    const n = await conn.read(buffer);
    return n !== null &&
      new TextDecoder().decode(buffer.subarray(0, n)).startsWith("+PONG");
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}
