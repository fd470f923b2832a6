/**
 * Which runs are durable, and the options the CLI gives them.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
} from "@std/assert";
import {
  DEFAULT_CHECKPOINT,
  durableFor,
  isRefusedResume,
  resumeMessage,
} from "../../cli/durable.ts";
import { UsageError } from "../../cli/errors.ts";
import { collect, type DeadLetter, toJsonl, toStdout } from "../../mod.ts";
import { withTempDir } from "./_helpers.ts";

const FLAGS = {
  checkpoints: true,
  checkpoint: undefined,
  resume: false,
  force: false,
} as const;

Deno.test("durableFor() sets up a durable run with the default checkpoint and a fingerprint of the file", async () => {
  await withTempDir(async (dir) => {
    const url = new URL(`file://${dir}/wf.ts`);
    await Deno.writeTextFile(url, "export default 1;\n");
    const plan = { sink: toJsonl("out.jsonl"), deadLetter: undefined };
    const durable = await durableFor(plan, FLAGS, url);
    assertEquals(durable?.path, DEFAULT_CHECKPOINT);
    assertEquals(durable?.options.store, ".poolflow/checkpoints.db");
    assertEquals([durable?.options.resume, durable?.options.force], [
      false,
      false,
    ]);
    const first = durable?.options.workflowFingerprint;
    assert(first && /^[0-9a-f]{64}$/.test(first), first);
    await Deno.writeTextFile(url, "export default 2;\n");
    const edited = await durableFor(plan, {
      ...FLAGS,
      checkpoint: "cp.db",
      resume: true,
      force: true,
    }, url);
    assertEquals(edited?.path, "cp.db");
    assertEquals([edited?.options.resume, edited?.options.force], [true, true]);
    assertNotEquals(edited?.options.workflowFingerprint, first);
  });
});

Deno.test("durableFor() runs without checkpoints with --no-checkpoint, or silently for outputs that cannot resume", async () => {
  const url = new URL("file:///nowhere/wf.ts");
  const files = { sink: toJsonl("out.jsonl"), deadLetter: undefined };
  assertEquals(
    await durableFor(files, { ...FLAGS, checkpoints: false }, url),
    undefined,
  );
  assertEquals(
    await durableFor({ sink: toStdout(), deadLetter: undefined }, FLAGS, url),
    undefined,
  );
  const dead = collect<DeadLetter>();
  assertEquals(
    await durableFor({ sink: undefined, deadLetter: dead }, FLAGS, url),
    undefined,
  );
});

Deno.test("durableFor() refuses --resume with an output that cannot resume, naming it", async () => {
  const url = new URL("file:///nowhere/wf.ts");
  const resume = { ...FLAGS, resume: true };
  await assertRejects(
    () => durableFor({ sink: toStdout(), deadLetter: undefined }, resume, url),
    UsageError,
    'Cannot --resume: the sink "-" (stdout) cannot resume',
  );
  await assertRejects(
    () =>
      durableFor(
        {
          sink: toJsonl("out.jsonl"),
          deadLetter: collect<DeadLetter>(),
        },
        resume,
        url,
      ),
    UsageError,
    'the dead-letter sink "memory" (collect) cannot resume',
  );
});

Deno.test("resumeMessage() says what to do in flags, by the error's code", () => {
  assertEquals(
    resumeMessage({
      message: 'No checkpoint to resume for workflow "w"',
      code: "resume_nothing",
    }),
    'No checkpoint to resume for workflow "w": run it without --resume',
  );
  assertEquals(
    resumeMessage({
      message: "The workflow changed",
      code: "resume_workflow_changed",
    }),
    "The workflow changed; pass --force to resume anyway",
  );
});

Deno.test("isRefusedResume() knows a refused resume by its code, not its name", () => {
  assertEquals(
    isRefusedResume({
      name: "ResumeError",
      message: "",
      code: "resume_finished",
    }),
    true,
  );
  assertEquals(isRefusedResume({ name: "ResumeError", message: "" }), false);
  assertEquals(isRefusedResume(undefined), false);
});
