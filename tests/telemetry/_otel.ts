/**
 * In-memory OpenTelemetry for tests: a tracer provider whose spans land in
 * an array, and a meter provider read on demand (no timers).
 *
 * @module
 */

import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { Attributes } from "@opentelemetry/api";

class ManualReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point, flattened. */
export interface Point {
  readonly name: string;
  readonly attributes: Attributes;
  readonly value: number | Histogram;
}

/** Providers and what they collected. */
export interface InMemoryOtel extends AsyncDisposable {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /** Finished spans, after a flush. */
  spans(): Promise<readonly ReadableSpan[]>;
  /** Every data point of every metric, collected now. */
  points(): Promise<readonly Point[]>;
}

/** Sets up in-memory providers; dispose to shut them down. */
export function inMemoryOtel(): InMemoryOtel {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    async spans() {
      await tracerProvider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async points() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      const points: Point[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          for (
            const point of metric.dataPoints as DataPoint<number | Histogram>[]
          ) {
            points.push({
              name: metric.descriptor.name,
              attributes: point.attributes,
              value: point.value,
            });
          }
        }
      }
      return points;
    },
    async [Symbol.asyncDispose]() {
      // The in-memory exporter reports each span on a timer: wait for them.
      await tracerProvider.forceFlush();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The value of the one point of `name` whose attributes include `where`. */
export function valueOf(
  points: readonly Point[],
  name: string,
  where: Attributes = {},
): number | Histogram | undefined {
  const found = points.filter((p) =>
    p.name === name &&
    Object.entries(where).every(([k, v]) => p.attributes[k] === v)
  );
  if (found.length > 1) {
    throw new Error(
      `${found.length} points of ${name} match ${JSON.stringify(where)}`,
    );
  }
  return found[0]?.value;
}
