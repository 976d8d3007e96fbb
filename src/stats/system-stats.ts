import type { CollectorStatus, MetricsSnapshot } from '../snapshot/snapshot.js';
import { label, mergeHistograms, type CumulativeState } from './deltas.js';
import { droppedView, overflowView, type DroppedView, type OverflowView } from './dropped.js';
import { systemHealthScore, type Slo, type SystemHealthScore } from './health-score.js';
import {
  quantiles,
  successRateOf,
  type JobCounts,
  type LatencyQuantiles,
  type TargetStats,
  type TargetWindow,
} from './target-stats.js';
import type { HistogramValue } from '../snapshot/histogram.js';

export interface PriorityQueueView {
  size: number;
  capacity: number | null;
  /** size / capacity, 0–1 (above 1 when a queue overfills). */
  utilization: number | null;
}

export interface QueueView {
  /** Jobs waiting over all priorities. */
  depth: number;
  capacity: number | null;
  utilization: number | null;
  priorities: Record<string, PriorityQueueView>;
}

export interface TargetCounts {
  total: number;
  healthy: number;
  degraded: number;
  unhealthy: number;
  unknown: number;
}

export interface SystemStats {
  /**
   * Every target by health: the health monitor's own counts (`targets_by_health`, computed over
   * all its targets, those folded past the cardinality cap included), plus targets only seen in
   * recorder series (no health check: `unknown`).
   */
  targets: TargetCounts;
  /** The targets folded into `__overflow__` past the cardinality cap. */
  overflow: OverflowView;
  /** What the library dropped since start (bad recorder arguments, invalid port values). */
  dropped: DroppedView;
  jobs: JobCounts;
  /** succeeded / finished over the window, 0–1; null without jobs. */
  successRate: number | null;
  /** Finished jobs per second over the window; null without an earlier snapshot in the window. */
  jobsPerSecond: number | null;
  latency: LatencyQuantiles;
  /** Null when no queue is observed. */
  queue: QueueView | null;
  dlq: {
    total: number;
    /** Change of the DLQ total over the window (negative: drained); null without a baseline. */
    change: number | null;
    oldestEntryAgeSeconds: number | null;
  };
  workers: { active: number | null; idle: number | null };
  collectors: Record<string, CollectorStatus>;
  healthScore: SystemHealthScore;
}

function queueView(snapshot: MetricsSnapshot): QueueView | null {
  const sizes = snapshot.series('queue_size');
  if (sizes.length === 0) return null;
  const priorities: Record<string, PriorityQueueView> = {};
  let depth = 0;
  let capacity = 0;
  let capacityKnown = true;
  let maxUtilization: number | null = null;
  for (const s of sizes) {
    const priority = label(s.labels, 'priority');
    const cap = snapshot.get('queue_capacity', { priority });
    const reported = snapshot.get('queue_capacity_utilization', { priority });
    const utilization = reported ?? (cap !== undefined && cap > 0 ? s.value / cap : null);
    priorities[priority] = { size: s.value, capacity: cap ?? null, utilization };
    depth += s.value;
    if (cap === undefined) capacityKnown = false;
    else capacity += cap;
    if (utilization !== null) maxUtilization = Math.max(maxUtilization ?? 0, utilization);
  }
  // Overall utilization weighs priorities by capacity; without capacities the fullest queue speaks.
  const utilization = capacityKnown && capacity > 0 ? depth / capacity : maxUtilization;
  return { depth, capacity: capacityKnown ? capacity : null, utilization, priorities };
}

export interface SystemInputs {
  snapshot: MetricsSnapshot;
  current: CumulativeState;
  baseline: CumulativeState | undefined;
  windows: Map<string, TargetWindow>;
  targets: TargetStats[];
  slo: Slo;
}

/**
 * Targets by health. The listed targets stop at the cardinality cap (the rest share one
 * `__overflow__` series), so the health monitor's own counts are used where it reports them:
 * with 800 targets, a cap of 500 and 300 unhealthy, availability is 500/800, not 500/500.
 */
function targetCounts(snapshot: MetricsSnapshot, targets: TargetStats[]): TargetCounts {
  const counts: TargetCounts = { total: 0, healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
  const monitor = snapshot.series('targets_by_health');
  if (monitor.length === 0) {
    for (const t of targets) counts[t.health.status]++;
  } else {
    for (const s of monitor) {
      const status = label(s.labels, 'status');
      if (status in counts && status !== 'total') counts[status as keyof TargetCounts] += s.value;
    }
    const checked = new Set(
      snapshot.series('target_health_status').map((s) => label(s.labels, 'target')),
    );
    for (const t of targets) if (!checked.has(t.name)) counts.unknown++;
  }
  counts.total = counts.healthy + counts.degraded + counts.unhealthy + counts.unknown;
  return counts;
}

export function buildSystemStats(inputs: SystemInputs): SystemStats {
  const { snapshot, current, baseline, windows, targets, slo } = inputs;
  const byHealth = targetCounts(snapshot, targets);
  // Targets the health monitor reports (all of them, past the cap too); one only seen in job
  // counters has no check to fail.
  const monitored =
    snapshot.series('targets_by_health').length > 0
      ? snapshot.sum('targets_by_health')
      : snapshot.series('target_health_status').length;

  const jobs: JobCounts = { succeeded: 0, failed: 0, dlq: 0, total: 0 };
  let latencyWindow: HistogramValue | undefined;
  for (const w of windows.values()) {
    jobs.succeeded += w.jobs.succeeded;
    jobs.failed += w.jobs.failed;
    jobs.dlq += w.jobs.dlq;
    jobs.total += w.jobs.total;
    if (w.latency !== undefined) latencyWindow = mergeHistograms(latencyWindow, w.latency);
  }
  const successRate = successRateOf(jobs);
  const seconds = baseline === undefined ? null : (current.at - baseline.at) / 1000;
  const latency = quantiles(latencyWindow);
  const queue = queueView(snapshot);

  const checkRates = targets
    .map((t) => t.health.checkSuccessRate)
    .filter((r): r is number => r !== null);
  const checkSuccessRate =
    checkRates.length === 0 ? null : checkRates.reduce((a, b) => a + b, 0) / checkRates.length;

  const dlqTotal = current.dlqTotal ?? 0;
  const workersActive = snapshot.series('workers_active')[0]?.value ?? null;
  const workersIdle = snapshot.series('workers_idle')[0]?.value ?? null;
  const dlqAge = snapshot.series('dlq_oldest_entry_age_seconds')[0]?.value ?? null;

  return {
    targets: byHealth,
    overflow: overflowView(snapshot, windows),
    dropped: droppedView(snapshot),
    jobs,
    successRate,
    jobsPerSecond: seconds !== null && seconds > 0 ? jobs.total / seconds : null,
    latency,
    queue,
    dlq: {
      total: dlqTotal,
      change:
        baseline === undefined || current.dlqTotal === undefined
          ? null
          : dlqTotal - (baseline.dlqTotal ?? 0),
      oldestEntryAgeSeconds: dlqAge,
    },
    workers: { active: workersActive, idle: workersIdle },
    collectors: { ...snapshot.collectors },
    healthScore: systemHealthScore(
      {
        windowJobs: jobs.total,
        windowSuccessRate: successRate,
        checkSuccessRate,
        healthyTargets: byHealth.healthy,
        totalTargets: monitored,
        p95Seconds: latency.p95,
        utilization: queue?.utilization ?? null,
      },
      slo,
    ),
  };
}
