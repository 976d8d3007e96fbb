/**
 * Query answers turned into the library's own snapshot form, so the fleet's statistics are
 * computed by exactly the code that computes a replica's (target stats, system stats, health
 * score, trends) rather than by a second rendering of the formulas. A fleet snapshot holds
 * window increases in its counters and histograms and fleet-combined values in its gauges.
 */
import { metricDefinition, prometheusName } from '../catalog.js';
import type { HistogramValue } from '../snapshot/histogram.js';
import type { Labels } from '../snapshot/series-key.js';
import {
  MetricsSnapshot,
  type CollectorStatus,
  type MetricFamily,
  type Series,
} from '../snapshot/snapshot.js';
import { PART_LABEL } from './fleet-queries.js';
import type { VectorSample } from './query-client.js';

export interface Row {
  readonly labels: Labels;
  readonly value: number;
}

/** Rows of a combined query by part, the part label removed. */
export function splitParts(samples: readonly VectorSample[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const s of samples) {
    const { [PART_LABEL]: part, ...labels } = s.labels;
    if (part === undefined) continue;
    let rows = out.get(part);
    if (rows === undefined) out.set(part, (rows = []));
    rows.push({ labels, value: s.value });
  }
  return out;
}

export function parseBound(le: string | undefined): number | undefined {
  if (le === undefined) return undefined;
  if (le === '+Inf' || le === 'Inf') return Infinity;
  const bound = Number(le);
  return Number.isNaN(bound) || le.trim() === '' ? undefined : bound;
}

/**
 * Per-key histograms from cumulative `le` rows (`sum by (target, le) (increase(..._bucket))`).
 * Every histogram gets the union of the bounds seen, a missing bound taking the count below it,
 * and counts are made monotonic as PromQL's `histogram_quantile` does (separately extrapolated
 * bucket increases can dip), so quantiles of the result are PromQL's. Keys without a `+Inf`
 * bucket are dropped: their total is unknown.
 */
export function bucketHistograms(
  rows: readonly Row[],
  keyOf: (labels: Labels) => string,
  sums: ReadonlyMap<string, number> = new Map(),
  /** Bounds every histogram gets besides those in `rows` (one layout across several calls). */
  extraBounds: readonly number[] = [],
): Map<string, HistogramValue> {
  const byKey = new Map<string, Map<number, number>>();
  const bounds = new Set<number>(extraBounds);
  for (const r of rows) {
    const bound = parseBound(r.labels['le']);
    if (bound === undefined || !Number.isFinite(r.value)) continue;
    const key = keyOf(r.labels);
    let cumulative = byKey.get(key);
    if (cumulative === undefined) byKey.set(key, (cumulative = new Map()));
    cumulative.set(bound, r.value);
    if (bound !== Infinity) bounds.add(bound);
  }
  const boundaries = [...bounds].sort((a, b) => a - b);
  const out = new Map<string, HistogramValue>();
  for (const [key, cumulative] of byKey) {
    if (!cumulative.has(Infinity)) continue;
    const counts: number[] = [];
    let previous = 0;
    for (const bound of [...boundaries, Infinity]) {
      const value = Math.max(previous, Math.max(0, cumulative.get(bound) ?? previous));
      counts.push(value - previous);
      previous = value;
    }
    out.set(key, { boundaries, counts, sum: sums.get(key) ?? 0, count: previous });
  }
  return out;
}

/** A family of the snapshot, named and described from the catalog. */
export function family(
  name: string,
  namespace: string,
  series: ReadonlyArray<Series<number>> | ReadonlyArray<Series<HistogramValue>>,
): MetricFamily {
  const def = metricDefinition(name);
  return {
    name: prometheusName(def, namespace),
    type: def.kind,
    help: def.description,
    unit: def.unit,
    series,
  };
}

/** Finite rows only: a NaN from a backend (avg of nothing, 0/0) is no value. */
export function finiteSeries(rows: readonly Row[] | undefined): Array<Series<number>> {
  return (rows ?? []).filter((r) => Number.isFinite(r.value));
}

export function targetOf(labels: Labels): string {
  return labels['target'] ?? '';
}

/**
 * Collector status over the fleet: ok only when the collector is up on every replica that
 * reports it; the error names the replicas where it is down. Duration is the fleet's mean
 * collection time over the window.
 */
export function collectorStatuses(
  parts: ReadonlyMap<string, Row[]>,
  instanceLabel: string,
): Record<string, CollectorStatus> {
  const seconds = new Map(
    (parts.get('collector_seconds') ?? []).map((r) => [r.labels['collector'] ?? '', r.value]),
  );
  const down = new Map<string, string[]>();
  for (const r of parts.get('collector_down') ?? []) {
    const name = r.labels['collector'] ?? '';
    let list = down.get(name);
    if (list === undefined) down.set(name, (list = []));
    list.push(r.labels[instanceLabel] ?? 'unnamed replica');
  }
  const out: Record<string, CollectorStatus> = {};
  for (const r of parts.get('collector_up') ?? []) {
    const name = r.labels['collector'];
    if (name === undefined) continue;
    const failing = down.get(name) ?? [];
    const ms = (seconds.get(name) ?? Number.NaN) * 1000;
    const status: CollectorStatus = {
      available: true,
      ok: r.value >= 1 && failing.length === 0,
      durationMs: Number.isFinite(ms) ? ms : 0,
    };
    out[name] = status.ok
      ? status
      : {
          ...status,
          error: `down on ${failing.length || 'some'} replica(s): ${failing.sort().join(', ').slice(0, 300)}`,
        };
  }
  return out;
}

/** A snapshot of the fleet at `at`: counters are window increases, gauges fleet-combined. */
export function snapshotOf(
  at: Date,
  namespace: string,
  families: ReadonlyArray<MetricFamily>,
  collectors: Record<string, CollectorStatus>,
): MetricsSnapshot {
  return new MetricsSnapshot(
    at,
    0,
    new Map(families.map((f) => [f.name, f])),
    collectors,
    namespace,
  );
}
