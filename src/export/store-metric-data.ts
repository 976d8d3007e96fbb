import { ValueType, type Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { bucketCounts } from '../series/bucket-counts.js';
import type { HistogramStore } from '../series/histogram-store.js';
import { hrTime } from '../series/hr-time.js';
import type { NumberStore } from '../series/number-store.js';
import type { SeriesStore } from '../series/series-store.js';

function descriptor(store: SeriesStore): MetricData['descriptor'] {
  return {
    name: store.instrument,
    description: store.definition.description,
    unit: store.definition.unit,
    valueType: ValueType.DOUBLE,
  };
}

function histogramValue(store: HistogramStore, slot: number): Histogram {
  const { counts, count } = bucketCounts(store.counts, slot * store.width, store.width);
  const buckets = { boundaries: store.boundaries as number[], counts };
  const sum = store.sums[slot] as number;
  if (count === 0) return { buckets, sum, count };
  return { buckets, sum, count, min: store.mins[slot] as number, max: store.maxs[slot] as number };
}

/**
 * The data points of a store's current series (cumulative: each from its slot's start time),
 * with `value` giving each slot's value.
 */
function dataPoints<V>(
  store: SeriesStore,
  now: number,
  value: (slot: number) => V,
): Array<DataPoint<V>> {
  const points: Array<DataPoint<V>> = [];
  const endTime = hrTime(now);
  const bySlot: ReadonlyArray<Attributes | undefined> = store.attributesBySlot;
  for (let slot = 0, used = store.used; slot < used; slot++) {
    const attributes = bySlot[slot];
    if (attributes === undefined) continue;
    points.push({ attributes, startTime: store.startTimeOf(slot), endTime, value: value(slot) });
  }
  return points;
}

/**
 * A store's current series as OTel metric data (cumulative), for the producer path; undefined
 * when it has none.
 */
export function storeMetricData(store: SeriesStore, now: number): MetricData | undefined {
  if (store.seriesCount === 0) return undefined;
  const aggregationTemporality = AggregationTemporality.CUMULATIVE;
  if (store.kind === 'histogram') {
    const histograms = store as HistogramStore;
    return {
      descriptor: descriptor(store),
      aggregationTemporality,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: dataPoints(store, now, (slot) => histogramValue(histograms, slot)),
    };
  }
  const values = (store as NumberStore).values;
  const points = dataPoints(store, now, (slot) => values[slot] as number);
  return store.kind === 'counter'
    ? {
        descriptor: descriptor(store),
        aggregationTemporality,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: points,
      }
    : {
        descriptor: descriptor(store),
        aggregationTemporality,
        dataPointType: DataPointType.GAUGE,
        dataPoints: points,
      };
}
