/**
 * Who may call the server: a bearer token on every endpoint but `/health`
 * (missing, wrong, right), compared in constant time; loopback only
 * without a token unless allowed; the dashboard's files open; CORS off
 * unless configured; tokens and origins checked at start.
 */

import { assert, assertEquals, assertThrows } from "@std/assert";
import { isLoopback, tokenMatches } from "../../server/auth.ts";
import { errorOf, jsonOf, testServer } from "./_helpers.ts";

const TOKEN = "test-token-0123456789";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

Deno.test("with a token, every endpoint but /health requires it", async () => {
  await using test = testServer({ token: TOKEN });
  const paths: [string, string][] = [
    ["GET", "/workflows"],
    ["GET", "/workflows/squares"],
    ["GET", "/runs"],
    ["POST", "/runs"],
    ["GET", "/runs/x"],
    ["PATCH", "/runs/x"],
    ["POST", "/runs/x/cancel"],
    ["GET", "/runs/x/events"],
    ["GET", "/runs/x/results"],
    ["GET", "/no/such/endpoint"],
  ];
  for (const [method, path] of paths) {
    const missing = await test.request(path, { method });
    assertEquals(
      missing.headers.get("www-authenticate"),
      'Bearer realm="poolflow"',
    );
    const error = await errorOf(missing, 401);
    assertEquals(error.code, "unauthorized", `${method} ${path}`);
    const wrong = await test.request(path, {
      method,
      headers: bearer("test-token-0123456788"),
    });
    assertEquals((await errorOf(wrong, 401)).message, "Invalid token");
  }
  for (
    const header of [
      `Basic ${btoa(`a:${TOKEN}`)}`,
      "Bearer",
      `bearer  ${TOKEN}x`,
      TOKEN,
    ]
  ) {
    const response = await test.request("/runs", {
      headers: { authorization: header },
    });
    assertEquals((await errorOf(response, 401)).code, "unauthorized", header);
  }
  const health = await test.request("/health");
  assertEquals(await jsonOf(health), { status: "ok" });
});

Deno.test("the right token opens every endpoint; the scheme is case-insensitive", async () => {
  await using test = testServer({ token: TOKEN });
  const list = await test.request("/workflows", { headers: bearer(TOKEN) });
  assertEquals(list.status, 200);
  await list.body?.cancel();
  const lower = await test.request("/runs", {
    headers: { authorization: `bearer ${TOKEN}` },
  });
  assertEquals(lower.status, 200);
  await lower.body?.cancel();
  const created = await jsonOf<{ id: string }>(
    await test.request("/runs", {
      method: "POST",
      headers: bearer(TOKEN),
      json: { workflow: "squares", params: { n: 2 } },
    }),
    201,
  );
  for (let i = 0; i < 200; i++) {
    const run = await jsonOf<{ summary: unknown }>(
      await test.request(`/runs/${created.id}`, { headers: bearer(TOKEN) }),
    );
    if (run.summary !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
});

Deno.test("the dashboard's files are served without a token, with a strict CSP", async () => {
  await using test = testServer({ token: TOKEN });
  for (
    const [path, type] of [
      ["/", "text/html; charset=utf-8"],
      ["/dashboard.js", "text/javascript; charset=utf-8"],
      ["/dashboard.css", "text/css; charset=utf-8"],
    ]
  ) {
    const response = await test.request(path!);
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), type);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert(
      csp.includes("default-src 'none'") && csp.includes("script-src 'self'"),
    );
    assertEquals(response.headers.get("x-frame-options"), "DENY");
    const text = await response.text();
    assert(!text.includes(TOKEN));
    // The script parses (the browser test runs it).
    if (path === "/dashboard.js") new Function(text);
  }
});

Deno.test("tokens are compared by their SHA-256 digests, whatever their length", async () => {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(TOKEN)),
  );
  assert(await tokenMatches(digest, TOKEN));
  for (
    const other of [
      "",
      "t",
      TOKEN.slice(0, -1),
      `${TOKEN}x`,
      TOKEN.toUpperCase(),
    ]
  ) {
    assert(!(await tokenMatches(digest, other)), other);
  }
});

Deno.test("without a token, only loopback clients are answered", async () => {
  await using test = testServer();
  const from = (hostname: string) => ({
    info: { remoteAddr: { transport: "tcp", hostname } },
  });
  for (
    const hostname of ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"]
  ) {
    const response = await test.request("/runs", from(hostname));
    assertEquals(response.status, 200, hostname);
    await response.body?.cancel();
  }
  for (
    const hostname of [
      "10.0.0.2",
      "192.168.1.5",
      "::ffff:10.0.0.1",
      "2001:db8::1",
    ]
  ) {
    const error = await errorOf(
      await test.request("/runs", from(hostname)),
      403,
    );
    assertEquals(error.code, "forbidden", hostname);
    const page = await test.request("/", from(hostname));
    assertEquals(page.status, 403);
    await page.body?.cancel();
  }
  const health = await test.request("/health", from("10.0.0.2"));
  assertEquals(health.status, 200);
  await health.body?.cancel();
  const unix = await test.request("/runs", {
    info: { remoteAddr: { transport: "unix" } },
  });
  assertEquals(unix.status, 200);
  await unix.body?.cancel();
});

Deno.test("allowRemoteWithoutToken answers remote clients without a token", async () => {
  await using test = testServer({ allowRemoteWithoutToken: true });
  const response = await test.request("/runs", {
    info: { remoteAddr: { transport: "tcp", hostname: "10.0.0.2" } },
  });
  assertEquals(response.status, 200);
  await response.body?.cancel();
});

Deno.test("with a token, remote clients are answered", async () => {
  await using test = testServer({ token: TOKEN });
  const response = await test.request("/runs", {
    headers: bearer(TOKEN),
    info: { remoteAddr: { transport: "tcp", hostname: "10.0.0.2" } },
  });
  assertEquals(response.status, 200);
  await response.body?.cancel();
});

Deno.test("CORS is off unless origins are configured", async () => {
  {
    await using test = testServer();
    const response = await test.request("/runs", {
      headers: { origin: "https://evil.example" },
    });
    assertEquals(response.headers.get("access-control-allow-origin"), null);
    await response.body?.cancel();
  }
  await using test = testServer({
    token: TOKEN,
    corsOrigins: ["https://app.example"],
  });
  const preflight = await test.request("/runs", {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
  assertEquals(preflight.status, 204);
  assertEquals(
    preflight.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  assert(
    preflight.headers.get("access-control-allow-headers")?.includes(
      "Authorization",
    ),
  );
  const other = await test.request("/runs", {
    headers: { origin: "https://evil.example", ...bearer(TOKEN) },
  });
  assertEquals(other.headers.get("access-control-allow-origin"), null);
  await other.body?.cancel();
  // Error answers carry the CORS headers too, so a page can read them.
  const denied = await test.request("/runs", {
    headers: { origin: "https://app.example" },
  });
  assertEquals(
    denied.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  await errorOf(denied, 401);
});

Deno.test("createServer refuses a weak token and a malformed origin", () => {
  for (
    const token of [
      "",
      "short",
      "has spaces in the token",
      "naïve-token-0123456789",
    ]
  ) {
    assertThrows(
      () => testServer({ token }),
      TypeError,
      "Invalid token",
    );
  }
  assertThrows(
    () => testServer({ corsOrigins: ["app.example"] }),
    TypeError,
    "Invalid CORS origin",
  );
});

Deno.test("isLoopback knows loopback names and addresses", () => {
  for (const host of ["localhost", "127.0.0.1", "::1", "[::1]", "LOCALHOST"]) {
    assert(isLoopback(host), host);
  }
  for (
    const host of ["0.0.0.0", "::", "10.1.1.1", "example.com", "128.0.0.1"]
  ) {
    assert(!isLoopback(host), host);
  }
});
