/**
 * The run page's script, sent as `/run_page.js`: plain browser
 * JavaScript, no build step. It draws the run from
 * `GET /runs/:id/dashboard` with the chart functions of `/charts.js`,
 * pages through `GET /runs/:id/failures`, and, while the run goes, follows
 * `GET /runs/:id/events` (read with `fetch`, so it can send the token) to
 * fill the event log and redraw. Every value from the server goes into
 * the page as text or as an attribute, never as HTML.
 *
 * @module
 */

/** The script's source. */
export const RUN_PAGE_SCRIPT = `"use strict";
(function () {
  var TERMINAL = ["succeeded", "completed-with-failures", "failed", "stopped", "aborted"];
  var SVG = "http://www.w3.org/2000/svg";
  var PAGE = 10;
  var MAX_LOG = 500;
  var id = decodeURIComponent(location.pathname.split("/").pop() || "");
  var base = "/runs/" + encodeURIComponent(id);
  var token = sessionStorage.getItem("poolflow-token") || "";
  var offset = 0;
  var lastEventId = 0;
  var status = "";
  var redrawing = null;
  var following = false;

  function $(name) { return document.getElementById(name); }
  function say(text) { $("message").textContent = text || ""; }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    if (className) td.className = className;
    return td;
  }

  function toDom(node) {
    var element = document.createElementNS(SVG, node.tag);
    Object.keys(node.attrs).forEach(function (key) { element.setAttribute(key, String(node.attrs[key])); });
    if (node.text) element.textContent = node.text;
    (node.children || []).forEach(function (child) { element.append(toDom(child)); });
    return element;
  }

  function ms(value) { return shortNumber(value) + " ms"; }

  function headers(extra) {
    var result = Object.assign({}, extra || {});
    if (token) result.Authorization = "Bearer " + token;
    return result;
  }

  async function api(path) {
    var response = await fetch(path, { headers: headers() });
    if (response.status === 401) {
      $("token-form").hidden = false;
      say("This server needs a token.");
      throw new Error("unauthorized");
    }
    var body = await response.json();
    if (!response.ok) {
      say(body && body.error ? body.error.message : "Request failed: " + response.status);
      throw new Error(String(response.status));
    }
    return body;
  }

  function renderRun(run) {
    status = run.status;
    document.body.setAttribute("data-status", run.status);
    $("workflow").textContent = run.workflow;
    $("status").textContent = run.status;
    $("status").className = "status status-" + run.status;
    var s = run.stats;
    $("counts").textContent = s.read + " read, " + s.written + " written, " + s.deadLetters +
      " failed, " + shortNumber(s.elapsedMs / 1000) + " s" +
      (run.summary ? ", " + shortNumber(run.summary.throughput) + " items/s overall" : "");
    $("run-error").textContent = run.summary && run.summary.error
      ? run.summary.error.name + ": " + run.summary.error.message : "";
    var points = run.series.points.map(function (p) { return { x: p.atMs / 1000, y: p.rate }; });
    $("throughput").replaceChildren(toDom(lineChart(points, {
      title: "Items written per second, by " + shortNumber(run.series.bucketMs / 1000) + " s",
      width: 720, height: 180,
    })));
    var latency = {};
    run.latency.forEach(function (l) { latency[l.stage] = l; });
    $("stage-list").replaceChildren.apply($("stage-list"), s.stages.map(function (stage) {
      var l = latency[stage.name];
      var row = document.createElement("tr");
      row.setAttribute("data-stage", stage.name);
      row.append(cell(stage.name), cell(stage.in), cell(stage.out), cell(stage.failed),
        cell(stage.running, "running"), cell(stage.queued, "queued"), cell(stage.concurrency),
        cell(l && l.count ? ms(l.p50) : "–", "p50"), cell(l && l.count ? ms(l.p90) : "–", "p90"),
        cell(l && l.count ? ms(l.p99) : "–", "p99"), cell(l && l.count ? ms(l.max) : "–"));
      return row;
    }));
    $("histograms").replaceChildren.apply($("histograms"), run.latency.map(function (l) {
      var bars = l.counts.map(function (n, i) {
        return { label: i < l.boundsMs.length ? "≤" + shortNumber(l.boundsMs[i]) : "more", value: n };
      });
      var figure = document.createElement("figure");
      figure.setAttribute("data-stage", l.stage);
      var caption = document.createElement("figcaption");
      caption.textContent = l.stage + ": " + l.count + " attempts timed" + (l.errors ? ", " + l.errors + " threw" : "");
      figure.append(caption, toDom(barChart(bars, { title: "Latency of " + l.stage, width: 480, height: 150 })));
      return figure;
    }));
  }

  async function loadFailures() {
    var page = await api(base + "/failures?offset=" + offset + "&limit=" + PAGE);
    $("failure-total").textContent = "(" + page.total + (page.dropped ? ", " + page.dropped + " outcomes not kept" : "") + ")";
    $("failure-list").replaceChildren.apply($("failure-list"), page.failures.map(function (f, i) {
      var row = document.createElement("tr");
      row.className = "failure";
      row.append(cell(page.offset + i + 1), cell(f.stage), cell(f.attempts), cell(f.error, "error-text"),
        cell(JSON.stringify(f.input), "input"));
      return row;
    }));
    $("failure-range").textContent = page.total === 0 ? "none"
      : (page.offset + 1) + "–" + (page.offset + page.failures.length) + " of " + page.total;
    $("failures-prev").disabled = page.offset === 0;
    $("failures-next").disabled = page.offset + page.failures.length >= page.total;
  }

  async function redraw() {
    renderRun(await api(base + "/dashboard"));
    await loadFailures();
  }

  /** At most one redraw at a time, and one more if asked meanwhile. */
  function scheduleRedraw() {
    if (redrawing) { redrawing.again = true; return; }
    redrawing = { again: false };
    setTimeout(function () {
      redraw().catch(function () {}).finally(function () {
        var again = redrawing.again;
        redrawing = null;
        if (again) scheduleRedraw();
      });
    }, 250);
  }

  function describe(type, data) {
    switch (type) {
      case "progress": return data.stats.written + " written, " + data.stats.deadLetters + " failed";
      case "item-failed": return data.stage + " #" + data.index + " after " + data.attempts + " attempt(s): " + data.error;
      case "item-retried": return data.stage + " #" + data.index + " attempt " + data.attempt + ": " + data.error;
      case "stage-resized": return data.stage + " " + data.from + " → " + data.to;
      case "run-finished": return data.summary.status + ", " + data.summary.written + " written, " + data.summary.failed + " failed";
      case "lagged": return data.dropped + " events dropped from the replay buffer";
      default: return "";
    }
  }

  function logEvent(eventId, type, data) {
    var item = document.createElement("li");
    item.className = "event event-" + type;
    if (eventId !== null) item.value = eventId;
    item.textContent = type + (describe(type, data) ? ": " + describe(type, data) : "");
    var log = $("event-log");
    log.append(item);
    while (log.children.length > MAX_LOG) log.firstElementChild.remove();
    $("event-count").textContent = "(" + (eventId === null ? log.children.length : eventId) + ")";
  }

  async function follow() {
    if (following) return;
    following = true;
    var decoder = new TextDecoder();
    while (true) {
      try {
        var response = await fetch(base + "/events", {
          headers: headers({ "Last-Event-ID": String(lastEventId), Accept: "text/event-stream" }),
        });
        if (response.status === 204) break;
        if (!response.ok || !response.body) throw new Error("status " + response.status);
        var reader = response.body.getReader();
        var buffer = "";
        var finished = false;
        while (true) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true });
          var end;
          while ((end = buffer.indexOf("\\n\\n")) !== -1) {
            var frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            var type = "message";
            var data = "";
            var eventId = null;
            frame.split("\\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) type = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
              else if (line.indexOf("id: ") === 0) eventId = Number(line.slice(4));
            });
            if (eventId !== null) lastEventId = eventId;
            if (!data) continue;
            logEvent(eventId, type, JSON.parse(data));
            if (type === "run-finished") finished = true;
            if (TERMINAL.indexOf(status) === -1 || finished) scheduleRedraw();
          }
        }
        if (finished) break;
      } catch (error) {
        await new Promise(function (resolve) { setTimeout(resolve, 1000); });
      }
    }
    following = false;
    scheduleRedraw();
  }

  async function start() {
    $("run-id").textContent = id;
    try {
      await redraw();
      $("token-form").hidden = true;
      follow();
    } catch (error) {
      // The message says why.
    }
  }

  $("failures-prev").addEventListener("click", function () {
    offset = Math.max(0, offset - PAGE);
    loadFailures().catch(function () {});
  });
  $("failures-next").addEventListener("click", function () {
    offset += PAGE;
    loadFailures().catch(function () {});
  });
  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("token").value;
    sessionStorage.setItem("poolflow-token", token);
    say("");
    start();
  });
  start();
})();
`;
