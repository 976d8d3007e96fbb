import type { HistogramValue } from '../snapshot/histogram.js';
import { subtractHistogram } from '../snapshot/histogram.js';
import { seriesKey, type Labels } from '../snapshot/series-key.js';
import type { MetricsSnapshot, Series } from '../snapshot/snapshot.js';

/** Counters whose window deltas feed the statistics. */
export const WINDOW_COUNTERS = [
  'jobs_processed_total',
  'publisher_errors_total',
  'retry_attempts_total',
] as const;
export type WindowCounter = (typeof WINDOW_COUNTERS)[number];

/** Histograms whose window deltas feed the statistics. */
export const WINDOW_HISTOGRAMS = ['job_duration_seconds'] as const;
export type WindowHistogram = (typeof WINDOW_HISTOGRAMS)[number];

/**
 * The cumulative values of one snapshot that a later one subtracts: only the window counters and
 * histograms plus the DLQ total, so keeping a few of these costs a fraction of whole snapshots.
 */
export interface CumulativeState {
  /** Unix milliseconds of the snapshot. */
  readonly at: number;
  readonly counters: ReadonlyMap<WindowCounter, ReadonlyMap<string, Series<number>>>;
  readonly histograms: ReadonlyMap<WindowHistogram, ReadonlyMap<string, Series<HistogramValue>>>;
  /** Sum of `dlq_size` over targets (a gauge), or undefined when no queue is observed. */
  readonly dlqTotal: number | undefined;
}

/** Window deltas per series, keyed as in {@link CumulativeState}. */
export interface WindowDeltas {
  readonly counters: ReadonlyMap<WindowCounter, ReadonlyArray<Series<number>>>;
  readonly histograms: ReadonlyMap<WindowHistogram, ReadonlyArray<Series<HistogramValue>>>;
}

function keyed<T>(series: ReadonlyArray<Series<T>>): Map<string, Series<T>> {
  const out = new Map<string, Series<T>>();
  for (const s of series) out.set(seriesKey('', s.labels), s);
  return out;
}

export function captureState(snapshot: MetricsSnapshot): CumulativeState {
  const counters = new Map<WindowCounter, Map<string, Series<number>>>();
  for (const name of WINDOW_COUNTERS) counters.set(name, keyed(snapshot.series(name)));
  const histograms = new Map<WindowHistogram, Map<string, Series<HistogramValue>>>();
  for (const name of WINDOW_HISTOGRAMS) histograms.set(name, keyed(snapshot.histograms(name)));
  const dlq = snapshot.series('dlq_size');
  return {
    at: snapshot.timestamp.getTime(),
    counters,
    histograms,
    dlqTotal: dlq.length === 0 ? undefined : dlq.reduce((sum, s) => sum + s.value, 0),
  };
}

/**
 * Increase of a counter between two readings. A value below the earlier one means the counter
 * restarted (process restart, or a target that left and came back): the later value is the
 * increase since the restart, as PromQL's `increase()` assumes.
 */
export function counterDelta(later: number, earlier: number | undefined): number {
  if (earlier === undefined || later < earlier) return later;
  return later - earlier;
}

/**
 * Per-series increases from `earlier` to `later`. Series are subtracted one by one before any
 * merging, so a reset of one series cannot hide behind the growth of another. Without `earlier`
 * the cumulative values themselves are the increase since the series started.
 */
export function windowDeltas(
  later: CumulativeState,
  earlier: CumulativeState | undefined,
): WindowDeltas {
  const counters = new Map<WindowCounter, Array<Series<number>>>();
  for (const [name, series] of later.counters) {
    const before = earlier?.counters.get(name);
    const out: Array<Series<number>> = [];
    for (const [key, s] of series) {
      out.push({ labels: s.labels, value: counterDelta(s.value, before?.get(key)?.value) });
    }
    counters.set(name, out);
  }
  const histograms = new Map<WindowHistogram, Array<Series<HistogramValue>>>();
  for (const [name, series] of later.histograms) {
    const before = earlier?.histograms.get(name);
    const out: Array<Series<HistogramValue>> = [];
    for (const [key, s] of series) {
      out.push({ labels: s.labels, value: subtractHistogram(s.value, before?.get(key)?.value) });
    }
    histograms.set(name, out);
  }
  return { counters, histograms };
}

/** Bucket-wise sum; histograms with other bucket layouts are skipped. */
export function mergeHistograms(
  into: HistogramValue | undefined,
  add: HistogramValue,
): HistogramValue {
  if (into === undefined) return { ...add, counts: [...add.counts] };
  if (into.counts.length !== add.counts.length) return into;
  return {
    boundaries: into.boundaries,
    counts: into.counts.map((c, i) => c + (add.counts[i] as number)),
    sum: into.sum + add.sum,
    count: into.count + add.count,
  };
}

/** The label value or a stand-in for a series that lacks it. */
export function label(labels: Labels, name: string): string {
  return labels[name] ?? '';
}
