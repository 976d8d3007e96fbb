import { OVERFLOW_TARGET } from '../series/target-guard.js';
import { CIRCUIT_STATE_VALUE, HEALTH_STATUS_VALUE } from '../catalog.js';
import { estimateQuantile, type HistogramValue } from '../snapshot/histogram.js';
import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import type { CircuitState, TargetHealth } from '../sources.js';
import { label, mergeHistograms, type WindowDeltas } from './deltas.js';
import { targetHealthScore, type Slo, type TargetHealthScore } from './health-score.js';

/** Finished jobs in the window by final state. */
export interface JobCounts {
  succeeded: number;
  failed: number;
  dlq: number;
  total: number;
}

/** Delivery latency quantiles in the window, seconds (null without jobs). */
export interface LatencyQuantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Jobs timed in the window. */
  count: number;
}

export interface TargetCheckStats {
  status: TargetHealth;
  consecutiveFailures: number | null;
  checkLatencySeconds: number | null;
  /** ISO time of the last health check. */
  lastCheck: string | null;
  /** Lifetime health-check success ratio, 0–1. */
  checkSuccessRate: number | null;
}

export interface TargetStats {
  name: string;
  /** Target kind from the health monitor (`slack`, `webhook`, ...); `unknown` when not reported. */
  type: string;
  health: TargetCheckStats;
  jobs: JobCounts;
  /** succeeded / (succeeded + failed + dlq) over the window, 0–1; null without jobs. */
  successRate: number | null;
  latency: LatencyQuantiles;
  /** Publisher errors in the window by reason. */
  errors: Record<string, number>;
  /** Retry attempts in the window. */
  retries: { total: number; byErrorType: Record<string, number> };
  circuitState: CircuitState | 'unknown';
  dlqSize: number;
  healthScore: TargetHealthScore;
}

const HEALTH_BY_VALUE = new Map<number, TargetHealth>(
  Object.entries(HEALTH_STATUS_VALUE).map(([k, v]) => [v, k as TargetHealth]),
);
const CIRCUIT_BY_VALUE = new Map<number, CircuitState>(
  Object.entries(CIRCUIT_STATE_VALUE).map(([k, v]) => [v, k as CircuitState]),
);

/** Everything the window says about one target, before it becomes {@link TargetStats}. */
export interface TargetWindow {
  jobs: JobCounts;
  latency: HistogramValue | undefined;
  errors: Record<string, number>;
  retries: Record<string, number>;
}

function emptyWindow(): TargetWindow {
  return {
    jobs: { succeeded: 0, failed: 0, dlq: 0, total: 0 },
    latency: undefined,
    errors: {},
    retries: {},
  };
}

/** Groups window deltas by `target`. */
export function windowsByTarget(deltas: WindowDeltas): Map<string, TargetWindow> {
  const out = new Map<string, TargetWindow>();
  const of = (target: string) => {
    let w = out.get(target);
    if (w === undefined) {
      w = emptyWindow();
      out.set(target, w);
    }
    return w;
  };
  for (const s of deltas.counters.get('jobs_processed_total') ?? []) {
    const w = of(label(s.labels, 'target'));
    const state = s.labels['state'];
    if (state === 'succeeded' || state === 'failed' || state === 'dlq') {
      w.jobs[state] += s.value;
      w.jobs.total += s.value;
    }
  }
  for (const s of deltas.counters.get('publisher_errors_total') ?? []) {
    const errors = of(label(s.labels, 'target')).errors;
    const reason = label(s.labels, 'reason');
    errors[reason] = (errors[reason] ?? 0) + s.value;
  }
  for (const s of deltas.counters.get('retry_attempts_total') ?? []) {
    const retries = of(label(s.labels, 'target')).retries;
    const type = label(s.labels, 'error_type');
    retries[type] = (retries[type] ?? 0) + s.value;
  }
  for (const s of deltas.histograms.get('job_duration_seconds') ?? []) {
    const w = of(label(s.labels, 'target'));
    w.latency = mergeHistograms(w.latency, s.value);
  }
  return out;
}

export function quantiles(h: HistogramValue | undefined): LatencyQuantiles {
  if (h === undefined || h.count <= 0) return { p50: null, p95: null, p99: null, count: 0 };
  return {
    p50: estimateQuantile(h, 0.5) ?? null,
    p95: estimateQuantile(h, 0.95) ?? null,
    p99: estimateQuantile(h, 0.99) ?? null,
    count: h.count,
  };
}

export function successRateOf(jobs: JobCounts): number | null {
  return jobs.total > 0 ? jobs.succeeded / jobs.total : null;
}

/** Every target any family mentions, so an idle target still has its health and circuit. */
function targetNames(snapshot: MetricsSnapshot, windows: Map<string, TargetWindow>): string[] {
  const names = new Set(windows.keys());
  for (const family of [
    'target_health_status',
    'target_success_rate',
    'circuit_breaker_state',
    'dlq_size',
  ]) {
    for (const s of snapshot.series(family)) {
      const target = s.labels['target'];
      if (target !== undefined) names.add(target);
    }
  }
  names.delete('');
  // Not a target: the series of every target past the cap (system.overflow describes it).
  names.delete(OVERFLOW_TARGET);
  return [...names].sort();
}

function valueOr<T>(value: number | undefined, map: (v: number) => T, fallback: T): T {
  return value === undefined ? fallback : map(value);
}

/** ISO form of Unix seconds; null when absent or beyond what a Date can hold. */
export function isoTime(unixSeconds: number | undefined): string | null {
  if (unixSeconds === undefined) return null;
  const date = new Date(unixSeconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function buildTargetStats(
  snapshot: MetricsSnapshot,
  windows: Map<string, TargetWindow>,
  slo: Slo,
): TargetStats[] {
  const healthSeries = new Map<string, { value: number; type: string }>();
  for (const s of snapshot.series('target_health_status')) {
    healthSeries.set(label(s.labels, 'target'), { value: s.value, type: label(s.labels, 'type') });
  }
  return targetNames(snapshot, windows).map((name) => {
    const w = windows.get(name) ?? emptyWindow();
    const target = { target: name };
    const healthEntry = healthSeries.get(name);
    const status = HEALTH_BY_VALUE.get(healthEntry?.value ?? 0) ?? 'unknown';
    const checkSuccessRate = snapshot.get('target_success_rate', target) ?? null;
    const circuitState = valueOr<CircuitState | 'unknown'>(
      snapshot.get('circuit_breaker_state', target),
      (v) => CIRCUIT_BY_VALUE.get(v) ?? 'unknown',
      'unknown',
    );
    const latency = quantiles(w.latency);
    const successRate = successRateOf(w.jobs);
    let retriesTotal = 0;
    for (const v of Object.values(w.retries)) retriesTotal += v;
    return {
      name,
      type: healthEntry?.type || 'unknown',
      health: {
        status,
        consecutiveFailures: snapshot.get('target_consecutive_failures', target) ?? null,
        checkLatencySeconds: snapshot.get('target_check_latency_seconds', target) ?? null,
        lastCheck: isoTime(snapshot.get('target_last_check_timestamp_seconds', target)),
        checkSuccessRate,
      },
      jobs: w.jobs,
      successRate,
      latency,
      errors: w.errors,
      retries: { total: retriesTotal, byErrorType: w.retries },
      circuitState,
      dlqSize: snapshot.get('dlq_size', target) ?? 0,
      healthScore: targetHealthScore(
        {
          windowJobs: w.jobs.total,
          windowSuccessRate: successRate,
          checkSuccessRate,
          health: status,
          p95Seconds: latency.p95,
          circuit: circuitState,
        },
        slo,
      ),
    };
  });
}
