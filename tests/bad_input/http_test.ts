/**
 * Bad bodies of `POST /runs` on the HTTP runner (in-process, nothing
 * listens): not JSON, too large, of the wrong type, with unknown fields.
 * What the client sees (status and error body) and what is kept: no run
 * is started, and a run started before is untouched.
 * See docs/bad_input.md.
 */

import { assertEquals } from "@std/assert";
import { defineWorkflow, fromIterable } from "../../mod.ts";
import { createServer, type PoolflowServer } from "../../server.ts";

const echo = defineWorkflow({
  name: "echo",
  source: fromIterable<unknown>([]),
  pipeline: (rows) => rows.map("echo", (row: unknown) => row),
});

function post(
  server: PoolflowServer,
  body: string,
  type = "application/json",
): Promise<Response> {
  return server.fetch(
    new Request("http://localhost/runs", {
      method: "POST",
      headers: { "content-type": type },
      body,
    }),
  );
}

async function get<T>(server: PoolflowServer, path: string): Promise<T> {
  const response = await server.fetch(new Request(`http://localhost${path}`));
  assertEquals(response.status, 200);
  return await response.json() as T;
}

interface ErrorBody {
  readonly error: { code: string; message: string; field?: string };
}

/** Each case: its body, content type, and the status and error expected. */
const CASES: readonly [
  string,
  string,
  string,
  number,
  ErrorBody["error"],
][] = [
  [
    "a body that is not JSON",
    "{workflow: echo}",
    "application/json",
    400,
    {
      code: "invalid_json",
      message:
        "Invalid JSON body: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
      field: "body",
    },
  ],
  [
    "a body that is not JSON at all (text/plain)",
    "run echo please",
    "text/plain",
    415,
    {
      code: "unsupported_media_type",
      message:
        'Unsupported Content-Type "text/plain": send JSON with "Content-Type: application/json"',
      field: "body",
    },
  ],
  [
    "a body over maxBodyBytes",
    JSON.stringify({ workflow: "echo", input: ["x".repeat(5000)] }),
    "application/json",
    413,
    {
      code: "payload_too_large",
      message: "Request body too large: at most 4096 bytes",
      field: "body",
    },
  ],
  [
    "a body that is an array",
    "[1, 2]",
    "application/json",
    400,
    {
      code: "bad_request",
      message: "Invalid body: expected a JSON object, got an array",
      field: "body",
    },
  ],
  [
    "a workflow name that is a number",
    '{"workflow": 5}',
    "application/json",
    400,
    {
      code: "bad_request",
      message:
        "Invalid workflow: expected the name of a registered workflow (see GET /workflows), got 5",
      field: "workflow",
    },
  ],
  [
    "input that is a string",
    '{"workflow": "echo", "input": "a,b"}',
    "application/json",
    400,
    {
      code: "bad_request",
      message: 'Invalid input: expected an array of rows, got "a,b"',
      field: "input",
    },
  ],
  [
    "an unknown field",
    '{"workflow": "echo", "colour": "red"}',
    "application/json",
    400,
    {
      code: "bad_request",
      message:
        'Unknown field "colour": allowed are workflow, params, concurrency, input, resume, force',
      field: "colour",
    },
  ],
];

Deno.test("bad POST /runs bodies get a 4xx naming the field, start nothing, and leave earlier runs alone", async () => {
  const server = createServer({
    workflows: { echo },
    limits: { maxBodyBytes: 4096 },
    log: () => {},
  });
  try {
    const good = await post(
      server,
      JSON.stringify({ workflow: "echo", input: [1, 2, 3] }),
    );
    assertEquals(good.status, 201);
    const { id, links } = await good.json() as {
      id: string;
      links: { results: string };
    };

    for (const [name, body, type, status, error] of CASES) {
      const response = await post(server, body, type);
      const answer = await response.json() as ErrorBody;
      assertEquals(response.status, status, name);
      assertEquals(
        response.headers.get("content-type"),
        "application/json",
        name,
      );
      assertEquals(answer, { error }, name);
    }

    // Only the good run exists, and its results are whole.
    const { runs } = await get<{ runs: { id: string }[] }>(server, "/runs");
    assertEquals(runs.map((r) => r.id), [id]);
    const results = await server.fetch(
      new Request(`http://localhost${links.results}`),
    );
    assertEquals(
      await results.text(),
      '{"ok":true,"value":1}\n{"ok":true,"value":2}\n{"ok":true,"value":3}\n',
    );
  } finally {
    await server.close();
  }
});
