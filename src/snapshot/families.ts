import {
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Labels } from './series-key.js';
import type { FamilyType, MetricFamily, Series } from './snapshot.js';
import type { HistogramValue } from './histogram.js';

/** The Prometheus name of OTel metric data, as the JS Prometheus exporter derives it. */
export function prometheusNameOf(metric: MetricData): string {
  const name = metric.descriptor.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  const counter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
  return counter && !name.endsWith('_total') ? `${name}_total` : name;
}

/**
 * A point's attributes as labels. Attributes whose values are all strings (every series this
 * library exports: recorder attributes are frozen, observed ones are built per observation) are
 * used as they are; copying them was a third of the snapshot's cost (4k series at N=100).
 */
function labelsOf(point: DataPoint<unknown>): Labels {
  const attributes = point.attributes;
  for (const key in attributes) {
    if (typeof attributes[key] !== 'string') return copiedLabels(attributes);
  }
  return attributes as Labels;
}

function copiedLabels(attributes: DataPoint<unknown>['attributes']): Labels {
  const labels: Record<string, string> = {};
  for (const key in attributes) labels[key] = String(attributes[key]);
  return labels;
}

function histogramSeries(
  points: ReadonlyArray<DataPoint<Histogram>>,
): Array<Series<HistogramValue>> {
  const series = new Array<Series<HistogramValue>>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    series[i] = {
      labels: labelsOf(p),
      value: {
        boundaries: p.value.buckets.boundaries,
        counts: p.value.buckets.counts,
        sum: p.value.sum ?? 0,
        count: p.value.count,
      },
    };
  }
  return series;
}

function numberSeries(points: ReadonlyArray<DataPoint<number>>): Array<Series<number>> {
  const series = new Array<Series<number>>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    series[i] = { labels: labelsOf(p), value: p.value };
  }
  return series;
}

function familyType(metric: MetricData): FamilyType | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return undefined;
  }
}

/** Families of one instrumentation scope's metrics, keyed by Prometheus name. */
export function familiesOf(
  resourceMetrics: ResourceMetrics,
  scopeName: string,
): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  for (const scope of resourceMetrics.scopeMetrics) {
    if (scope.scope.name !== scopeName) continue;
    for (const metric of scope.metrics) {
      const type = familyType(metric);
      if (type === undefined) continue;
      const name = prometheusNameOf(metric);
      const series =
        type === 'histogram'
          ? histogramSeries(metric.dataPoints as Array<DataPoint<Histogram>>)
          : numberSeries(metric.dataPoints as Array<DataPoint<number>>);
      const existing = families.get(name);
      if (existing !== undefined) {
        const into = existing.series as Array<Series<unknown>>;
        for (const s of series as Array<Series<unknown>>) into.push(s);
        continue;
      }
      families.set(name, {
        name,
        type,
        help: metric.descriptor.description,
        unit: metric.descriptor.unit,
        series,
      });
    }
  }
  return families;
}
