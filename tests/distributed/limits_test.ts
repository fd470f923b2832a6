import { assert, assertEquals } from "@std/assert";
import {
  collect,
  defineWorkflow,
  fromIterable,
  planWorkflow,
  run,
  sleep,
} from "@poolflow/poolflow";
import {
  planFingerprint,
  redisExecutor,
  serveWorkflow,
} from "@poolflow/poolflow/distributed";
import { noRedis, startRedis } from "./_redis.ts";

Deno.test({
  name:
    'distributed: rateLimit "400/s" with three workers: no 1 s window sees more than 400 starts',
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    const starts: number[] = [];
    const out = collect<number>();
    const workflow = defineWorkflow({
      name: "limited",
      source: fromIterable(Array.from({ length: 1000 }, (_, i) => i)),
      pipeline: (rows) =>
        rows.map("call", (x: number) => {
          starts.push(performance.now());
          return x;
        }, { concurrency: 60, rateLimit: "400/s" }),
      sink: out,
    });
    // Three workers with their own connections: the limit is Redis's.
    const workers = await Promise.all(
      [1, 2, 3].map(() => serveWorkflow(workflow, { redis: redis.url })),
    );
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint: await planFingerprint(planWorkflow(workflow)),
    });
    const summary = await run(workflow, { executor }).done;
    await executor.close();
    await Promise.all(workers.map((w) => w.close()));
    assertEquals(summary.written, 1000);
    starts.sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[i]! - starts[j]! >= 1000) j++;
      most = Math.max(most, i - j + 1);
    }
    assert(most <= 400, `${most} starts in one 1 s window`);
    const used = workers.filter((w) => w.processed > 0).length;
    assert(used >= 2, "the work was spread over the workers");
  },
});

Deno.test({
  name:
    "distributed: fail-fast stops the run and keeps the items finished before and in flight",
  ignore: noRedis,
  async fn() {
    await using redis = await startRedis();
    const out = collect<number>();
    const dead = collect<unknown>();
    const workflow = defineWorkflow({
      name: "fast",
      source: fromIterable(Array.from({ length: 200 }, (_, i) => i)),
      pipeline: (rows) =>
        rows.map("step", async (x: number) => {
          if (x === 30) throw new Error("bad 30");
          await sleep(20);
          return x;
        }, { concurrency: 4, errors: { onError: "fail-fast" } }),
      sink: out,
      deadLetter: dead,
    });
    const worker = await serveWorkflow(workflow, { redis: redis.url });
    const executor = redisExecutor({
      redis: redis.url,
      workflow: workflow.name,
      fingerprint: await planFingerprint(planWorkflow(workflow)),
    });
    const summary = await run(workflow, { executor }).done;
    await executor.close();
    await worker.close();
    assertEquals(summary.status, "failed");
    assertEquals(summary.failed, 1);
    assertEquals(dead.items.length, 1);
    assert(out.items.length >= 20, `kept ${out.items.length} finished items`);
    assert(out.items.length < 200);
    assertEquals(summary.written, out.items.length);
    assert(!out.items.includes(30));
  },
});
