import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { MetricDefinition } from '../catalog.js';

const INITIAL_CAPACITY = 16;

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * Series storage for one recorder-fed metric: label tuples map to dense slots in typed arrays, so
 * the hot path is an index increment. A slot is allocated (and its attributes object built) the
 * first time its label tuple is seen; after that recording allocates nothing.
 */
export abstract class SeriesStore {
  private readonly slots = new Map<string, number>();
  private keys: Array<string | undefined> = [];
  private attributes: Array<Attributes | undefined> = [];
  private startTimes = new Float64Array(INITIAL_CAPACITY);
  private readonly free: number[] = [];
  private next = 0;
  protected capacity = INITIAL_CAPACITY;

  constructor(
    readonly definition: MetricDefinition,
    /** OpenTelemetry instrument name. */
    readonly instrument: string,
  ) {}

  /** The slot of a label tuple (values in the definition's label order), created on first use. */
  slot(labelValues: readonly string[]): number {
    const key = labelValues.join('\u0000');
    const existing = this.slots.get(key);
    if (existing !== undefined) return existing;
    const slot = this.free.pop() ?? this.next++;
    if (slot >= this.capacity) this.grow(Math.max(this.capacity * 2, slot + 1));
    const attrs: Attributes = {};
    this.definition.labels.forEach((name, i) => {
      attrs[name] = labelValues[i] ?? '';
    });
    this.slots.set(key, slot);
    this.keys[slot] = key;
    this.attributes[slot] = Object.freeze(attrs);
    this.startTimes[slot] = Date.now();
    this.reset(slot);
    return slot;
  }

  /** Frees every slot whose `label` equals `value` (a removed target); returns how many. */
  releaseWhere(label: string, value: string): number {
    let released = 0;
    for (let slot = 0; slot < this.next; slot++) {
      const attrs = this.attributes[slot];
      if (attrs !== undefined && attrs[label] === value) {
        this.slots.delete(this.keys[slot] as string);
        this.keys[slot] = undefined;
        this.attributes[slot] = undefined;
        this.free.push(slot);
        released++;
      }
    }
    return released;
  }

  get seriesCount(): number {
    return this.slots.size;
  }

  /** The current series as OTel metric data (cumulative), or undefined when there are none. */
  toMetricData(now: number): MetricData | undefined {
    if (this.slots.size === 0) return undefined;
    const points: Array<DataPoint<number> | DataPoint<Histogram>> = [];
    const endTime = hrTime(now);
    for (let slot = 0; slot < this.next; slot++) {
      const attributes = this.attributes[slot];
      if (attributes === undefined) continue;
      points.push({
        attributes,
        startTime: hrTime(this.startTimes[slot] as number),
        endTime,
        value: this.valueOf(slot) as never,
      });
    }
    return this.metricData(points);
  }

  protected descriptor(): MetricData['descriptor'] {
    return {
      name: this.instrument,
      description: this.definition.description,
      unit: this.definition.unit,
      valueType: ValueType.DOUBLE,
    };
  }

  private grow(capacity: number): void {
    const startTimes = new Float64Array(capacity);
    startTimes.set(this.startTimes);
    this.startTimes = startTimes;
    this.resize(capacity);
    this.capacity = capacity;
  }

  protected abstract resize(capacity: number): void;
  protected abstract reset(slot: number): void;
  protected abstract valueOf(slot: number): number | Histogram;
  protected abstract metricData(
    points: Array<DataPoint<number> | DataPoint<Histogram>>,
  ): MetricData;
}

/** A monotonic counter per slot. */
export class CounterStore extends SeriesStore {
  values = new Float64Array(this.capacity);

  protected resize(capacity: number): void {
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.values = values;
  }
  protected reset(slot: number): void {
    this.values[slot] = 0;
  }
  protected valueOf(slot: number): number {
    return this.values[slot] as number;
  }
  protected metricData(points: Array<DataPoint<number>>): MetricData {
    return {
      descriptor: this.descriptor(),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: points,
    };
  }
}

/** A last-value gauge per slot. */
export class GaugeStore extends SeriesStore {
  values = new Float64Array(this.capacity);

  protected resize(capacity: number): void {
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.values = values;
  }
  protected reset(slot: number): void {
    this.values[slot] = 0;
  }
  protected valueOf(slot: number): number {
    return this.values[slot] as number;
  }
  protected metricData(points: Array<DataPoint<number>>): MetricData {
    return {
      descriptor: this.descriptor(),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: points,
    };
  }
}

/**
 * A fixed-bucket histogram per slot. Buckets are `(previous, bound]` as in both OTel explicit
 * buckets and Prometheus `le`. SDK Views cannot re-bucket it: the bounds come from the catalog.
 */
export class HistogramStore extends SeriesStore {
  readonly boundaries: readonly number[];
  private readonly bounds: Float64Array;
  private readonly width: number;
  counts: Float64Array;
  sums: Float64Array;
  mins: Float64Array;
  maxs: Float64Array;

  constructor(definition: MetricDefinition, instrument: string) {
    super(definition, instrument);
    this.boundaries = definition.buckets ?? [];
    this.bounds = Float64Array.from(this.boundaries);
    this.width = this.boundaries.length + 1;
    this.counts = new Float64Array(this.capacity * this.width);
    this.sums = new Float64Array(this.capacity);
    this.mins = new Float64Array(this.capacity);
    this.maxs = new Float64Array(this.capacity);
  }

  /** Records one value; non-finite or negative values are ignored (callers count them). */
  observe(slot: number, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[slot * this.width + i]! += 1;
    this.sums[slot]! += value;
    if (value < (this.mins[slot] as number)) this.mins[slot] = value;
    if (value > (this.maxs[slot] as number)) this.maxs[slot] = value;
  }

  protected resize(capacity: number): void {
    const counts = new Float64Array(capacity * this.width);
    counts.set(this.counts);
    this.counts = counts;
    for (const field of ['sums', 'mins', 'maxs'] as const) {
      const next = new Float64Array(capacity);
      next.set(this[field]);
      this[field] = next;
    }
  }
  protected reset(slot: number): void {
    this.counts.fill(0, slot * this.width, (slot + 1) * this.width);
    this.sums[slot] = 0;
    this.mins[slot] = Infinity;
    this.maxs[slot] = -Infinity;
  }
  protected valueOf(slot: number): Histogram {
    const counts = Array.from(this.counts.subarray(slot * this.width, (slot + 1) * this.width));
    let count = 0;
    for (const c of counts) count += c;
    return {
      buckets: { boundaries: this.boundaries as number[], counts },
      sum: this.sums[slot] as number,
      count,
      ...(count > 0 ? { min: this.mins[slot] as number, max: this.maxs[slot] as number } : {}),
    };
  }
  protected metricData(points: Array<DataPoint<Histogram>>): MetricData {
    return {
      descriptor: this.descriptor(),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: points,
    };
  }
}
