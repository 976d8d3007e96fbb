import type { PublishingStats, StatsSource } from './aggregator.js';

export type OverallHealth = 'healthy' | 'degraded' | 'unhealthy';

export type HealthReasonCode =
  | 'collector_errors'
  | 'targets_unhealthy'
  | 'circuits_open'
  | 'dlq_growing'
  | 'health_score_low';

export interface HealthReason {
  code: HealthReasonCode;
  message: string;
  /** Targets concerned (unhealthy targets, open circuits). */
  targets?: string[];
  /** Failed collectors and their errors. */
  collectors?: Record<string, string>;
  /** DLQ growth over the window, jobs. */
  change?: number;
}

export interface HealthReport {
  /** The source of the statistics the verdict is drawn from. */
  source: StatsSource;
  status: OverallHealth;
  /** System health score, 0–100. */
  score: number;
  /** Why the status is not `healthy`; empty when it is. */
  reasons: HealthReason[];
  timestamp: string;
}

export interface HealthReportOptions {
  /**
   * DLQ growth over the stats window that marks the system degraded (default 10 jobs): a few
   * dead-lettered jobs are routine, a steady stream means deliveries are being lost.
   */
  dlqGrowthThreshold?: number;
  /** System score below which the status is `unhealthy` (default 50). */
  unhealthyBelowScore?: number;
}

export const DEFAULT_DLQ_GROWTH_THRESHOLD = 10;
export const DEFAULT_UNHEALTHY_BELOW_SCORE = 50;

/**
 * The overall verdict: `unhealthy` when every target is unhealthy, every collector fails or the
 * score is below the threshold; `degraded` when anything else needs attention; else `healthy`.
 */
export function assessHealth(
  stats: PublishingStats,
  options: HealthReportOptions = {},
): HealthReport {
  const dlqThreshold = options.dlqGrowthThreshold ?? DEFAULT_DLQ_GROWTH_THRESHOLD;
  const unhealthyBelow = options.unhealthyBelowScore ?? DEFAULT_UNHEALTHY_BELOW_SCORE;
  const { system, targets } = stats;
  const reasons: HealthReason[] = [];
  let unhealthy = false;

  const failed: Record<string, string> = {};
  let available = 0;
  for (const [name, status] of Object.entries(system.collectors)) {
    if (!status.available) continue;
    available++;
    if (!status.ok) failed[name] = status.error ?? 'failed';
  }
  const failedCount = Object.keys(failed).length;
  if (failedCount > 0) {
    reasons.push({
      code: 'collector_errors',
      message: `${failedCount} of ${available} collector(s) failing: ${Object.keys(failed).join(', ')}`,
      collectors: failed,
    });
    if (failedCount === available) unhealthy = true;
  }

  // Counted from system.targets (every target, past the cardinality cap too); named from the
  // listed ones (targets folded into `__overflow__` have no name of their own).
  const down = targets.filter((t) => t.health.status === 'unhealthy').map((t) => t.name);
  const downCount = Math.max(system.targets.unhealthy, down.length);
  if (downCount > 0) {
    reasons.push({
      code: 'targets_unhealthy',
      message: `${downCount} of ${system.targets.total} target(s) unhealthy`,
      targets: down,
    });
    if (downCount >= system.targets.total) unhealthy = true;
  }

  const open = targets.filter((t) => t.circuitState === 'open').map((t) => t.name);
  if (open.length > 0) {
    reasons.push({
      code: 'circuits_open',
      message: `${open.length} circuit breaker(s) open`,
      targets: open,
    });
  }

  const growth = system.dlq.change;
  if (growth !== null && growth >= dlqThreshold) {
    reasons.push({
      code: 'dlq_growing',
      message: `dead-letter queue grew by ${growth} in ${stats.window.seconds ?? 0} s (threshold ${dlqThreshold})`,
      change: growth,
    });
  }

  const score = system.healthScore.score;
  if (score < unhealthyBelow) {
    reasons.push({
      code: 'health_score_low',
      message: `health score ${score.toFixed(1)} is below ${unhealthyBelow}`,
    });
    unhealthy = true;
  }

  return {
    source: stats.source,
    status: unhealthy ? 'unhealthy' : reasons.length > 0 ? 'degraded' : 'healthy',
    score,
    reasons,
    timestamp: stats.timestamp,
  };
}
