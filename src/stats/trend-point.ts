import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import type { CumulativeState } from './deltas.js';
import { windowDeltas } from './deltas.js';
import { windowsByTarget } from './target-stats.js';

/** Per-target values packed into a point: succeeded, failed, dlq, then latency bucket counts. */
export const TARGET_FIELDS = 3;

/**
 * One recorded interval, summarised: counts and latency buckets are increases since the previous
 * point, queue depth is the gauge at the end. Per-target data covers only targets that finished
 * jobs in the interval, packed in one Float32Array (4 bytes a value: job counts per interval are
 * integers far below 2^24), so a point costs about 4·(3 + buckets) bytes per active target.
 */
export interface TrendPoint {
  /** Unix milliseconds of the snapshot. */
  readonly at: number;
  /** Seconds since the previous point; 0 for the first point, which only sets the baseline. */
  readonly seconds: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly dlq: number;
  /** Job-latency bucket increases merged over targets; empty when no bucket layout is known. */
  readonly latency: Float64Array;
  /** Total queue depth; undefined when no queue is observed. */
  readonly queueDepth: number | undefined;
  readonly targetNames: readonly string[];
  /** `targetNames.length` rows of `TARGET_FIELDS + latency.length` values. */
  readonly targetData: Float32Array;
}

/** Builds a point from the snapshot and the counter state of the previous point. */
export function trendPoint(
  snapshot: MetricsSnapshot,
  current: CumulativeState,
  previous: CumulativeState | undefined,
  boundaries: readonly number[] | undefined,
  /** Target names of the previous point, shared when the active set has not changed. */
  previousNames: readonly string[] = [],
): TrendPoint {
  const at = current.at;
  const sizes = snapshot.series('queue_size');
  const queueDepth = sizes.length === 0 ? undefined : sizes.reduce((sum, s) => sum + s.value, 0);
  const buckets = boundaries === undefined ? 0 : boundaries.length + 1;
  const latency = new Float64Array(buckets);
  if (previous === undefined) {
    return {
      at,
      seconds: 0,
      succeeded: 0,
      failed: 0,
      dlq: 0,
      latency,
      queueDepth,
      targetNames: [],
      targetData: new Float32Array(0),
    };
  }
  const windows = windowsByTarget(windowDeltas(current, previous));
  const stride = TARGET_FIELDS + buckets;
  const active = [...windows].filter(([, w]) => w.jobs.total > 0 || (w.latency?.count ?? 0) > 0);
  const targetData = new Float32Array(active.length * stride);
  let succeeded = 0;
  let failed = 0;
  let dlq = 0;
  active.forEach(([, w], row) => {
    const base = row * stride;
    targetData[base] = w.jobs.succeeded;
    targetData[base + 1] = w.jobs.failed;
    targetData[base + 2] = w.jobs.dlq;
    succeeded += w.jobs.succeeded;
    failed += w.jobs.failed;
    dlq += w.jobs.dlq;
    const counts = w.latency?.counts;
    if (counts !== undefined && counts.length === buckets) {
      for (let i = 0; i < buckets; i++) {
        const c = counts[i] as number;
        targetData[base + TARGET_FIELDS + i] = c;
        latency[i]! += c;
      }
    }
  });
  return {
    at,
    seconds: Math.max(0, (at - previous.at) / 1000),
    succeeded,
    failed,
    dlq,
    latency,
    queueDepth,
    targetNames: sameNames(active, previousNames) ? previousNames : active.map(([name]) => name),
    targetData,
  };
}

/** True when `active` lists exactly `names`, in order: consecutive points then share one array. */
function sameNames(active: ReadonlyArray<readonly [string, unknown]>, names: readonly string[]) {
  if (active.length !== names.length) return false;
  for (let i = 0; i < names.length; i++) if (active[i]![0] !== names[i]) return false;
  return true;
}

/** The bucket layout of the first job-latency histogram in the state. */
export function latencyBoundaries(state: CumulativeState): readonly number[] | undefined {
  for (const s of state.histograms.get('job_duration_seconds')?.values() ?? []) {
    return s.value.boundaries;
  }
  return undefined;
}
