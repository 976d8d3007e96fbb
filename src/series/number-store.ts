import type { MetricDefinition } from '../catalog.js';
import { SeriesStore } from './series-store.js';

/**
 * One number per slot: a monotonic counter or a last-value gauge. The storage is the same; `kind`
 * tells the exports which of the two they publish.
 */
export class NumberStore extends SeriesStore {
  values = new Float64Array(this.capacity);

  constructor(
    readonly kind: 'counter' | 'gauge',
    definition: MetricDefinition,
    instrument: string,
  ) {
    super(definition, instrument);
  }

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
}
