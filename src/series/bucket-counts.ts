/** Per-bucket counts of one histogram series, and their total. */
export interface BucketCounts {
  readonly counts: number[];
  readonly count: number;
}

/**
 * The `width` bucket counts stored from `data[at]` on, as a plain array, and their total. A plain
 * loop sized up front: `Array.from(subarray)` (a view plus the iterator protocol) was a third of
 * a collection's recorder cost, and push() left garbage as it grew.
 */
export function bucketCounts(data: Float64Array, at: number, width: number): BucketCounts {
  const counts = new Array<number>(width);
  let count = 0;
  for (let i = 0; i < width; i++, at++) {
    const c = data[at] as number;
    counts[i] = c;
    count += c;
  }
  return { counts, count };
}
