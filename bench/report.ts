/**
 * Turns the child samples into markdown: a table per workload, then a
 * verdict line per target of `mapConcurrent`.
 *
 * @module
 */

import { BASELINE, PEERS, SUBJECT } from "./peers.ts";
import type { Sample } from "./spawn.ts";
import { CHECKPOINT, type Metrics } from "./workloads.ts";

/** Inputs of the lazy W3 run; the others run 1M and 2M separately. */
export const W3_ITEMS = 5_000_000;
/** Input counts of the two W3 runs of a peer that is not lazy. */
export const W3_EAGER_ITEMS: readonly [number, number] = [1_000_000, 2_000_000];

const W1_TARGET = 1.3;
const W1_HAND_TARGET = 0.85;
const W2_TARGET = 1.03;
const W2_IDEAL_MS = 200;
const W3_TARGET_MB = 5;

function num(x: number | undefined, digits = 0): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  return x.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const ratio = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(2)}x`;

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[mid] ?? NaN
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)]
    .join("\n");
}

/** The samples of one pair: metrics of the good runs, the first error. */
function pick(samples: Sample[], workload: string, peer: string, n?: number) {
  const mine = samples.filter((s) =>
    s.workload === workload && s.peer === peer && s.n === n
  );
  const runs = mine.flatMap((s) => s.metrics ? [s.metrics] : []);
  const error = mine.find((s) => s.error !== undefined)?.error;
  return { runs, error };
}

const get = (m: Metrics | undefined, key: string) => m?.[key] ?? NaN;
const bestBy = (runs: Metrics[], key: string, sign: 1 | -1) =>
  runs.reduce<Metrics | undefined>(
    (best, m) =>
      best === undefined || sign * get(m, key) > sign * get(best, key)
        ? m
        : best,
    undefined,
  );
const maxOf = (runs: Metrics[], key: string) =>
  Math.max(...runs.map((m) => get(m, key)));
const errorRow = (name: string, width: number, error: string) => [
  name,
  `error: ${error.slice(0, 80)}`,
  ...Array<string>(width - 2).fill(""),
];

// The contenders of this report, set by renderReport.
let names = Object.keys(PEERS);
let peerLibraries: string[] = [];

/** A target of `mapConcurrent` and whether it was met. */
interface Verdict {
  readonly line: string;
}

function verdict(name: string, met: boolean | undefined, detail: string) {
  const state = met === undefined ? "UNKNOWN" : met ? "met" : "NOT MET";
  return { line: `- **${name}: ${state}** — ${detail}` };
}

function w1(samples: Sample[]): [string, Verdict] {
  // Medians: the runs share a loaded machine, and a best-of flatters noise.
  const rate = new Map(names.map((n) => {
    const { runs } = pick(samples, "W1", n);
    return [n, median(runs.map((m) => get(m, "tasksPerSec")))];
  }));
  const [fastest, fastestRate] = peerLibraries
    .map((n) => [n, rate.get(n) ?? NaN] as const)
    .reduce((a, b) => (b[1] > a[1] ? b : a), ["none", -Infinity] as const);
  const handRate = rate.get(BASELINE) ?? NaN;
  const subjectRate = rate.get(SUBJECT) ?? NaN;
  const rows = names.map((n) => {
    const { runs, error } = pick(samples, "W1", n);
    if (!runs.length) return errorRow(n, 7, error ?? "no run");
    const r = rate.get(n) ?? NaN;
    return [
      n,
      num(r),
      num(get(bestBy(runs, "tasksPerSec", 1), "tasksPerSec")),
      ratio(subjectRate / r),
      ratio(r / handRate),
      ratio(r / fastestRate),
      num(maxOf(runs, "peakRssMb"), 1),
    ];
  });
  const subject = subjectRate / fastestRate;
  const vsHand = subjectRate / handRate;
  const pairedHand = pairedRatio(samples, SUBJECT, BASELINE);
  const pairedPeer = pairedRatio(samples, SUBJECT, fastest);
  const met = Number.isFinite(subject) && Number.isFinite(vsHand)
    ? subject >= W1_TARGET && vsHand >= W1_HAND_TARGET
    : undefined;
  return [
    table([
      "library",
      "tasks/s (median)",
      "tasks/s (best)",
      `${SUBJECT} vs it`,
      `vs ${BASELINE}`,
      `vs fastest peer (${fastest})`,
      "peak RSS MB (max)",
    ], rows),
    verdict(
      "W1 throughput",
      met,
      `${SUBJECT} ${num(subjectRate)} tasks/s (median) = ${
        ratio(subject)
      } the fastest peer library (${fastest}, ${
        num(fastestRate)
      } tasks/s; target >= ${W1_TARGET}x) and ${
        ratio(vsHand)
      } the ${BASELINE} (${
        num(handRate)
      } tasks/s; target >= ${W1_HAND_TARGET}x). Paired by round (runs next to each other in time, less exposed to a shared machine's load), the median ratios are ${
        ratio(pairedPeer)
      } the fastest peer and ${ratio(pairedHand)} the ${BASELINE}.`,
    ),
  ];
}

/**
 * The median over rounds of `a`'s W1 rate over `b`'s in the same round:
 * the runs go round-robin, so the k-th run of each was made at about the
 * same time and under about the same load.
 */
function pairedRatio(samples: Sample[], a: string, b: string): number {
  const rates = (peer: string) =>
    samples.filter((s) => s.workload === "W1" && s.peer === peer)
      .map((s) => get(s.metrics, "tasksPerSec"));
  const [ra, rb] = [rates(a), rates(b)];
  const ratios = ra.flatMap((x, k) => {
    const y = rb[k] ?? NaN;
    return Number.isFinite(x / y) ? [x / y] : [];
  });
  return ratios.length ? median(ratios) : NaN;
}

function w2(samples: Sample[]): [string, Verdict] {
  const bestWall = (n: string) =>
    get(bestBy(pick(samples, "W2", n).runs, "wallMs", -1), "wallMs");
  const base = bestWall(BASELINE);
  const rows = names.map((n) => {
    const { runs, error } = pick(samples, "W2", n);
    if (!runs.length) return errorRow(n, 6, error ?? "no run");
    const wall = bestWall(n);
    return [
      n,
      num(wall, 1),
      num(median(runs.map((m) => get(m, "wallMs"))), 1),
      ratio(wall / W2_IDEAL_MS),
      ratio(wall / base),
      num(maxOf(runs, "peakRssMb"), 1),
    ];
  });
  const subject = bestWall(SUBJECT) / base;
  return [
    table([
      "library",
      "wall ms (best)",
      "wall ms (median)",
      `vs ideal ${W2_IDEAL_MS} ms`,
      "vs baseline",
      "peak RSS MB (max)",
    ], rows),
    verdict(
      "W2 latency-bound wall time",
      Number.isFinite(subject) ? subject <= W2_TARGET : undefined,
      `${SUBJECT} ${num(bestWall(SUBJECT), 1)} ms vs baseline ${
        num(base, 1)
      } ms (${((subject - 1) * 100).toFixed(1)}%); target within +${
        ((W2_TARGET - 1) * 100).toFixed(0)
      }%.`,
    ),
  ];
}

function w3(samples: Sample[]): [string, Verdict] {
  const millions = (W3_ITEMS - CHECKPOINT) / 1e6;
  let subjectGrowth = NaN;
  const rows = names.map((n) => {
    if (PEERS[n]?.lazy) {
      const { runs, error } = pick(samples, "W3", n);
      const m = runs[0];
      if (!m) return errorRow(n, 8, error ?? "no run");
      const growth = (get(m, "rssAtEnd") - get(m, "rssAtCheckpoint")) /
        millions;
      if (n === SUBJECT) subjectGrowth = growth;
      return [
        n,
        "lazy: one 5M run, RSS after GC",
        num(get(m, "rssAtCheckpoint"), 1),
        num(get(m, "rssAtEnd"), 1),
        num(growth, 2),
        `${num(get(m, "heapAtCheckpoint"), 1)} / ${
          num(get(m, "heapAtEnd"), 1)
        }`,
        num(get(m, "peakRssMb"), 1),
        num(get(m, "wallMs") / 1000, 2),
      ];
    }
    const [small, large] = W3_EAGER_ITEMS.map((items) =>
      pick(samples, "W3", n, items)
    );
    const a = small?.runs[0];
    const b = large?.runs[0];
    if (!a || !b) {
      return errorRow(n, 8, small?.error ?? large?.error ?? "no run");
    }
    const growth = (get(b, "peakRssMb") - get(a, "peakRssMb")) /
      ((W3_EAGER_ITEMS[1] - W3_EAGER_ITEMS[0]) / 1e6);
    return [
      n,
      "not lazy (holds every input): peak RSS of separate 1M and 2M runs",
      num(get(a, "peakRssMb"), 1),
      `${num(get(b, "peakRssMb"), 1)} (at 2M)`,
      num(growth, 2),
      "n/a",
      num(get(b, "peakRssMb"), 1),
      num(get(b, "wallMs") / 1000, 2),
    ];
  });
  return [
    table([
      "library",
      "method",
      "RSS MB @1M",
      "RSS MB @5M",
      "growth MB per 1M items",
      "V8 heap MB @1M / @5M",
      "peak RSS MB",
      "wall s",
    ], rows),
    verdict(
      "W3 memory growth",
      Number.isFinite(subjectGrowth) ? subjectGrowth < W3_TARGET_MB : undefined,
      `${SUBJECT} grows ${
        num(subjectGrowth, 2)
      } MB per million items (RSS after GC at 1M vs 5M); target < ${W3_TARGET_MB} MB.`,
    ),
  ];
}

function w4(samples: Sample[]): [string, Verdict] {
  const rows = names.map((n) => {
    const { runs, error } = pick(samples, "W4", n);
    const m = runs[0];
    if (!m) return errorRow(n, 6, error ?? "no run");
    return [
      n,
      PEERS[n]?.stopMode ?? "",
      num(get(m, "startedAfterThrow")),
      num(get(m, "startedBeforeSurface")),
      num(get(m, "surfaceMs"), 2),
      num(get(m, "peakRssMb"), 1),
    ];
  });
  const started = get(
    pick(samples, "W4", SUBJECT).runs[0],
    "startedAfterThrow",
  );
  return [
    table([
      "library",
      "stop-on-error mode",
      "tasks started after the throw",
      "of which before the rejection surfaced",
      "throw → rejection ms",
      "peak RSS MB",
    ], rows),
    verdict(
      "W4 fail-fast",
      Number.isFinite(started) ? started === 0 : undefined,
      `${SUBJECT} started ${
        num(started)
      } tasks after task #1000 threw; target 0.`,
    ),
  ];
}

/**
 * The markdown report: a section per workload, then the verdicts.
 *
 * @param samples The child runs.
 * @param contenders The contenders run, in table order.
 * @param workloads The workloads run.
 */
export function renderReport(
  samples: Sample[],
  contenders: string[] = Object.keys(PEERS),
  workloads: ReadonlySet<string> = new Set(["W1", "W2", "W3", "W4"]),
): string {
  names = contenders;
  peerLibraries = names.filter((n) => n !== SUBJECT && PEERS[n]?.library);
  const all: [string, string, (s: Sample[]) => [string, Verdict]][] = [
    [
      "W1",
      "W1: 1,000,000 no-op async tasks, concurrency 100 (median of 3)",
      w1,
    ],
    [
      "W2",
      "W2: 10,000 tasks of a 10 ms timer, concurrency 500 (best of 5)",
      w2,
    ],
    [
      "W3",
      "W3: 5,000,000 no-op tasks from a generator, concurrency 64",
      w3,
    ],
    [
      "W4",
      "W4: 100,000 tasks of a 1 ms timer, concurrency 100, task #1000 throws",
      w4,
    ],
  ];
  const sections: [string, [string, Verdict]][] = all
    .filter(([key]) => workloads.has(key))
    .map(([, title, render]) => [title, render(samples)]);
  const out = sections.map(([title, [md]]) => `### ${title}\n\n${md}`);
  out.push(
    "### Verdicts for mapConcurrent\n\n" +
      sections.map(([, [, v]]) => v.line).join("\n"),
  );
  return out.join("\n\n");
}
