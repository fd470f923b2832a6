/**
 * The dashboard's page and style: plain HTML and CSS, no build step. The
 * page holds no data; its script ({@linkcode DASHBOARD_SCRIPT}) asks the
 * API for everything, with the token the user types (kept in the tab's
 * session storage), so the page itself can be served without one.
 *
 * @module
 */

export { DASHBOARD_SCRIPT } from "./dashboard_script.ts";

/** The Content-Security-Policy of the dashboard: only its own files. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The dashboard's HTML page. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>poolflow</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>poolflow</h1>
  <form id="token-form" hidden>
    <label>Token <input id="token" type="password" autocomplete="off" required></label>
    <button type="submit">Use token</button>
  </form>
  <p id="message" role="status" aria-live="polite"></p>
</header>
<main>
  <section aria-labelledby="workflows-title">
    <h2 id="workflows-title">Workflows</h2>
    <div id="workflow-list" class="cards"></div>
  </section>
  <section aria-labelledby="runs-title">
    <h2 id="runs-title">Runs</h2>
    <table>
      <thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Progress</th><th>Items</th><th>Stages</th><th></th></tr></thead>
      <tbody id="run-list"></tbody>
    </table>
  </section>
</main>
</body>
</html>
`;

/** The dashboard's style sheet. */
export const DASHBOARD_CSS =
  `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem; }
header { display: flex; gap: 1.5rem; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
#message { margin: 0; color: #b45309; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #8884; border-radius: 0.5rem; padding: 0.75rem 1rem; min-width: 16rem; }
.card h3 { margin: 0 0 0.25rem; font-size: 1rem; }
.card p { margin: 0 0 0.5rem; opacity: 0.8; }
.card label { display: block; margin: 0.25rem 0; }
input[type=number] { width: 5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #8883; vertical-align: top; }
td.id { font-family: ui-monospace, monospace; font-size: 0.85rem; }
progress { width: 10rem; }
.stage { display: flex; gap: 0.25rem; align-items: center; margin-bottom: 0.2rem; white-space: nowrap; }
.status-running, .status-stopping { color: #2563eb; }
.status-succeeded { color: #15803d; }
.status-completed-with-failures, .status-stopped { color: #b45309; }
.status-failed, .status-aborted { color: #b91c1c; }
button { cursor: pointer; }
`;
