import { assert, assertEquals, assertMatch } from "@std/assert";
import { withTempDir } from "../cli/_helpers.ts";
import { noRedis, startRedis } from "./_redis.ts";
import {
  range,
  runsOf,
  setUp,
  startCli,
  startWorker,
  writtenIds,
} from "./_procs.ts";

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

Deno.test({
  name:
    "distributed CLI: a run across two worker processes writes every item exactly once, and both work",
  ignore: noRedis,
  async fn() {
    await withTempDir(async (dir) => {
      await using redis = await startRedis();
      const file = await setUp(dir, 120, 10);
      // Each takes at most 4 of the 8: both must work.
      await using a = await startWorker(file, redis.url, dir, ["-c", "4"]);
      await using b = await startWorker(file, redis.url, dir, ["-c", "4"]);
      await using run = startCli(
        [file, "--redis", redis.url, "--no-check"],
        dir,
      );
      const status = await run.status;
      assertEquals(status.code, 0, run.stderr());
      assertEquals(sorted(await writtenIds(dir)), range(120));
      const pids = new Set([...(await runsOf(dir)).values()].flat());
      assertEquals(pids, new Set([a.child.pid, b.child.pid]));
      a.kill("SIGTERM");
      assertEquals((await a.status).code, 0, a.stderr());
      assertMatch(a.stderr(), /stopped after \d+ jobs/);
    });
  },
});

Deno.test({
  name:
    "distributed CLI: a worker SIGKILLed with jobs in flight: its items run again on another worker, each written once",
  ignore: noRedis,
  async fn() {
    await withTempDir(async (dir) => {
      await using redis = await startRedis();
      const file = await setUp(dir, 30, 300, 4);
      const stall = ["--stall-timeout", "2s"];
      await using a = await startWorker(file, redis.url, dir, stall);
      await using run = startCli(
        [file, "--redis", redis.url, "--no-check"],
        dir,
      );
      // Wait until the first worker holds jobs, then kill it.
      for (let i = 0; (await runsOf(dir)).size < 4; i++) {
        assert(i < 400, `the first worker never started:\n${a.stderr()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      a.kill("SIGKILL");
      await a.status;
      await using _b = await startWorker(file, redis.url, dir, stall);
      const status = await run.status;
      assertEquals(status.code, 0, run.stderr());
      const written = await writtenIds(dir);
      assertEquals(written.length, 30, "nothing written twice");
      assertEquals(sorted(written), range(30));
      const runs = await runsOf(dir);
      const rerun = [...runs.values()].filter((pids) => pids.length > 1);
      assert(rerun.length >= 1, "the killed worker's items ran again");
      for (const pids of rerun) assertEquals(pids[0], a.child.pid);
    });
  },
});

Deno.test({
  name:
    "distributed CLI: the coordinator SIGKILLed and run again with --resume writes nothing twice",
  ignore: noRedis,
  async fn() {
    await withTempDir(async (dir) => {
      await using redis = await startRedis();
      const file = await setUp(dir, 100, 200);
      await using _w = await startWorker(file, redis.url, dir);
      await using first = startCli(
        [file, "--redis", redis.url, "--no-check"],
        dir,
      );
      for (let i = 0; (await writtenIds(dir)).length < 10; i++) {
        assert(i < 800, `nothing written:\n${first.stderr()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      first.kill("SIGKILL");
      await first.status;
      assert((await writtenIds(dir)).length < 100, "killed mid-run");
      await using second = startCli(
        [file, "--redis", redis.url, "--no-check", "--resume"],
        dir,
      );
      const status = await second.status;
      assertEquals(status.code, 0, second.stderr());
      const written = await writtenIds(dir);
      assertEquals(sorted(written), range(100));
      assertEquals(written.length, 100, "nothing written twice");
    });
  },
});

Deno.test({
  name:
    "distributed CLI: Redis killed mid-run: a clear error, no hang, and --resume on a new Redis finishes with each item once",
  ignore: noRedis,
  async fn() {
    await withTempDir(async (dir) => {
      const file = await setUp(dir, 100, 200);
      {
        await using redis = await startRedis();
        await using _w = await startWorker(file, redis.url, dir);
        await using run = startCli(
          [file, "--redis", redis.url, "--no-check"],
          dir,
        );
        for (let i = 0; (await writtenIds(dir)).length < 10; i++) {
          assert(i < 800, `nothing written:\n${run.stderr()}`);
          await new Promise((r) => setTimeout(r, 25));
        }
        await redis.kill();
        const status = await run.status;
        assertEquals(status.code, 2, run.stderr());
        assertMatch(run.stderr(), /Lost Redis at redis:\/\/127\.0\.0\.1:\d+/);
        assertMatch(run.stderr(), /--resume/);
      }
      const before = await writtenIds(dir);
      assert(before.length < 100);
      await using redis = await startRedis();
      await using _w = await startWorker(file, redis.url, dir);
      await using again = startCli(
        [file, "--redis", redis.url, "--no-check", "--resume"],
        dir,
      );
      assertEquals((await again.status).code, 0, again.stderr());
      const written = await writtenIds(dir);
      assertEquals(sorted(written), range(100));
      assertEquals(written.length, 100, "nothing written twice");
    });
  },
});
