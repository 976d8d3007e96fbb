import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { MetricDefinition } from '../catalog.js';
import { prometheusFamilyName } from '../snapshot/family-name.js';
import {
  FamilyColumns,
  HistogramColumnFamily,
  NumberColumnFamily,
  type FamilyMeta,
  type Slots,
} from '../snapshot/column-family.js';
import type { FamilyType, MetricFamily } from '../snapshot/snapshot.js';

const INITIAL_CAPACITY = 16;

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function indexSlot(byValue: Map<string, Set<number>>, value: unknown, slot: number): void {
  const key = String(value);
  let slots = byValue.get(key);
  if (slots === undefined) byValue.set(key, (slots = new Set()));
  slots.add(slot);
}

/** Slots by label values, one level per label (the last level holds the slot). */
type LabelTrie = Map<string, LabelTrie | number>;

/** A released series' values and start time, kept for its return. */
interface RetiredSeries {
  readonly values: Float64Array;
  readonly startTime: HrTime;
}

/**
 * Series storage for one recorder-fed metric: label tuples map to dense slots in typed arrays, so
 * the hot path is an index increment. A slot is allocated (and its attributes object built) the
 * first time its label tuple is seen; after that recording allocates nothing.
 */
export abstract class SeriesStore {
  private readonly slots = new Map<string, number>();
  /**
   * The same slots by label values level by level, for `slotOf`: finding a series is one Map
   * lookup per label with the caller's strings, where building the joined key allocated a
   * string per observation (a third of a collection's port-series cost at N=100).
   */
  private readonly trie: LabelTrie = new Map();
  private keys: Array<string | undefined> = [];
  private attributes: Array<Attributes | undefined> = [];
  /**
   * True while a snapshot family holds `attributes`: the next change of a slot's attributes
   * copies the array first (copy on write), so a collection shares it instead of copying it.
   */
  private attributesShared = false;
  /** Per slot, when its series started; shared by every export of the slot (never mutated). */
  private startTimes: Array<HrTime | undefined> = [];
  private readonly free: number[] = [];
  /**
   * Slots by label value, for the labels `releaseWhere` has been asked about (built on its first
   * call): releasing one target then costs its own slots, not a scan of all of them. Scanning
   * made removing 4,000 targets at once take 3.3 s inside one collection (quadratic).
   */
  private readonly index = new Map<string, Map<string, Set<number>>>();
  /**
   * Values of released series kept for their return (see `retireWhere`), by label key; and the
   * keys by the label value they were retired for.
   */
  private readonly retired = new Map<string, RetiredSeries>();
  private readonly retiredBy = new Map<string, Set<string>>();
  private next = 0;
  private familyMeta: FamilyMeta | undefined;
  protected capacity = INITIAL_CAPACITY;
  protected abstract readonly familyType: FamilyType;

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
    this.trieInsert(labelValues, slot);
    this.keys[slot] = key;
    this.ownAttributes()[slot] = Object.freeze(attrs);
    this.startTimes[slot] = hrTime(Date.now());
    this.reset(slot);
    const kept = this.retired.get(key);
    if (kept !== undefined) {
      // A retired series returns: it continues from its values and start time (no reset).
      this.retired.delete(key);
      this.restore(slot, kept.values);
      this.startTimes[slot] = kept.startTime;
    }
    for (const [label, byValue] of this.index) indexSlot(byValue, attrs[label], slot);
    return slot;
  }

  /**
   * The slot of the series an attributes object names (its values of the definition's labels,
   * missing ones empty), created on first use. Finding an existing slot builds only its key.
   */
  slotOf(attributes: Attributes): number {
    const labels = this.definition.labels;
    const last = labels.length - 1;
    let level: LabelTrie | number | undefined = this.trie;
    for (let i = 0; i <= last && level !== undefined; i++) {
      const value = attributes[labels[i] as string];
      level = (level as LabelTrie).get(value === undefined ? '' : String(value));
    }
    if (typeof level === 'number') return level;
    if (last < 0) {
      const only = this.slots.get('');
      if (only !== undefined) return only;
    }
    let key = '';
    for (let i = 0; i < labels.length; i++) {
      const value = attributes[labels[i] as string];
      key += (i === 0 ? '' : '\u0000') + (value === undefined ? '' : String(value));
    }
    const existing = this.slots.get(key);
    if (existing !== undefined) return existing;
    return this.slot(
      labels.map((label) => {
        const value = attributes[label];
        return value === undefined ? '' : String(value);
      }),
    );
  }

  /** `slotOf` for a store with exactly one label: the slot of the series whose label is `value`. */
  slotOfOnly(value: string): number {
    const slot = this.trie.get(value);
    return typeof slot === 'number' ? slot : this.slot([value]);
  }

  /** Frees every slot whose `label` equals `value` (a removed target); returns how many. */
  releaseWhere(label: string, value: string): number {
    if (!this.definition.labels.includes(label)) return 0;
    const found = this.indexOf(label).get(value);
    if (found === undefined) return 0;
    const slots = [...found];
    for (const slot of slots) this.release(slot);
    return slots.length;
  }

  /**
   * Frees every slot whose `label` equals `value`, keeping each one's values (unexported) so that
   * the series continues from them when its label tuple is used again; `dropRetired(value)`
   * forgets them. Returns how many series were retired.
   */
  retireWhere(label: string, value: string): number {
    if (!this.definition.labels.includes(label)) return 0;
    const found = this.indexOf(label).get(value);
    if (found === undefined) return 0;
    const slots = [...found];
    // A set: a target that leaves and returns again and again re-adds the same keys.
    const keys = this.retiredBy.get(value) ?? new Set<string>();
    for (const slot of slots) {
      const key = this.keys[slot] as string;
      this.retired.set(key, { values: this.save(slot), startTime: this.startTimes[slot]! });
      keys.add(key);
      this.release(slot);
    }
    this.retiredBy.set(value, keys);
    return slots.length;
  }

  /** Forgets the kept values of series retired for `value` that have not returned. */
  dropRetired(value: string): void {
    const keys = this.retiredBy.get(value);
    if (keys === undefined) return;
    this.retiredBy.delete(value);
    for (const key of keys) this.retired.delete(key);
  }

  /** Series retired and kept (not yet returned or dropped). */
  get retiredCount(): number {
    return this.retired.size;
  }

  /** Frees every slot for which `keep` is false; returns how many. */
  retain(keep: (slot: number) => boolean): number {
    let released = 0;
    for (let slot = 0; slot < this.next; slot++) {
      if (this.attributes[slot] === undefined || keep(slot)) continue;
      this.release(slot);
      released++;
    }
    return released;
  }

  private release(slot: number): void {
    const attrs = this.attributes[slot] as Attributes;
    for (const [name, byValue] of this.index) {
      const key = String(attrs[name]);
      const set = byValue.get(key);
      set?.delete(slot);
      if (set?.size === 0) byValue.delete(key);
    }
    this.slots.delete(this.keys[slot] as string);
    this.trieDelete(attrs);
    this.keys[slot] = undefined;
    this.ownAttributes()[slot] = undefined;
    this.startTimes[slot] = undefined;
    this.free.push(slot);
  }

  private trieInsert(labelValues: readonly string[], slot: number): void {
    const last = this.definition.labels.length - 1;
    let level = this.trie;
    for (let i = 0; i < last; i++) {
      const value = labelValues[i] ?? '';
      let next = level.get(value) as LabelTrie | undefined;
      if (next === undefined) level.set(value, (next = new Map()));
      level = next;
    }
    if (last >= 0) level.set(labelValues[last] ?? '', slot);
  }

  /** Removes a released series' path, and the levels it leaves empty. */
  private trieDelete(attrs: Attributes): void {
    const labels = this.definition.labels;
    if (labels.length === 0) return;
    const path: LabelTrie[] = [this.trie];
    for (let i = 0; i < labels.length - 1; i++) {
      const next = path[i]!.get(attrs[labels[i] as string] as string);
      if (next === undefined || typeof next === 'number') return;
      path.push(next);
    }
    for (let i = labels.length - 1; i >= 0; i--) {
      path[i]!.delete(attrs[labels[i] as string] as string);
      if (path[i]!.size > 0) break;
    }
  }

  private indexOf(label: string): Map<string, Set<number>> {
    let byValue = this.index.get(label);
    if (byValue === undefined) {
      byValue = new Map();
      for (let slot = 0; slot < this.next; slot++) {
        const attrs = this.attributes[slot];
        if (attrs !== undefined) indexSlot(byValue, attrs[label], slot);
      }
      this.index.set(label, byValue);
    }
    return byValue;
  }

  get seriesCount(): number {
    return this.slots.size;
  }

  /** Calls `fn` with every current series' slot and attributes, in slot order. */
  forEachSeries(fn: (slot: number, attributes: Attributes) => void): void {
    const attributes = this.attributes;
    for (let slot = 0; slot < this.next; slot++) {
      const attrs = attributes[slot];
      if (attrs !== undefined) fn(slot, attrs);
    }
  }

  /** The attributes of a current series' slot (the frozen object every export shares). */
  protected attributesOf(slot: number): Attributes {
    return this.attributes[slot] as Attributes;
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
        startTime: this.startTimes[slot] as HrTime,
        endTime,
        value: this.valueOf(slot) as never,
      });
    }
    return this.metricData(points);
  }

  /**
   * The current series as a snapshot family (no OTel data points in between), or undefined when
   * there are none: the slots' attributes (shared, copied on the store's next change) and copies
   * of the value arrays.
   */
  toFamily(columns?: FamilyColumns): MetricFamily | undefined {
    const into = columns ?? new FamilyColumns(this.columnLength);
    if (!this.capture(into)) return undefined;
    return into.family(into.size - 1);
  }

  /**
   * Copies the current series' values into `columns` and records the capture (its family is
   * built by `familyAt` when read); false when there are no series.
   */
  capture(columns: FamilyColumns): boolean {
    const count = this.slots.size;
    if (count === 0) return false;
    this.attributesShared = true;
    const at = this.copyValues(columns, this.next);
    columns.capture(this, this.attributes as Slots['labels'], this.next, count, at);
    return true;
  }

  /** The family of capture `index` of `columns` (see `capture`). */
  familyAt(columns: FamilyColumns, index: number): MetricFamily {
    this.familyMeta ??= {
      name: prometheusFamilyName(this.instrument, this.familyType === 'counter'),
      type: this.familyType,
      help: this.definition.description,
      unit: this.definition.unit,
    };
    return this.family(this.familyMeta, columns.slots(index), columns.data, columns.at[index]!);
  }

  /** How many values `toFamily` copies into its columns (0 without series). */
  get columnLength(): number {
    return this.slots.size === 0 ? 0 : this.next * this.valuesPerSlot;
  }

  /** Values per slot a family copies. */
  protected abstract readonly valuesPerSlot: number;

  private ownAttributes(): Array<Attributes | undefined> {
    if (this.attributesShared) {
      this.attributes = this.attributes.slice();
      this.attributesShared = false;
    }
    return this.attributes;
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
    this.resize(capacity);
    this.capacity = capacity;
  }

  protected abstract resize(capacity: number): void;
  protected abstract reset(slot: number): void;
  /** A copy of a slot's values, for `restore`. */
  protected abstract save(slot: number): Float64Array;
  protected abstract restore(slot: number, values: Float64Array): void;
  protected abstract valueOf(slot: number): number | Histogram;
  /** Copies the values of the first `used` slots into `columns`; returns where they start. */
  protected abstract copyValues(columns: FamilyColumns, used: number): number;
  /** The family of `slots` whose values `copyValues` put at `data[at]`. */
  protected abstract family(
    meta: FamilyMeta,
    slots: Slots,
    data: Float64Array,
    at: number,
  ): MetricFamily;
  protected abstract metricData(
    points: Array<DataPoint<number> | DataPoint<Histogram>>,
  ): MetricData;
}

/** A monotonic counter per slot. */
export class CounterStore extends SeriesStore {
  values = new Float64Array(this.capacity);
  protected readonly familyType = 'counter';

  protected resize(capacity: number): void {
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.values = values;
  }
  protected reset(slot: number): void {
    this.values[slot] = 0;
  }
  protected save(slot: number): Float64Array {
    return Float64Array.of(this.values[slot] as number);
  }
  protected restore(slot: number, values: Float64Array): void {
    this.values[slot] = values[0] as number;
  }
  protected valueOf(slot: number): number {
    return this.values[slot] as number;
  }
  protected readonly valuesPerSlot = 1;
  protected copyValues(columns: FamilyColumns, used: number): number {
    return columns.copy(this.values, used);
  }
  protected family(meta: FamilyMeta, slots: Slots, data: Float64Array, at: number) {
    return new NumberColumnFamily(meta, slots, data, at);
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
  protected readonly familyType = 'gauge';

  protected resize(capacity: number): void {
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.values = values;
  }
  protected reset(slot: number): void {
    this.values[slot] = 0;
  }
  protected save(slot: number): Float64Array {
    return Float64Array.of(this.values[slot] as number);
  }
  protected restore(slot: number, values: Float64Array): void {
    this.values[slot] = values[0] as number;
  }
  protected valueOf(slot: number): number {
    return this.values[slot] as number;
  }
  protected readonly valuesPerSlot = 1;
  protected copyValues(columns: FamilyColumns, used: number): number {
    return columns.copy(this.values, used);
  }
  protected family(meta: FamilyMeta, slots: Slots, data: Float64Array, at: number) {
    return new NumberColumnFamily(meta, slots, data, at);
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
  protected readonly familyType = 'histogram';

  constructor(definition: MetricDefinition, instrument: string) {
    super(definition, instrument);
    this.boundaries = definition.buckets ?? [];
    this.bounds = Float64Array.from(this.boundaries);
    this.width = this.boundaries.length + 1;
    this.valuesPerSlot = this.width + 1;
    this.counts = new Float64Array(this.capacity * this.width);
    this.sums = new Float64Array(this.capacity);
    this.mins = new Float64Array(this.capacity);
    this.maxs = new Float64Array(this.capacity);
  }

  /**
   * Set while the instrument path is on: each recorded value also goes to an OTel sync histogram
   * (OTel has no observable histogram, so bucket counts cannot be handed over at collection time).
   */
  mirror: ((value: number, attributes: Attributes) => void) | undefined;

  /** Records one value; non-finite or negative values are ignored (callers count them). */
  observe(slot: number, value: number): void {
    if (this.mirror !== undefined) this.mirror(value, this.attributesOf(slot));
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
  /** Bucket counts, then sum, min and max. */
  protected save(slot: number): Float64Array {
    const w = this.width;
    const saved = new Float64Array(w + 3);
    saved.set(this.counts.subarray(slot * w, (slot + 1) * w));
    saved[w] = this.sums[slot] as number;
    saved[w + 1] = this.mins[slot] as number;
    saved[w + 2] = this.maxs[slot] as number;
    return saved;
  }
  protected restore(slot: number, values: Float64Array): void {
    const w = this.width;
    this.counts.set(values.subarray(0, w), slot * w);
    this.sums[slot] = values[w] as number;
    this.mins[slot] = values[w + 1] as number;
    this.maxs[slot] = values[w + 2] as number;
  }
  protected valueOf(slot: number): Histogram {
    const { counts, count } = this.countsOf(slot);
    const buckets = { boundaries: this.boundaries as number[], counts };
    const sum = this.sums[slot] as number;
    if (count === 0) return { buckets, sum, count };
    return { buckets, sum, count, min: this.mins[slot] as number, max: this.maxs[slot] as number };
  }
  /** Bucket counts and the sum. */
  protected readonly valuesPerSlot: number;
  /** Bucket counts, then the sums right after them. */
  protected copyValues(columns: FamilyColumns, used: number): number {
    const countsAt = columns.copy(this.counts, used * this.width);
    columns.copy(this.sums, used);
    return countsAt;
  }
  protected family(meta: FamilyMeta, slots: Slots, data: Float64Array, at: number) {
    const sumsAt = at + slots.used * this.width;
    return new HistogramColumnFamily(meta, slots, this.boundaries, data, at, sumsAt);
  }
  private countsOf(slot: number): { counts: number[]; count: number } {
    // A plain loop sized up front: `Array.from(subarray)` (a view plus the iterator protocol)
    // was a third of a collection's recorder cost, and push() left garbage as it grew.
    const all = this.counts;
    const counts = new Array<number>(this.width);
    let count = 0;
    for (let i = 0, at = slot * this.width; i < this.width; i++, at++) {
      const c = all[at] as number;
      counts[i] = c;
      count += c;
    }
    return { counts, count };
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
