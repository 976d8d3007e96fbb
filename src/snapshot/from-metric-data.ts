import {
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { prometheusFamilyName } from '../metric-names.js';
import type { HistogramValue } from './histogram.js';
import type { Labels } from './series-key.js';
import type { FamilyType, MetricFamily, Series } from './snapshot.js';

function labelsOf(attributes: Readonly<Record<string, unknown>>): Labels {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (v !== undefined) labels[k] = Array.isArray(v) ? JSON.stringify(v) : String(v);
  }
  return labels;
}

function histogramValue(h: Histogram): HistogramValue {
  return {
    boundaries: h.buckets.boundaries,
    counts: h.buckets.counts,
    sum: h.sum ?? 0,
    count: h.count,
  };
}

/**
 * One OTel metric as a snapshot family, under the name the Prometheus exporter gives it.
 * Exponential histograms have no fixed buckets to show and are left out (undefined).
 */
export function familyFromMetricData(metric: MetricData): MetricFamily | undefined {
  const { descriptor } = metric;
  let type: FamilyType;
  let series: Array<Series<number>> | Array<Series<HistogramValue>>;
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM:
      type = 'histogram';
      series = metric.dataPoints.map((p) => ({
        labels: labelsOf(p.attributes),
        value: histogramValue(p.value),
      }));
      break;
    case DataPointType.SUM:
    case DataPointType.GAUGE:
      type = metric.dataPointType === DataPointType.SUM && metric.isMonotonic ? 'counter' : 'gauge';
      series = metric.dataPoints.map((p) => ({ labels: labelsOf(p.attributes), value: p.value }));
      break;
    default:
      return undefined;
  }
  return {
    name: prometheusFamilyName(descriptor.name, type === 'counter'),
    type,
    help: descriptor.description,
    unit: descriptor.unit,
    series,
  };
}

/** Every metric of a collection as families by name (a later scope's family of a name joins it). */
export function familiesFromResourceMetrics(
  resourceMetrics: ResourceMetrics,
): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const family = familyFromMetricData(metric);
      if (family === undefined) continue;
      const existing = families.get(family.name);
      families.set(
        family.name,
        existing === undefined
          ? family
          : {
              ...existing,
              series: [...existing.series, ...family.series] as MetricFamily['series'],
            },
      );
    }
  }
  return families;
}
