/**
 * Subsystem ports: the read-only interfaces a host implements so the collectors can observe its
 * alert-publishing pipeline. Reads should be cheap (cached state); every method may return a value
 * or a Promise. Collectors call them under a timeout, so a slow port degrades only its own metrics.
 */

/** A value now or later: every port method may be synchronous or asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** Health of one publishing target as seen by the host's periodic health checks. */
export type TargetHealth = 'unknown' | 'healthy' | 'degraded' | 'unhealthy';

export interface TargetHealthStatus {
  targetName: string;
  /** Target kind: `slack`, `rootly`, `pagerduty`, `webhook`, or any host-defined type. */
  targetType: string;
  enabled: boolean;
  status: TargetHealth;
  /** Latency of the last health check, milliseconds. */
  latencyMs?: number;
  errorMessage?: string;
  /** When the last check ran. */
  lastCheck: Date;
  lastSuccess?: Date;
  lastFailure?: Date;
  consecutiveFailures: number;
  totalChecks: number;
  totalSuccesses: number;
  totalFailures: number;
  /** Lifetime check success ratio, 0–1. */
  successRate: number;
}

export interface HealthMonitor {
  getHealth(): MaybePromise<readonly TargetHealthStatus[]>;
}

export type RefreshState = 'idle' | 'in_progress' | 'success' | 'failed';

export interface RefreshStatus {
  state: RefreshState;
  /** When the last successful refresh finished. */
  lastRefresh?: Date;
  nextRefresh?: Date;
  /** Duration of the last refresh, milliseconds. */
  refreshDurationMs?: number;
  /** Configured refresh interval, milliseconds. */
  intervalMs: number;
  targetsDiscovered: number;
  targetsValid: number;
  targetsInvalid: number;
  error?: string;
  consecutiveFailures: number;
}

export interface RefreshManager {
  getStatus(): MaybePromise<RefreshStatus>;
}

export interface PublishingTarget {
  name: string;
  type: string;
  url: string;
  enabled: boolean;
}

export interface DiscoveryStats {
  totalTargets: number;
  validTargets: number;
  invalidTargets: number;
  lastDiscovery?: Date;
  discoveryErrors: number;
}

export interface TargetDiscoveryManager {
  listTargets(): MaybePromise<readonly PublishingTarget[]>;
  getStats(): MaybePromise<DiscoveryStats>;
}

export type Priority = 'high' | 'medium' | 'low';

/** One documented mapping used everywhere: 0 closed, 1 half-open, 2 open. */
export type CircuitState = 'closed' | 'half_open' | 'open';

export interface PriorityQueueStats {
  size: number;
  capacity: number;
}

export interface QueueStats {
  /** Queue depth and capacity per priority. */
  priorities: Readonly<Record<Priority, PriorityQueueStats>>;
  workersActive: number;
  workersIdle: number;
  /** Dead-letter queue entries per target. */
  dlqSize: Readonly<Record<string, number>>;
  /** Age of the oldest DLQ entry, seconds; absent or 0 when the DLQ is empty. */
  dlqOldestEntryAgeSeconds?: number;
  /** Circuit-breaker state per target. */
  circuitBreakers: Readonly<Record<string, CircuitState>>;
}

export interface PublishingQueue {
  getStats(): MaybePromise<QueueStats>;
}
