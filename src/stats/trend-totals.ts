/**
 * Sums of finished jobs and latency buckets over a window of trend points, for the whole system
 * and per target: what the success-rate and latency trends compare.
 */
import { TARGET_FIELDS, type TrendPoint } from './trend-point.js';

/** Finished jobs and latency bucket counts of a window. */
export interface Totals {
  succeeded: number;
  failed: number;
  dlq: number;
  latency: number[];
}

export function emptyTotals(boundaries: readonly number[] | undefined): Totals {
  const buckets = boundaries === undefined ? 0 : boundaries.length + 1;
  return { succeeded: 0, failed: 0, dlq: 0, latency: new Array<number>(buckets).fill(0) };
}

/** Sums of a window over the whole system. */
export function windowTotals(
  points: readonly TrendPoint[],
  boundaries: readonly number[] | undefined,
): Totals {
  const t = emptyTotals(boundaries);
  const buckets = t.latency.length;
  for (const p of points) {
    t.succeeded += p.succeeded;
    t.failed += p.failed;
    t.dlq += p.dlq;
    if (p.latency.length === buckets) {
      for (let i = 0; i < buckets; i++) t.latency[i]! += p.latency[i]!;
    }
  }
  return t;
}

/** Sums of a window per target, in one pass over the packed rows. */
export function targetWindowTotals(
  points: readonly TrendPoint[],
  boundaries: readonly number[] | undefined,
): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const p of points) {
    const stride = TARGET_FIELDS + p.latency.length;
    p.targetNames.forEach((name, row) => {
      let t = out.get(name);
      if (t === undefined) {
        t = emptyTotals(boundaries);
        out.set(name, t);
      }
      const base = row * stride;
      t.succeeded += p.targetData[base]!;
      t.failed += p.targetData[base + 1]!;
      t.dlq += p.targetData[base + 2]!;
      if (p.latency.length === t.latency.length) {
        for (let i = 0; i < t.latency.length; i++) {
          t.latency[i]! += p.targetData[base + TARGET_FIELDS + i]!;
        }
      }
    });
  }
  return out;
}
