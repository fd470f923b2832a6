/**
 * The run page, `/dashboard/runs/:id`: plain HTML and CSS like the
 * dashboard's, holding no data (it is served without a token). Its script
 * ({@linkcode RUN_PAGE_SCRIPT}) reads the run's id from the address and
 * asks the API, with the token the user gave the dashboard, for the rest.
 *
 * @module
 */

export { RUN_PAGE_SCRIPT } from "./run_page_script.ts";

/** The run page's HTML (the same for every run). */
export const RUN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>poolflow run</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
<link rel="stylesheet" href="/run_page.css">
<script src="/charts.js" defer></script>
<script src="/run_page.js" defer></script>
</head>
<body>
<header>
  <h1><a href="/">poolflow</a> · run <span id="run-id" class="id"></span></h1>
  <form id="token-form" hidden>
    <label>Token <input id="token" type="password" autocomplete="off" required></label>
    <button type="submit">Use token</button>
  </form>
  <p id="message" role="status" aria-live="polite"></p>
</header>
<main>
  <section aria-labelledby="overview-title">
    <h2 id="overview-title"><span id="workflow"></span> <span id="status" class="status"></span></h2>
    <p id="counts"></p>
    <p id="run-error" class="error"></p>
  </section>
  <section aria-labelledby="throughput-title">
    <h2 id="throughput-title">Throughput (items written per second)</h2>
    <div id="throughput" class="chart-box"></div>
  </section>
  <section aria-labelledby="stages-title">
    <h2 id="stages-title">Stages</h2>
    <table>
      <thead><tr><th>Stage</th><th>In</th><th>Out</th><th>Failed</th><th>In flight</th><th>Queued</th><th>Concurrency</th><th>p50</th><th>p90</th><th>p99</th><th>Max</th></tr></thead>
      <tbody id="stage-list"></tbody>
    </table>
    <h3>Task latency (attempts per bucket, ms)</h3>
    <div id="histograms" class="charts"></div>
  </section>
  <section aria-labelledby="failures-title">
    <h2 id="failures-title">Failures <span id="failure-total"></span></h2>
    <table>
      <thead><tr><th>#</th><th>Stage</th><th>Attempts</th><th>Error</th><th>Input</th></tr></thead>
      <tbody id="failure-list"></tbody>
    </table>
    <p class="pager">
      <button type="button" id="failures-prev">Previous</button>
      <span id="failure-range"></span>
      <button type="button" id="failures-next">Next</button>
    </p>
  </section>
  <section aria-labelledby="events-title">
    <h2 id="events-title">Events <span id="event-count"></span></h2>
    <ol id="event-log" class="event-log"></ol>
  </section>
</main>
</body>
</html>
`;

/** The run page's own style, after the dashboard's. */
export const RUN_PAGE_CSS = `h1 a { color: inherit; text-decoration: none; }
.chart-box, .charts { display: flex; gap: 1rem; flex-wrap: wrap; }
.charts figure { margin: 0; }
.charts figcaption { font-size: 0.85rem; opacity: 0.8; }
svg.chart { font-size: 10px; fill: currentColor; max-width: 100%; height: auto; }
svg.chart .axis, svg.chart .grid { stroke: #8888; }
svg.chart .grid { stroke-dasharray: 2 3; }
svg.chart .line { stroke: #2563eb; stroke-width: 2; }
svg.chart .point { fill: #2563eb; }
svg.chart .bar { fill: #0d9488; }
svg.chart .tick { font-size: 8px; }
.error { color: #b91c1c; }
td.error-text { color: #b91c1c; white-space: pre-wrap; word-break: break-word; max-width: 28rem; }
td.input { font-family: ui-monospace, monospace; font-size: 0.8rem; word-break: break-all; max-width: 16rem; }
.event-log { font-family: ui-monospace, monospace; font-size: 0.8rem; max-height: 20rem; overflow-y: auto; padding-left: 3rem; }
.event-log li { white-space: pre-wrap; word-break: break-word; }
.pager { display: flex; gap: 1rem; align-items: center; }
`;
