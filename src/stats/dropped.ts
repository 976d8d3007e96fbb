import { OVERFLOW_TARGET } from '../series/target-guard.js';
import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import { label } from './deltas.js';
import { successRateOf, type JobCounts, type TargetWindow } from './target-stats.js';

/**
 * The targets folded into the `__overflow__` label value past the cardinality cap: how many, and
 * what their one shared series say. Their health is in `system.targets` (the health monitor's
 * own counts), not in the target list.
 */
export interface OverflowView {
  /** The label value their series carry. */
  label: typeof OVERFLOW_TARGET;
  /** Distinct targets folded now (`targets_overflowed`). */
  targets: number;
  /** Their jobs over the window, summed. */
  jobs: JobCounts;
  successRate: number | null;
  /** Their DLQ entries, summed. */
  dlqSize: number;
}

/** What the library dropped since start, so that nothing is lost silently. */
export interface DroppedView {
  /** Recorder calls (or values) rejected for a bad argument (`recorder_rejected_total`). */
  recorderCalls: { total: number; byRecorder: Record<string, Record<string, number>> };
  /** Port values dropped as invalid (`collection_invalid_values_total`). */
  portValues: { total: number; byCollector: Record<string, number> };
}

export function overflowView(
  snapshot: MetricsSnapshot,
  windows: Map<string, TargetWindow>,
): OverflowView {
  const jobs = windows.get(OVERFLOW_TARGET)?.jobs ?? { succeeded: 0, failed: 0, dlq: 0, total: 0 };
  return {
    label: OVERFLOW_TARGET,
    targets: snapshot.sum('targets_overflowed'),
    jobs,
    successRate: successRateOf(jobs),
    dlqSize: snapshot.get('dlq_size', { target: OVERFLOW_TARGET }) ?? 0,
  };
}

export function droppedView(snapshot: MetricsSnapshot): DroppedView {
  const byRecorder: Record<string, Record<string, number>> = {};
  let recorderTotal = 0;
  for (const s of snapshot.series('recorder_rejected_total')) {
    if (!(s.value > 0)) continue;
    const recorder = label(s.labels, 'recorder');
    (byRecorder[recorder] ??= {})[label(s.labels, 'reason')] = s.value;
    recorderTotal += s.value;
  }
  const byCollector: Record<string, number> = {};
  let portTotal = 0;
  for (const s of snapshot.series('collection_invalid_values_total')) {
    if (!(s.value > 0)) continue;
    byCollector[label(s.labels, 'collector')] = s.value;
    portTotal += s.value;
  }
  return {
    recorderCalls: { total: recorderTotal, byRecorder },
    portValues: { total: portTotal, byCollector },
  };
}
