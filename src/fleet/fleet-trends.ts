/**
 * Fleet trends: two range queries give the fleet's job and latency-bucket increases per step and
 * its queue depth; each step becomes a snapshot fed, in order, to a fresh TrendsDetector, so the
 * trend rules (short vs long window, 3σ spike, least-squares queue slope, `insufficient_data`)
 * are the library's, not a copy of them.
 */
import type { HistogramValue } from '../snapshot/histogram.js';
import type { Series } from '../snapshot/snapshot.js';
import { TrendsDetector } from '../stats/trends.js';
import type { TrendsOptions, TrendsReport } from '../stats/trends-report.js';
import { LATENCY_HISTOGRAM, PART_LABEL, type FleetQueries } from './fleet-queries.js';
import {
  bucketHistograms,
  family,
  parseBound,
  snapshotOf,
  targetOf,
  type Row,
} from './fleet-snapshot.js';
import type { QueryClient } from './query-client.js';

/** Trend settings without a snapshot source; `intervalMs` is the range-query step. */
export type FleetTrendsOptions = Omit<TrendsOptions, 'source' | 'retentionMs'>;

/**
 * Default step: each step's `increase()` needs at least two samples in it, so the step must be
 * well above the scrape (or OTLP push) interval; 60 s suits the usual 15 s scrape.
 */
export const DEFAULT_FLEET_TRENDS_STEP_MS = 60_000;
const DEFAULT_LONG_WINDOW_MS = 30 * 60_000;

function detectorOptions(options: FleetTrendsOptions): TrendsOptions {
  const intervalMs = options.intervalMs ?? DEFAULT_FLEET_TRENDS_STEP_MS;
  const longWindowMs = options.longWindowMs ?? DEFAULT_LONG_WINDOW_MS;
  return { ...options, intervalMs, longWindowMs, retentionMs: longWindowMs + 2 * intervalMs };
}

interface Step {
  jobs: Row[];
  buckets: Row[];
  queue: number | undefined;
}

async function compute(
  client: QueryClient,
  queries: FleetQueries,
  namespace: string,
  options: FleetTrendsOptions,
  at: number,
): Promise<TrendsReport> {
  const settings = detectorOptions(options);
  const stepMs = settings.intervalMs!;
  const stepSeconds = stepMs / 1000;
  // Aligned to the step, so the points (and the answer) only change when a step completes.
  const end = Math.floor(at / stepMs) * stepSeconds;
  const start = end - settings.longWindowMs! / 1000 - stepSeconds;
  const series = (
    await Promise.all(
      queries.trends(stepSeconds).map((q) => client.queryRange(q, start, end, stepSeconds)),
    )
  ).flat();

  const steps = new Map<number, Step>();
  for (let t = start; t <= end + 1e-9; t += stepSeconds) {
    steps.set(Math.round(t * 1000), { jobs: [], buckets: [], queue: undefined });
  }
  const bounds = new Set<number>();
  for (const s of series) {
    const { [PART_LABEL]: part, ...labels } = s.labels;
    if (part === 'latency') {
      const bound = parseBound(labels['le']);
      if (bound !== undefined && bound !== Infinity) bounds.add(bound);
    }
    for (const [time, value] of s.points) {
      const step = steps.get(Math.round(time * 1000));
      if (step === undefined || !Number.isFinite(value)) continue;
      if (part === 'jobs_processed_total') step.jobs.push({ labels, value });
      else if (part === 'latency') step.buckets.push({ labels, value });
      else if (part === 'queue_size') step.queue = value;
    }
  }
  const layout = [...bounds].sort((a, b) => a - b);

  const detector = new TrendsDetector(settings);
  const jobTotals = new Map<string, { labels: Record<string, string>; value: number }>();
  const latencyTotals = new Map<string, { counts: number[]; sum: number }>();
  for (const [time, step] of [...steps].sort((a, b) => a[0] - b[0])) {
    for (const r of step.jobs) {
      const target = targetOf(r.labels);
      const state = r.labels['state'] ?? '';
      const key = `${target}\u0000${state}`;
      const total = jobTotals.get(key) ?? { labels: { target, state }, value: 0 };
      total.value += Math.max(0, r.value);
      jobTotals.set(key, total);
    }
    for (const [target, h] of bucketHistograms(step.buckets, targetOf, new Map(), layout)) {
      const total = latencyTotals.get(target) ?? {
        counts: new Array<number>(layout.length + 1).fill(0),
        sum: 0,
      };
      h.counts.forEach((c, i) => (total.counts[i]! += c));
      latencyTotals.set(target, total);
    }
    const latency: Array<Series<HistogramValue>> = [...latencyTotals].map(([target, t]) => ({
      labels: { target },
      value: {
        boundaries: layout,
        counts: [...t.counts],
        sum: t.sum,
        count: t.counts.reduce((a, b) => a + b, 0),
      },
    }));
    const families = [
      family(
        'jobs_processed_total',
        namespace,
        [...jobTotals.values()].map((t) => ({ labels: { ...t.labels }, value: t.value })),
      ),
      family(LATENCY_HISTOGRAM, namespace, latency),
      family(
        'queue_size',
        namespace,
        step.queue === undefined ? [] : [{ labels: {}, value: step.queue }],
      ),
    ];
    detector.record(snapshotOf(new Date(time), namespace, families, {}));
  }
  return { ...detector.report(), source: 'prometheus' };
}

export const fleetTrends = {
  compute,
  /** Throws the detector's RangeError on invalid settings. */
  check(options: FleetTrendsOptions): void {
    new TrendsDetector(detectorOptions(options));
  },
};
