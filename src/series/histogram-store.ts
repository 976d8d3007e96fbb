import type { Attributes } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import { SeriesStore } from './series-store.js';

/**
 * A fixed-bucket histogram per slot. Buckets are `(previous, bound]` as in both OTel explicit
 * buckets and Prometheus `le`. SDK Views cannot re-bucket it: the bounds come from the catalog.
 * Slot `s`'s bucket counts are `counts[s * width]` to `counts[(s + 1) * width - 1]`.
 */
export class HistogramStore extends SeriesStore {
  readonly kind = 'histogram';
  readonly boundaries: readonly number[];
  /** Buckets per slot: the boundaries and +Inf. */
  readonly width: number;
  private readonly bounds: Float64Array;
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
}
