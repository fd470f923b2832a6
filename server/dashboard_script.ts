/**
 * The dashboard's script, sent as `/dashboard.js`: plain browser
 * JavaScript, no build step. It lists the workflows, starts runs, follows
 * each running one's event stream (read with `fetch`, so it can send the
 * token, and resumed with `Last-Event-ID` after a dropped connection) to
 * drive its progress bar, and cancels and resizes runs. Every value from
 * the server goes into the page as text, never as HTML.
 *
 * @module
 */

/** The script's source. */
export const DASHBOARD_SCRIPT = `"use strict";
(function () {
  var TERMINAL = ["succeeded", "completed-with-failures", "failed", "stopped", "aborted"];
  var runs = new Map();
  var token = sessionStorage.getItem("poolflow-token") || "";

  function $(id) { return document.getElementById(id); }

  function el(tag, attributes) {
    var node = document.createElement(tag);
    for (var key in attributes || {}) {
      var value = attributes[key];
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child !== undefined && child !== null) {
        node.append(child);
      }
    }
    return node;
  }

  function say(text) { $("message").textContent = text || ""; }

  function headers(extra) {
    var result = Object.assign({}, extra || {});
    if (token) result.Authorization = "Bearer " + token;
    return result;
  }

  async function api(path, options) {
    options = options || {};
    var init = { method: options.method || "GET", headers: headers(options.headers) };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers["Content-Type"] = "application/json";
    }
    var response = await fetch(path, init);
    if (response.status === 401) {
      $("token-form").hidden = false;
      say("This server needs a token.");
      throw new Error("unauthorized");
    }
    var body = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      var error = body && body.error;
      say(error ? error.message : "Request failed: " + response.status);
      throw new Error(error ? error.code : String(response.status));
    }
    return body;
  }

  // ------------------------------------------------------------ workflows

  function renderWorkflows(list) {
    var container = $("workflow-list");
    container.replaceChildren();
    list.forEach(function (workflow) {
      var inputs = {};
      var form = el("form", { class: "card", "data-workflow": workflow.name },
        el("h3", { text: workflow.name }),
        workflow.description ? el("p", { text: workflow.description }) : null);
      Object.keys(workflow.params).forEach(function (name) {
        var spec = workflow.params[name];
        var input = spec.type === "boolean"
          ? el("input", { type: "checkbox", name: name, checked: spec.default === true })
          : el("input", {
            type: spec.type === "number" ? "number" : "text",
            name: name,
            value: spec.default === undefined ? "" : spec.default,
            required: spec.default === undefined,
          });
        inputs[name] = { input: input, spec: spec };
        form.append(el("label", { title: spec.description || "" }, name + " ", input));
      });
      var concurrency = el("input", { type: "number", name: "concurrency", min: 1, placeholder: "default" });
      form.append(el("label", {}, "concurrency ", concurrency));
      form.append(el("button", { type: "submit", "data-action": "start", text: "Start" }));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var params = {};
        Object.keys(inputs).forEach(function (name) {
          var entry = inputs[name];
          if (entry.spec.type === "boolean") params[name] = entry.input.checked;
          else if (entry.input.value !== "") {
            params[name] = entry.spec.type === "number" ? Number(entry.input.value) : entry.input.value;
          }
        });
        var body = { workflow: workflow.name, params: params };
        if (concurrency.value !== "") body.concurrency = Number(concurrency.value);
        api("/runs", { method: "POST", body: body }).then(function (created) {
          say("");
          return api(created.links.self).then(function (run) {
            upsertRun(run);
            follow(run.id);
          });
        }).catch(function () {});
      });
      container.append(form);
    });
  }

  // ------------------------------------------------------------ runs

  function percentOf(run) {
    if (run.status === "succeeded" || run.status === "completed-with-failures") return 100;
    var progress = run.progress;
    if (!progress || !progress.total) return undefined;
    var percent = Math.floor((progress.done / progress.total) * 100);
    return TERMINAL.indexOf(run.status) === -1 ? Math.min(99, percent) : percent;
  }

  function upsertRun(run) {
    var state = runs.get(run.id);
    if (!state) {
      state = { run: run, lastEventId: 0, controller: null, stages: [] };
      runs.set(run.id, state);
    } else {
      var ended = TERMINAL.indexOf(state.run.status) !== -1;
      // An answer sent before the run ended must not undo its end.
      if (ended && run.status !== undefined && TERMINAL.indexOf(run.status) === -1) return state;
      state.run = Object.assign({}, state.run, run);
    }
    if (run.stats) state.stages = run.stats.stages;
    render(state);
    return state;
  }

  /** Downloads a run's results as JSON lines, with the token. */
  async function download(run) {
    try {
      var response = await fetch(run.links.results, { headers: headers() });
      if (!response.ok) throw new Error("status " + response.status);
      var url = URL.createObjectURL(await response.blob());
      var link = el("a", { href: url, download: "run-" + run.id + ".jsonl" });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    } catch (error) {
      say("Cannot download the results: " + error.message);
    }
  }

  /** Builds a run's row once; later renders update it in place. */
  function buildRow(state) {
    var id = state.run.id;
    var parts = {
      row: el("tr", { "data-run-id": id, "data-workflow": state.run.workflow }),
      workflow: el("td"),
      status: el("td"),
      bar: el("progress", { max: 100, "aria-label": "progress of run " + id }),
      percent: el("span"),
      items: el("td"),
      stages: el("td", { class: "stages" }),
      stageNames: "",
      controls: {},
      cancel: el("button", {
        type: "button", "data-action": "cancel", text: "Cancel",
        onclick: function () {
          api(state.run.links.cancel, { method: "POST" }).then(function (detail) {
            say("");
            upsertRun(detail);
          }).catch(function () {});
        },
      }),
      results: el("button", {
        type: "button", "data-action": "results", text: "Results",
        onclick: function () { download(state.run); },
      }),
    };
    parts.row.append(
      el("td", { class: "id", title: id },
        el("a", { href: "/dashboard/runs/" + encodeURIComponent(id), "data-action": "open", text: id.slice(0, 8) })),
      parts.workflow,
      parts.status,
      el("td", {}, parts.bar, parts.percent),
      parts.items,
      parts.stages,
      el("td", {}, parts.cancel, " ", parts.results));
    $("run-list").prepend(parts.row);
    return parts;
  }

  function stageControl(state, stage) {
    var label = el("span");
    var size = el("input", {
      type: "number", min: 0, "data-stage": stage.name, "aria-label": "concurrency of " + stage.name,
    });
    var button = el("button", {
      type: "button", "data-action": "resize", "data-stage": stage.name, text: "Resize",
      onclick: function () {
        var sizes = {};
        sizes[stage.name] = Number(size.value);
        api("/runs/" + encodeURIComponent(state.run.id), { method: "PATCH", body: { concurrency: sizes } })
          .then(function (detail) { say(""); size.dataset.edited = ""; upsertRun(detail); })
          .catch(function () {});
      },
    });
    size.addEventListener("input", function () { size.dataset.edited = "yes"; });
    return { node: el("div", { class: "stage" }, label, size, button), label: label, size: size, button: button };
  }

  function render(state) {
    var run = state.run;
    var parts = state.parts || (state.parts = buildRow(state));
    var finished = TERMINAL.indexOf(run.status) !== -1;
    var percent = percentOf(run);
    parts.row.setAttribute("data-status", run.status);
    parts.workflow.textContent = run.workflow;
    parts.status.className = "status status-" + run.status;
    parts.status.textContent = run.status;
    if (percent === undefined) parts.bar.removeAttribute("value");
    else parts.bar.value = percent;
    parts.bar.setAttribute("data-percent", percent === undefined ? "" : String(percent));
    parts.percent.textContent = percent === undefined ? "" : " " + percent + "%";
    parts.items.textContent = run.read + " read, " + run.written + " written, " + run.failed + " failed";
    parts.cancel.disabled = finished;
    var stages = state.stages.filter(function (stage) { return stage.kind !== "batch"; });
    var names = stages.map(function (stage) { return stage.name; }).join("\\n");
    if (names !== parts.stageNames) {
      parts.stageNames = names;
      parts.controls = {};
      parts.stages.replaceChildren();
      stages.forEach(function (stage) {
        var control = stageControl(state, stage);
        parts.controls[stage.name] = control;
        parts.stages.append(control.node);
      });
    }
    stages.forEach(function (stage) {
      var control = parts.controls[stage.name];
      control.label.textContent = stage.name + " " + stage.running + "/" + stage.concurrency;
      if (control.size.dataset.edited !== "yes" && document.activeElement !== control.size) {
        control.size.value = String(stage.concurrency);
      }
      control.size.disabled = finished;
      control.button.disabled = finished;
    });
  }

  function applyEvent(state, type, data) {
    var run = state.run;
    if (type === "progress") {
      var stats = data.stats;
      state.stages = stats.stages;
      upsertRun({
        id: run.id, progress: stats.progress, read: stats.read, written: stats.written,
        failed: stats.deadLetters, status: stats.state === "running" ? "running" : "stopping",
      });
    } else if (type === "stage-resized") {
      state.stages = state.stages.map(function (stage) {
        return stage.name === data.stage ? Object.assign({}, stage, { concurrency: data.to }) : stage;
      });
      render(state);
    } else if (type === "run-finished") {
      var summary = data.summary;
      state.stages = summary.stages;
      upsertRun({
        id: run.id, status: summary.status, read: summary.read, written: summary.written,
        failed: summary.failed, finishedAt: summary.finishedAt,
      });
    }
  }

  /** Follows a run's events with fetch, resuming with Last-Event-ID. */
  async function follow(id) {
    var state = runs.get(id);
    if (!state || state.controller) return;
    state.controller = new AbortController();
    var decoder = new TextDecoder();
    while (TERMINAL.indexOf(state.run.status) === -1) {
      try {
        var response = await fetch(state.run.links.events, {
          headers: headers({ "Last-Event-ID": String(state.lastEventId), Accept: "text/event-stream" }),
          signal: state.controller.signal,
        });
        if (response.status === 204) break;
        if (!response.ok || !response.body) throw new Error("status " + response.status);
        var reader = response.body.getReader();
        var buffer = "";
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
            if (eventId !== null) state.lastEventId = eventId;
            if (data) applyEvent(state, type, JSON.parse(data));
          }
        }
      } catch (error) {
        if (state.controller.signal.aborted) break;
        await new Promise(function (resolve) { setTimeout(resolve, 1000); });
      }
    }
    state.controller = null;
  }

  async function refresh() {
    var body = await api("/runs");
    body.runs.slice().reverse().forEach(function (run) {
      var state = upsertRun(run);
      if (TERMINAL.indexOf(run.status) === -1) follow(state.run.id);
    });
  }

  async function start() {
    try {
      var body = await api("/workflows");
      $("token-form").hidden = true;
      renderWorkflows(body.workflows);
      await refresh();
    } catch (error) {
      // The message says why.
    }
  }

  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("token").value;
    sessionStorage.setItem("poolflow-token", token);
    say("");
    start();
  });
  setInterval(function () {
    if ($("token-form").hidden) refresh().catch(function () {});
  }, 5000);
  start();
})();
`;
