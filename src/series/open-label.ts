import { usableLabelValue } from './label-value.js';

/** The label value that values of an open label beyond its cap fold into. */
export const OTHER_LABEL_VALUE = 'other';

/** Distinct values an open label (operation, error type, publisher, type, ...) keeps. */
export const DEFAULT_LABEL_VALUES = 64;

/**
 * An open-vocabulary label: each value gets an entry (a slot, an interned label) on first use, up
 * to `cap` values; later values share the `other` entry. Values are never dropped, so a lookup
 * after the first use is one `Map.get` and allocates nothing.
 */
export class OpenLabel<T> {
  private readonly entries = new Map<string, T>();
  private other: T | undefined;

  constructor(
    private readonly create: (value: string) => T,
    readonly cap = DEFAULT_LABEL_VALUES,
  ) {}

  /** The entry of `value`; undefined for a non-string, empty or over-long value. */
  get(value: string): T | undefined {
    const entry = this.entries.get(value);
    return entry !== undefined ? entry : this.add(value);
  }

  get size(): number {
    return this.entries.size;
  }

  private add(value: string): T | undefined {
    if (!usableLabelValue(value)) return undefined;
    if (this.entries.size < this.cap) {
      const entry = this.create(value);
      this.entries.set(value, entry);
      return entry;
    }
    if (this.other === undefined) this.other = this.create(OTHER_LABEL_VALUE);
    return this.other;
  }
}
