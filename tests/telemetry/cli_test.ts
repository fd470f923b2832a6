/**
 * The CLI's telemetry: `--json` prints events that match the documented
 * schema (docs/run-events.schema.json), and `OTEL_DENO=true` exports the
 * run's spans to an OTLP collector (here a test receiver on loopback).
 */

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { Ajv } from "ajv";
import {
  numbersWorkflow,
  ROOT,
  runCli,
  withTempDir,
  writeWorkflow,
} from "../cli/_helpers.ts";

const schema = JSON.parse(
  await Deno.readTextFile(`${ROOT}docs/run-events.schema.json`),
);

Deno.test("--json prints one event per line, each valid under the documented schema, from run-started to run-finished", async () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "numbers.ts",
      numbersWorkflow({ out: `${dir}/out.jsonl` }, {
        fail: [2, 5],
        delayMs: 1,
      }),
    );
    const { code, stdout, stderr } = await runCli([
      file,
      "--json",
      "--continue",
      "--no-check",
      "--no-checkpoint",
    ]);
    assertEquals(code, 1, stderr);
    const events = stdout.trim().split("\n").map((line) => JSON.parse(line));
    for (const event of events) {
      assert(
        validate(event),
        `${JSON.stringify(event)}: ${JSON.stringify(validate.errors)}`,
      );
    }
    const types = events.map((e) => e.type);
    assertEquals(types[0], "run-started");
    assertEquals(types.at(-1), "run-finished");
    assertEquals(types.filter((t) => t === "item-failed").length, 2);
    assertEquals(events.at(-1).summary.failed, 2);
  });
});

Deno.test("the schema refuses an event it does not document, and a documented event with a field missing", () => {
  const validate = new Ajv({ strict: true }).compile(schema);
  assertEquals(validate({ type: "lagged", dropped: 3 }), true);
  assertEquals(validate({ type: "lagged" }), false);
  assertEquals(validate({ type: "stage-paused", stage: "x" }), false);
  assertEquals(validate({ type: "lagged", dropped: 3, extra: 1 }), false);
});

Deno.test("--otel without OTEL_DENO=true is refused with what to do", async () => {
  await withTempDir(async (dir) => {
    const file = await writeWorkflow(
      dir,
      "numbers.ts",
      numbersWorkflow({ out: `${dir}/out.jsonl` }),
    );
    const { code, stderr } = await runCli([file, "--otel", "--no-check"]);
    assertEquals(code, 64);
    assertStringIncludes(stderr, "OTEL_DENO=true");
  });
});

interface OtlpSpan {
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

Deno.test("OTEL_DENO=true exports the CLI run's spans to the OTLP endpoint", async () => {
  const spans: OtlpSpan[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const body = await request.text();
      if (url.pathname === "/v1/traces") {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const r of payload.resourceSpans) {
          for (const s of r.scopeSpans) spans.push(...s.spans);
        }
      }
      return Response.json({});
    },
  );
  try {
    await withTempDir(async (dir) => {
      const file = await writeWorkflow(
        dir,
        "numbers.ts",
        numbersWorkflow({ out: `${dir}/out.jsonl` }, { fail: [4] }),
      );
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          `${ROOT}deno.json`,
          `${ROOT}cli.ts`,
          file,
          "--otel",
          "--continue",
          "--quiet",
          "--no-check",
          "--no-checkpoint",
        ],
        cwd: ROOT,
        env: {
          NO_COLOR: "1",
          OTEL_DENO: "true",
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
          OTEL_SERVICE_NAME: "poolflow-test",
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });
      const output = await child.output();
      assertEquals(output.code, 1, new TextDecoder().decode(output.stderr));
    });
  } finally {
    await server.shutdown();
  }
  const run = spans.find((s) => s.name === "poolflow.run numbers");
  assert(run, `spans: ${spans.map((s) => s.name).join(", ")}`);
  const attr = (key: string) =>
    run.attributes.find((a) => a.key === key)?.value;
  assertEquals(attr("poolflow.run.status"), {
    stringValue: "completed-with-failures",
  });
  assert(spans.some((s) => s.name === "poolflow.stage double"));
});
