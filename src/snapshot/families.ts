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

function labelsOf(point: DataPoint<unknown>): Labels {
  const labels: Record<string, string> = {};
  for (const key in point.attributes) labels[key] = String(point.attributes[key]);
  return labels;
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
      let series: Array<Series<number>> | Array<Series<HistogramValue>>;
      if (type === 'histogram') {
        series = (metric.dataPoints as Array<DataPoint<Histogram>>).map((p) => ({
          labels: labelsOf(p),
          value: {
            boundaries: p.value.buckets.boundaries,
            counts: p.value.buckets.counts,
            sum: p.value.sum ?? 0,
            count: p.value.count,
          },
        }));
      } else {
        series = (metric.dataPoints as Array<DataPoint<number>>).map((p) => ({
          labels: labelsOf(p),
          value: p.value,
        }));
      }
      const existing = families.get(name);
      if (existing !== undefined) {
        (existing.series as Array<Series<unknown>>).push(...(series as Array<Series<unknown>>));
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
