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

/** A counter or gauge family. */
export class NumberColumnFamily extends ColumnFamily<number> {
  constructor(
    meta: FamilyMeta,
    slots: Slots,
    private readonly values: Float64Array,
  ) {
    super(meta, slots);
  }

  protected build(): Array<Series<number>> {
    const { labels, used, count } = this.slots;
    const series = new Array<Series<number>>(count);
    let i = 0;
    for (let slot = 0; slot < used; slot++) {
      const l = labels[slot];
      if (l !== undefined) series[i++] = { labels: l, value: this.values[slot]! };
    }
    return series;
  }
}

/** A histogram family: per slot `width` bucket counts, a sum. */
export class HistogramColumnFamily extends ColumnFamily<HistogramValue> {
  constructor(
    meta: FamilyMeta,
    slots: Slots,
    private readonly boundaries: readonly number[],
    private readonly counts: Float64Array,
    private readonly sums: Float64Array,
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
      const counts = new Array<number>(width);
      let count = 0;
      for (let b = 0, at = slot * width; b < width; b++, at++) {
        const c = this.counts[at]!;
        counts[b] = c;
        count += c;
      }
      series[i++] = {
        labels: l,
        value: { boundaries: this.boundaries, counts, sum: this.sums[slot]!, count },
      };
    }
    return series;
  }
}
