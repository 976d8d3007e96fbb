import { bucketCounts } from '../series/bucket-counts.js';
import type { SeriesStore } from '../series/series-store.js';
import type { HistogramValue } from './histogram.js';
import type { Labels } from './series-key.js';
import type { FamilyType, MetricFamily, Series } from './snapshot.js';

/** The slots of a series store: labels by slot, `undefined` for a free slot. */
export interface Slots {
  /** Labels by slot; read-only for the family (the store copies before changing it). */
  readonly labels: ReadonlyArray<Labels | undefined>;
  /** Slots in use are below this index. */
  readonly used: number;
  /** Series (slots in use). */
  readonly count: number;
}

export interface FamilyMeta {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly unit: string;
}

/**
 * A family copied out of a series store column-wise: the store's labels by slot (shared, copied
 * by the store on write) and typed-array copies of the values. `series` objects are built on
 * first access. Building them during the
 * collection made every series several objects that stay alive until the collection ends; at
 * 10,000 targets that is tens of megabytes the young-generation GC copies and promotes, and the
 * collection's cost per series grew 5× from 100 to 10,000 targets. Typed-array copies this size
 * live outside the JS heap.
 */
abstract class ColumnFamily<T> implements MetricFamily {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly unit: string;
  private built: Array<Series<T>> | undefined;

  constructor(
    meta: FamilyMeta,
    protected readonly slots: Slots,
  ) {
    this.name = meta.name;
    this.type = meta.type;
    this.help = meta.help;
    this.unit = meta.unit;
  }

  get series(): MetricFamily['series'] {
    this.built ??= this.build();
    return this.built as MetricFamily['series'];
  }

  protected abstract build(): Array<Series<T>>;
}

/**
 * Where a collection copies the stores' values: one array for every family of a snapshot (one
 * allocation per collection instead of one or two typed arrays per family, which were a fifth
 * of a 60-family collection's CPU at N=10), filled from `offset` on. It also records each
 * capture (the store, its labels by slot, slots used, series, where its values start) in
 * parallel arrays, so the family objects are built only when the snapshot's families are read:
 * building 57 of them eagerly was a quarter of a collection at N=10.
 */
export class FamilyColumns {
  offset = 0;
  readonly data: Float64Array;
  readonly stores: SeriesStore[] = [];
  readonly labels: Array<Slots['labels']> = [];
  readonly used: number[] = [];
  readonly counts: number[] = [];
  readonly at: number[] = [];

  /** `length` values in all. */
  constructor(length: number) {
    this.data = new Float64Array(length);
  }

  /** Copies the first `length` values of `from`; returns where they start. */
  copy(from: Float64Array, length: number): number {
    const at = this.offset;
    const data = this.data;
    if (length === from.length) data.set(from, at);
    else for (let i = 0; i < length; i++) data[at + i] = from[i]!;
    this.offset = at + length;
    return at;
  }

  /** Records a capture whose values start at `at`. */
  capture(store: SeriesStore, labels: Slots['labels'], used: number, count: number, at: number) {
    this.stores.push(store);
    this.labels.push(labels);
    this.used.push(used);
    this.counts.push(count);
    this.at.push(at);
  }

  /** The slots of capture `index`. */
  slots(index: number): Slots {
    return { labels: this.labels[index]!, used: this.used[index]!, count: this.counts[index]! };
  }

  /** Captures recorded. */
  get size(): number {
    return this.stores.length;
  }
}

/** A counter or gauge family: slot `s`'s value is `data[at + s]`. */
export class NumberColumnFamily extends ColumnFamily<number> {
  constructor(
    meta: FamilyMeta,
    slots: Slots,
    private readonly data: Float64Array,
    private readonly at: number,
  ) {
    super(meta, slots);
  }

  protected build(): Array<Series<number>> {
    const { labels, used, count } = this.slots;
    const series = new Array<Series<number>>(count);
    let i = 0;
    for (let slot = 0; slot < used; slot++) {
      const l = labels[slot];
      if (l !== undefined) series[i++] = { labels: l, value: this.data[this.at + slot]! };
    }
    return series;
  }
}

/**
 * A histogram family: per slot `width` bucket counts from `data[countsAt]` on, and a sum at
 * `data[sumsAt + slot]`.
 */
export class HistogramColumnFamily extends ColumnFamily<HistogramValue> {
  constructor(
    meta: FamilyMeta,
    slots: Slots,
    private readonly boundaries: readonly number[],
    private readonly data: Float64Array,
    private readonly countsAt: number,
    private readonly sumsAt: number,
  ) {
    super(meta, slots);
  }

  protected build(): Array<Series<HistogramValue>> {
    const width = this.boundaries.length + 1;
    const { labels, used, count: size } = this.slots;
    const series = new Array<Series<HistogramValue>>(size);
    let i = 0;
    for (let slot = 0; slot < used; slot++) {
      const l = labels[slot];
      if (l === undefined) continue;
      const { counts, count } = bucketCounts(this.data, this.countsAt + slot * width, width);
      series[i++] = {
        labels: l,
        value: { boundaries: this.boundaries, counts, sum: this.data[this.sumsAt + slot]!, count },
      };
    }
    return series;
  }
}
