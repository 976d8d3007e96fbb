import type { Attributes, HrTime } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import { hrTime } from './hr-time.js';

const INITIAL_CAPACITY = 16;

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

/** What a store's values mean: how its consumers export them. */
export type StoreKind = 'counter' | 'gauge' | 'histogram';

/**
 * Series storage for one catalog metric, written by recorders and collectors alike: label tuples
 * map to dense slots in typed arrays, so the hot path is an index increment. A slot is allocated
 * (and its attributes object built) the first time its label tuple is seen; after that recording
 * allocates nothing. The exports read it through `kind`, `used`, `seriesCount`, the attributes
 * and start times by slot and the subclass's value arrays; building their output (OTel metric
 * data, snapshot families) is theirs.
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
  protected capacity = INITIAL_CAPACITY;
  abstract readonly kind: StoreKind;

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
  attributesOf(slot: number): Attributes {
    return this.attributes[slot] as Attributes;
  }

  /** Slots in use are below this index (free slots below it have no attributes). */
  get used(): number {
    return this.next;
  }

  /** Attributes by slot, `undefined` for a free slot; valid until the store's next change. */
  get attributesBySlot(): ReadonlyArray<Attributes | undefined> {
    return this.attributes;
  }

  /**
   * `attributesBySlot` for a reader that keeps it past the store's next change (a snapshot): the
   * store copies the array before changing it again, so the reader need not copy it.
   */
  shareAttributes(): ReadonlyArray<Attributes | undefined> {
    this.attributesShared = true;
    return this.attributes;
  }

  /** When a current series' slot started (the same object for every export of the slot). */
  startTimeOf(slot: number): HrTime {
    return this.startTimes[slot] as HrTime;
  }

  private ownAttributes(): Array<Attributes | undefined> {
    if (this.attributesShared) {
      this.attributes = this.attributes.slice();
      this.attributesShared = false;
    }
    return this.attributes;
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
}
