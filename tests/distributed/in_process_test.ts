import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  collect,
  defineWorkflow,
  fromIterable,
  planWorkflow,
  run,
} from "@poolflow/poolflow";
import {
  planFingerprint,
  redisExecutor,
  serveWorkflow,
} from "@poolflow/poolflow/distributed";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { noRedis, startRedis } from "./_redis.ts";

class QuotaError extends Error {
  code = "QUOTA";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QuotaError";
  }
}

function squares(n: number, fail = new Set<number>()) {
  const out = collect<number>();
  const dead = collect<unknown>();
  const workflow = defineWorkflow({
    name: "squares",
    source: fromIterable(Array.from({ length: n }, (_, i) => i)),
    pipeline: (rows) =>
      rows.map("square", (x: number) => {
        if (fail.has(x)) {
          throw new QuotaError(`no quota for ${x}`, {
            cause: new Error("upstream 429"),
          });
        }
        return x * x;
      }, {
        concurrency: 4,
        errors: { onError: "continue", retry: { attempts: 2, delay: 1 } },
      }),
    sink: out,
    deadLetter: dead,
  });
  return { workflow, out, dead };
}

Deno.test({
  name: "distributed: every item goes through a worker exactly once",
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    const { workflow, out } = squares(50);
    const worker = await serveWorkflow(workflow, { redis: redis.url });
    const fingerprint = await planFingerprint(planWorkflow(workflow));
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint,
    });
    const summary = await run(workflow, { executor }).done;
    await executor.close();
    await worker.close();
    assertEquals(summary.status, "succeeded");
    assertEquals(
      out.items.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i * i),
    );
    assertEquals(worker.processed, 50);
  },
});

Deno.test({
  name:
    "distributed: failures cross the wire with class name, message and attempts into dead letters",
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    const { workflow, out, dead } = squares(6, new Set([3]));
    const worker = await serveWorkflow(workflow, { redis: redis.url });
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint: await planFingerprint(planWorkflow(workflow)),
    });
    const summary = await run(workflow, { executor }).done;
    await executor.close();
    await worker.close();
    assertEquals(summary.status, "completed-with-failures");
    assertEquals(out.items.length, 5);
    assertEquals(dead.items.length, 1);
    const letter = dead.items[0] as {
      stage: string;
      attempts: number;
      input: unknown;
      error: string;
    };
    assertEquals(letter.stage, "square");
    assertEquals(letter.input, 3);
    assertEquals(letter.attempts, 2);
    assertMatch(letter.error, /^QuotaError: no quota for 3/);
    assertEquals(summary.stages[0]?.retried, 1);
  },
});

Deno.test({
  name: "distributed: a worker with another fingerprint refuses the jobs",
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    const { workflow, out, dead } = squares(3);
    const logs: string[] = [];
    const worker = await serveWorkflow(workflow, {
      redis: redis.url,
      fingerprint: "0000000000000000",
      log: (m) => logs.push(m),
    });
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint: await planFingerprint(planWorkflow(workflow)),
    });
    const summary = await run(workflow, { executor }).done;
    await executor.close();
    await worker.close();
    assertEquals(out.items, []);
    assertEquals(summary.failed, 3);
    assertEquals(worker.processed, 0);
    assertEquals(logs.length, 1);
    assertMatch(
      logs[0]!,
      /fingerprint is [0-9a-f]{16}, this worker serves 0{16}/,
    );
    const letter = dead.items[0] as { error: string };
    assertMatch(letter.error, /^DistributedError: Worker refused a job/);
    assertMatch(letter.error, /same workflow file/);
  },
});

Deno.test({
  name: "distributed: resize changes the queue's global concurrency",
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => release = resolve);
    const out = collect<number>();
    const workflow = defineWorkflow({
      name: "gated",
      source: fromIterable([1, 2, 3, 4, 5, 6]),
      pipeline: (rows) =>
        rows.map("wait", async (x: number) => {
          await gate;
          return x;
        }, { concurrency: 2 }),
      sink: out,
    });
    const worker = await serveWorkflow(workflow, { redis: redis.url });
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint: await planFingerprint(planWorkflow(workflow)),
    });
    const handle = run(workflow, { executor });
    const client = new Redis({
      host: "127.0.0.1",
      port: redis.port,
      maxRetriesPerRequest: null,
    });
    const queue = new Queue("gated.wait", {
      connection: client,
      prefix: "poolflow",
    });
    try {
      const until = async (want: number) => {
        for (let i = 0; i < 200; i++) {
          if (await queue.getGlobalConcurrency() === want) return true;
          await new Promise((r) => setTimeout(r, 25));
        }
        return false;
      };
      assert(await until(2), "global concurrency starts at the stage's");
      handle.resize("wait", 5);
      assert(await until(5), "resize sets the global concurrency");
      assertEquals(handle.stats().stages[0]?.concurrency, 5);
      release();
      const summary = await handle.done;
      assertEquals(summary.written, 6);
    } finally {
      await queue.close();
      client.disconnect();
      await executor.close();
      await worker.close();
    }
  },
});

Deno.test({
  name: "distributed: a finished run leaves no key of its queues in Redis",
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    const { workflow } = squares(20);
    const worker = await serveWorkflow(workflow, { redis: redis.url });
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint: await planFingerprint(planWorkflow(workflow)),
    });
    assertEquals((await run(workflow, { executor }).done).written, 20);
    await executor.close();
    await worker.close();
    const client = new Redis({
      host: "127.0.0.1",
      port: redis.port,
      maxRetriesPerRequest: null,
    });
    try {
      assertEquals(await client.keys("poolflow:squares.square:*"), []);
    } finally {
      await client.quit();
    }
  },
});
