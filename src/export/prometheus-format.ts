/**
 * Value and label formatting of the Prometheus text format 0.0.4, as exporter-prometheus's
 * `PrometheusSerializer` formats them (escaping, `+Inf`/`-Inf`/`NaN`, histogram `le` labels).
 */
import { escapeLabelValue } from '../label-escaping.js';

/** A label value: non-strings JSON-encoded, then backslash, newline and double quote escaped. */
export function labelValue(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : value === undefined
        ? ''
        : (JSON.stringify(value) as string | undefined);
  return text === undefined ? '' : escapeLabelValue(text);
}

/** Prometheus number formatting: `+Inf`, `-Inf`, `NaN`, otherwise JavaScript's. */
export function formatValue(value: number): string {
  return value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : `${value}`;
}

export function quoted(value: string): string {
  return JSON.stringify(value);
}

/**
 * The `le` values (with the closing `"} `) of a histogram's bucket lines, computed once per
 * boundaries array: the points of one metric normally share theirs. A bucket past an explicit
 * `Infinity` bound is left out; one without a bound is `+Inf`.
 */
export class BucketLabels {
  private boundaries: readonly number[] | undefined;
  private length = -1;
  private les: string[] = [];

  of(boundaries: readonly number[], length: number): readonly string[] {
    if (boundaries === this.boundaries && length === this.length) return this.les;
    const les: string[] = [];
    let infinityBound = false;
    for (let i = 0; i < length; i++) {
      const bound = boundaries[i];
      if (bound === undefined && infinityBound) break;
      if (bound === Infinity) infinityBound = true;
      les.push(`${bound === undefined || bound === Infinity ? '+Inf' : String(bound)}"} `);
    }
    this.boundaries = boundaries;
    this.length = length;
    this.les = les;
    return les;
  }
}
