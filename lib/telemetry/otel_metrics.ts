/**
 * The run metrics as OpenTelemetry observable instruments: read from the
 * totals only when a reader collects, so a run pays nothing for them.
 *
 * @module
 */

import type { Meter, ObservableResult } from "npm:@opentelemetry/api@1.10.0";
import type { TotalsSnapshot } from "./totals.ts";

/**
 * Registers the counters and gauges of runs on `meter`.
 *
 * @param meter Where the instruments live.
 * @param snapshot Reads the totals now.
 */
export function registerRunMetrics(
  meter: Meter,
  snapshot: () => TotalsSnapshot,
): void {
  const observe = (
    read: (totals: TotalsSnapshot, result: ObservableResult) => void,
  ) =>
  (result: ObservableResult): void => read(snapshot(), result);

  meter.createObservableCounter("poolflow.stage.items", {
    description:
      "Items a stage finished, by outcome: succeeded or failed (after retries)",
    unit: "{item}",
  }).addCallback(observe((totals, result) => {
    for (const s of totals.stages) {
      const where = {
        "poolflow.workflow": s.workflow,
        "poolflow.stage": s.stage,
      };
      result.observe(s.succeeded, {
        ...where,
        "poolflow.outcome": "succeeded",
      });
      result.observe(s.failed, { ...where, "poolflow.outcome": "failed" });
    }
  }));
  meter.createObservableCounter("poolflow.stage.retries", {
    description: "Retries a stage scheduled",
    unit: "{retry}",
  }).addCallback(observe((totals, result) => {
    for (const s of totals.stages) {
      result.observe(s.retried, {
        "poolflow.workflow": s.workflow,
        "poolflow.stage": s.stage,
      });
    }
  }));
  meter.createObservableGauge("poolflow.stage.tasks.running", {
    description: "Tasks in flight now",
    unit: "{task}",
  }).addCallback(observe((totals, result) => {
    for (const s of totals.stages) {
      result.observe(s.running, {
        "poolflow.workflow": s.workflow,
        "poolflow.stage": s.stage,
      });
    }
  }));
  meter.createObservableGauge("poolflow.stage.items.queued", {
    description: "Finished items waiting for the next stage now",
    unit: "{item}",
  }).addCallback(observe((totals, result) => {
    for (const s of totals.stages) {
      result.observe(s.queued, {
        "poolflow.workflow": s.workflow,
        "poolflow.stage": s.stage,
      });
    }
  }));
  meter.createObservableCounter("poolflow.source.items", {
    description: "Items read from sources, invalid records included",
    unit: "{item}",
  }).addCallback(observe((totals, result) => {
    for (const w of totals.workflows) {
      result.observe(w.read, { "poolflow.workflow": w.workflow });
    }
  }));
  meter.createObservableCounter("poolflow.sink.items", {
    description: "Items written to sinks",
    unit: "{item}",
  }).addCallback(observe((totals, result) => {
    for (const w of totals.workflows) {
      result.observe(w.written, { "poolflow.workflow": w.workflow });
    }
  }));
  meter.createObservableCounter("poolflow.dead_letters", {
    description: "Items that failed for good anywhere in a run",
    unit: "{item}",
  }).addCallback(observe((totals, result) => {
    for (const w of totals.workflows) {
      result.observe(w.failed, { "poolflow.workflow": w.workflow });
    }
  }));
  meter.createObservableCounter("poolflow.runs", {
    description: "Finished runs, by status",
    unit: "{run}",
  }).addCallback(observe((totals, result) => {
    for (const w of totals.workflows) {
      for (const [status, n] of Object.entries(w.runs)) {
        result.observe(n, {
          "poolflow.workflow": w.workflow,
          "poolflow.run.status": status,
        });
      }
    }
  }));
  meter.createObservableGauge("poolflow.runs.active", {
    description: "Runs in progress now",
    unit: "{run}",
  }).addCallback(observe((totals, result) => {
    for (const w of totals.workflows) {
      result.observe(w.active, { "poolflow.workflow": w.workflow });
    }
  }));
}
