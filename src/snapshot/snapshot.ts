import { formatBound, seriesKey, type Labels } from './series-key.js';
import { estimateQuantile, type HistogramValue } from './histogram.js';
import { sanitizedMetricName } from '../metric-names.js';

export type FamilyType = 'gauge' | 'counter' | 'histogram';

export interface Series<T> {
  readonly labels: Labels;
  readonly value: T;
}

export interface MetricFamily {
  /** Prometheus name (counters end in `_total`). */
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly unit: string;
  readonly series: ReadonlyArray<Series<number>> | ReadonlyArray<Series<HistogramValue>>;
}

/** How one collector fared in the collection that produced a snapshot. */
export interface CollectorStatus {
  /** The subsystem behind the collector is present (its port is configured). */
  readonly available: boolean;
  /** The last run read its port within the timeout and observed its values. */
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: string;
  /** Earlier values exist but were withheld because this run failed: they are not fresh. */
  readonly stale?: boolean;
  /** Values the port returned that were dropped as invalid (NaN, Infinity, out of range). */
  readonly invalidValues?: number;
  /** Unix milliseconds of the last successful run. */
  readonly lastSuccessAt?: number;
}

export interface HistogramView extends HistogramValue {
  /** Cumulative buckets as Prometheus exposes them (`le` includes `+Inf`). */
  readonly buckets: ReadonlyArray<{ readonly le: string; readonly count: number }>;
  quantile(q: number): number | undefined;
}

function histogramView(value: HistogramValue): HistogramView {
  let cumulative = 0;
  const buckets = value.counts.map((c, i) => {
    cumulative += c;
    return { le: formatBound(value.boundaries[i] ?? Infinity), count: cumulative };
  });
  return { ...value, buckets, quantile: (q) => estimateQuantile(value, q) };
}

function labelsMatch(labels: Labels, filter: Labels | undefined): boolean {
  if (filter === undefined) return true;
  for (const k in filter) if (labels[k] !== filter[k]) return false;
  return true;
}

/**
 * One collection of every publishing metric: families by Prometheus name, per-collector status,
 * and a flat `metrics` map keyed `name{label="v",...}` (built on first use, since most readers
 * of a snapshot go through the typed accessors).
 */
export class MetricsSnapshot {
  private flat: Map<string, number> | undefined;
  private readonly indexes = new Map<string, Map<string, Series<unknown>>>();
  private built: ReadonlyMap<string, MetricFamily> | undefined;
  private readonly build: (() => ReadonlyMap<string, MetricFamily>) | undefined;

  constructor(
    /** When the collection finished. */
    readonly timestamp: Date,
    /** How long the collection took, milliseconds. */
    readonly durationMs: number,
    /**
     * Families by Prometheus name, or a function building them from values already captured
     * (called once, on first read: a collection whose snapshot is not read builds none).
     */
    families: ReadonlyMap<string, MetricFamily> | (() => ReadonlyMap<string, MetricFamily>),
    readonly collectors: Readonly<Record<string, CollectorStatus>>,
    /** Metric-name prefix, so accessors accept names with or without it. */
    readonly namespace: string,
  ) {
    if (typeof families === 'function') this.build = families;
    else this.built = families;
  }

  /** Families by Prometheus name. */
  get families(): ReadonlyMap<string, MetricFamily> {
    return (this.built ??= this.build!());
  }

  /** Every sample as `name{labels} → value`; histograms as `_bucket{le}`, `_sum` and `_count`. */
  get metrics(): ReadonlyMap<string, number> {
    if (this.flat === undefined) {
      const flat = new Map<string, number>();
      for (const family of this.families.values()) {
        if (family.type !== 'histogram') {
          for (const s of family.series as ReadonlyArray<Series<number>>) {
            flat.set(seriesKey(family.name, s.labels), s.value);
          }
          continue;
        }
        for (const s of family.series as ReadonlyArray<Series<HistogramValue>>) {
          const view = histogramView(s.value);
          for (const b of view.buckets) {
            flat.set(seriesKey(`${family.name}_bucket`, { ...s.labels, le: b.le }), b.count);
          }
          flat.set(seriesKey(`${family.name}_sum`, s.labels), s.value.sum);
          flat.set(seriesKey(`${family.name}_count`, s.labels), s.value.count);
        }
      }
      this.flat = flat;
    }
    return this.flat;
  }

  /** The family by Prometheus name, with or without the namespace prefix. */
  family(name: string): MetricFamily | undefined {
    return (
      this.families.get(name) ??
      (this.namespace !== ''
        ? this.families.get(sanitizedMetricName(`${this.namespace}_${name}`))
        : undefined)
    );
  }

  /** Series of a gauge or counter, optionally only those whose labels include `filter`. */
  series(name: string, filter?: Labels): Array<Series<number>> {
    const family = this.family(name);
    if (family === undefined || family.type === 'histogram') return [];
    return (family.series as ReadonlyArray<Series<number>>).filter((s) =>
      labelsMatch(s.labels, filter),
    );
  }

  /** Histogram series, optionally only those whose labels include `filter`. */
  histograms(name: string, filter?: Labels): Array<Series<HistogramValue>> {
    const family = this.family(name);
    if (family === undefined || family.type !== 'histogram') return [];
    return (family.series as ReadonlyArray<Series<HistogramValue>>).filter((s) =>
      labelsMatch(s.labels, filter),
    );
  }

  /** The value of the gauge/counter series with exactly these labels. */
  get(name: string, labels?: Labels): number | undefined {
    const s = this.lookup(name, labels);
    return s === undefined || typeof s.value !== 'number' ? undefined : s.value;
  }

  /** The histogram series with exactly these labels, with cumulative buckets and quantiles. */
  histogram(name: string, labels?: Labels): HistogramView | undefined {
    const s = this.lookup(name, labels);
    return s === undefined || typeof s.value === 'number'
      ? undefined
      : histogramView(s.value as HistogramValue);
  }

  /** Sum of the gauge/counter series whose labels include `filter` (0 when none). */
  sum(name: string, filter?: Labels): number {
    let total = 0;
    for (const s of this.series(name, filter)) total += s.value;
    return total;
  }

  /** Bucket-wise merge of the histogram series whose labels include `filter`. */
  mergedHistogram(name: string, filter?: Labels): HistogramValue | undefined {
    let merged:
      | { boundaries: readonly number[]; counts: number[]; sum: number; count: number }
      | undefined;
    for (const s of this.histograms(name, filter)) {
      if (merged === undefined) {
        merged = { ...s.value, counts: [...s.value.counts] };
        continue;
      }
      if (merged.counts.length !== s.value.counts.length) continue;
      for (let i = 0; i < merged.counts.length; i++)
        merged.counts[i]! += s.value.counts[i] as number;
      merged.sum += s.value.sum;
      merged.count += s.value.count;
    }
    return merged;
  }

  toJSON(): object {
    return {
      timestamp: this.timestamp.toISOString(),
      durationMs: this.durationMs,
      collectors: this.collectors,
      metrics: Object.fromEntries(this.metrics),
    };
  }

  private lookup(name: string, labels: Labels | undefined): Series<unknown> | undefined {
    const family = this.family(name);
    if (family === undefined) return undefined;
    let index = this.indexes.get(family.name);
    if (index === undefined) {
      index = new Map();
      for (const s of family.series as ReadonlyArray<Series<unknown>>) {
        index.set(seriesKey('', s.labels), s);
      }
      this.indexes.set(family.name, index);
    }
    return index.get(seriesKey('', labels));
  }
}
