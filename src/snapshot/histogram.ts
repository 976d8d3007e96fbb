/** Histogram values as the snapshot holds them, and quantile estimation from buckets. */

export interface HistogramValue {
  /** Bucket upper bounds, ascending; the implicit last bucket is +Inf. */
  readonly boundaries: readonly number[];
  /** Per-bucket (not cumulative) counts; `boundaries.length + 1` entries. */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/**
 * Estimates the q-quantile (0–1) the way PromQL's `histogram_quantile` does: linear interpolation
 * inside the bucket that holds the rank, the first bucket starting at 0, and the highest finite
 * bound when the rank falls in the +Inf bucket. `undefined` when the histogram is empty.
 */
export function estimateQuantile(h: HistogramValue, q: number): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  let total = 0;
  for (const c of h.counts) total += c;
  if (total <= 0) return undefined;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const count = h.counts[i] as number;
    const before = cumulative;
    cumulative += count;
    if (cumulative >= rank && count > 0) {
      if (i >= h.boundaries.length) return h.boundaries[h.boundaries.length - 1] ?? 0;
      const upper = h.boundaries[i] as number;
      const lower = i === 0 ? Math.min(0, upper) : (h.boundaries[i - 1] as number);
      return lower + ((upper - lower) * (rank - before)) / count;
    }
  }
  return h.boundaries[h.boundaries.length - 1];
}

/** Bucket-wise difference `later - earlier` (a window's histogram); a reset yields `later`. */
export function subtractHistogram(
  later: HistogramValue,
  earlier: HistogramValue | undefined,
): HistogramValue {
  if (
    earlier === undefined ||
    earlier.count > later.count ||
    earlier.counts.length !== later.counts.length
  ) {
    return later;
  }
  const counts = later.counts.map((c, i) => c - (earlier.counts[i] as number));
  if (counts.some((c) => c < 0)) return later;
  return {
    boundaries: later.boundaries,
    counts,
    sum: later.sum - earlier.sum,
    count: later.count - earlier.count,
  };
}
