import type { HistogramStore } from '../series/histogram-store.js';
import type { NumberStore } from '../series/number-store.js';
import type { SeriesStore } from '../series/series-store.js';
import {
  FamilyColumns,
  HistogramColumnFamily,
  NumberColumnFamily,
  type FamilyMeta,
  type Slots,
} from './column-family.js';
import { prometheusFamilyName } from '../metric-names.js';
import type { MetricFamily } from './snapshot.js';

/** Values per slot a capture copies: the value, or a histogram's bucket counts and sum. */
function valuesPerSlot(store: SeriesStore): number {
  return store.kind === 'histogram' ? (store as HistogramStore).width + 1 : 1;
}

/** How many values `capture` copies from `store` (0 without series). */
export function columnLength(store: SeriesStore): number {
  return store.seriesCount === 0 ? 0 : store.used * valuesPerSlot(store);
}

/**
 * Copies the current series' values of `store` into `columns` and records the capture (its
 * family is built by `familyAt` when read); false when there are no series. The slots'
 * attributes are shared with the store, which copies them before its next change.
 */
export function capture(columns: FamilyColumns, store: SeriesStore): boolean {
  const count = store.seriesCount;
  if (count === 0) return false;
  const labels = store.shareAttributes() as Slots['labels'];
  const used = store.used;
  let at: number;
  if (store.kind === 'histogram') {
    // Bucket counts, then the sums right after them.
    const histograms = store as HistogramStore;
    at = columns.copy(histograms.counts, used * histograms.width);
    columns.copy(histograms.sums, used);
  } else at = columns.copy((store as NumberStore).values, used);
  columns.capture(store, labels, used, count, at);
  return true;
}

/** The family of capture `index` of `columns` (see `capture`). */
export function familyAt(columns: FamilyColumns, index: number): MetricFamily {
  const store = columns.stores[index]!;
  const meta: FamilyMeta = {
    name: prometheusFamilyName(store.instrument, store.kind === 'counter'),
    type: store.kind,
    help: store.definition.description,
    unit: store.definition.unit,
  };
  const slots = columns.slots(index);
  const at = columns.at[index]!;
  if (store.kind !== 'histogram') return new NumberColumnFamily(meta, slots, columns.data, at);
  const { boundaries, width } = store as HistogramStore;
  const sumsAt = at + slots.used * width;
  return new HistogramColumnFamily(meta, slots, boundaries, columns.data, at, sumsAt);
}

/**
 * Every family of `stores`, for a snapshot (no OTel data points in between): the values are
 * copied now, into one array for all of them (one allocation per collection), and the family
 * objects built when the snapshot's families are first read. Catalog names are unique; a host's
 * store of the same name joins the family.
 */
export function captureFamilies(stores: readonly SeriesStore[]): () => Map<string, MetricFamily> {
  let length = 0;
  for (const store of stores) length += columnLength(store);
  const columns = new FamilyColumns(length);
  for (const store of stores) capture(columns, store);
  return () => {
    const families = new Map<string, MetricFamily>();
    for (let i = 0; i < columns.size; i++) {
      const family = familyAt(columns, i);
      const existing = families.get(family.name);
      if (existing === undefined) families.set(family.name, family);
      else
        families.set(family.name, {
          name: existing.name,
          type: existing.type,
          help: existing.help,
          unit: existing.unit,
          series: [...existing.series, ...family.series] as MetricFamily['series'],
        });
    }
    return families;
  };
}
