/**
 * Builds MetricsSnapshots from plain data, so statistics can be tested on exact numbers without
 * a MeterProvider: `pipelineSnapshot` describes a pipeline the way a reader of /stats thinks of
 * it (cumulative counters since start, gauges now), `buildSnapshot` takes raw families.
 */
import {
  CIRCUIT_STATE_VALUE,
  DEFAULT_NAMESPACE,
  DELIVERY_BUCKETS,
  HEALTH_STATUS_VALUE,
  MetricsSnapshot,
  type CircuitState,
  type CollectorStatus,
  type FamilyType,
  type HistogramValue,
  type Labels,
  type MetricFamily,
  type TargetHealth,
} from '../../src/index.js';

type Samples<T> = Record<string, Array<[Labels, T]>>;

export interface RawSnapshot {
  /** Unix milliseconds. */
  at: number;
  gauges?: Samples<number>;
  counters?: Samples<number>;
  histograms?: Samples<HistogramValue>;
  collectors?: Record<string, CollectorStatus>;
}

function families(
  out: Map<string, MetricFamily>,
  type: FamilyType,
  samples: Samples<unknown> | undefined,
): void {
  for (const [name, series] of Object.entries(samples ?? {})) {
    const full = `${DEFAULT_NAMESPACE}_${name}`;
    out.set(full, {
      name: full,
      type,
      help: '',
      unit: '',
      series: series.map(([labels, value]) => ({ labels, value })) as MetricFamily['series'],
    });
  }
}

export function buildSnapshot(raw: RawSnapshot): MetricsSnapshot {
  const out = new Map<string, MetricFamily>();
  families(out, 'gauge', raw.gauges);
  families(out, 'counter', raw.counters);
  families(out, 'histogram', raw.histograms);
  return new MetricsSnapshot(new Date(raw.at), 1, out, raw.collectors ?? {}, DEFAULT_NAMESPACE);
}

/** A histogram of observed values with the delivery buckets (per-bucket counts, `le` semantics). */
export function histogramOf(values: readonly number[]): HistogramValue {
  const counts = new Array<number>(DELIVERY_BUCKETS.length + 1).fill(0);
  let sum = 0;
  for (const v of values) {
    let i = 0;
    while (i < DELIVERY_BUCKETS.length && v > DELIVERY_BUCKETS[i]!) i++;
    counts[i]!++;
    sum += v;
  }
  return { boundaries: DELIVERY_BUCKETS, counts, sum, count: values.length };
}

/** `n` copies of `value`. */
export function times(n: number, value: number): number[] {
  return new Array<number>(n).fill(value);
}

export interface TargetData {
  type?: string;
  /** Omit for a target the health monitor does not report. */
  health?: TargetHealth;
  checkSuccessRate?: number;
  consecutiveFailures?: number;
  checkLatencySeconds?: number;
  lastCheckSeconds?: number;
  /** Cumulative finished jobs since start. */
  jobs?: { succeeded?: number; failed?: number; dlq?: number };
  /** Every job duration since start (all recorded at priority `high`). */
  durations?: readonly number[];
  /** Cumulative publisher errors by reason. */
  errors?: Record<string, number>;
  /** Cumulative retries by error type. */
  retries?: Record<string, number>;
  circuit?: CircuitState;
  dlqSize?: number;
}

export interface PipelineData {
  at: number;
  targets?: Record<string, TargetData>;
  queue?: Record<string, { size: number; capacity: number }>;
  workers?: { active: number; idle: number };
  collectors?: Record<string, CollectorStatus>;
}

export function pipelineSnapshot(data: PipelineData): MetricsSnapshot {
  const gauges: Samples<number> = {};
  const counters: Samples<number> = {};
  const histograms: Samples<HistogramValue> = {};
  const push = <T>(into: Samples<T>, name: string, labels: Labels, value: T) => {
    (into[name] ??= []).push([labels, value]);
  };
  for (const [target, t] of Object.entries(data.targets ?? {})) {
    if (t.health !== undefined) {
      push(
        gauges,
        'target_health_status',
        { target, type: t.type ?? 'webhook' },
        HEALTH_STATUS_VALUE[t.health],
      );
      push(gauges, 'target_success_rate', { target }, t.checkSuccessRate ?? 1);
      push(gauges, 'target_consecutive_failures', { target }, t.consecutiveFailures ?? 0);
      if (t.checkLatencySeconds !== undefined) {
        push(gauges, 'target_check_latency_seconds', { target }, t.checkLatencySeconds);
      }
      if (t.lastCheckSeconds !== undefined) {
        push(gauges, 'target_last_check_timestamp_seconds', { target }, t.lastCheckSeconds);
      }
    }
    if (t.jobs !== undefined) {
      for (const state of ['succeeded', 'failed', 'dlq'] as const) {
        push(counters, 'jobs_processed_total', { target, state }, t.jobs[state] ?? 0);
      }
    }
    if (t.durations !== undefined) {
      push(
        histograms,
        'job_duration_seconds',
        { target, priority: 'high' },
        histogramOf(t.durations),
      );
    }
    for (const [reason, n] of Object.entries(t.errors ?? {})) {
      push(
        counters,
        'publisher_errors_total',
        { publisher: t.type ?? 'webhook', target, reason },
        n,
      );
    }
    for (const [errorType, n] of Object.entries(t.retries ?? {})) {
      push(counters, 'retry_attempts_total', { target, error_type: errorType }, n);
    }
    if (t.circuit !== undefined) {
      push(gauges, 'circuit_breaker_state', { target }, CIRCUIT_STATE_VALUE[t.circuit]);
    }
    if (t.dlqSize !== undefined) push(gauges, 'dlq_size', { target }, t.dlqSize);
  }
  for (const [priority, q] of Object.entries(data.queue ?? {})) {
    push(gauges, 'queue_size', { priority }, q.size);
    push(gauges, 'queue_capacity', { priority }, q.capacity);
    push(
      gauges,
      'queue_capacity_utilization',
      { priority },
      q.capacity > 0 ? q.size / q.capacity : 0,
    );
  }
  if (data.workers !== undefined) {
    push(gauges, 'workers_active', {}, data.workers.active);
    push(gauges, 'workers_idle', {}, data.workers.idle);
  }
  return buildSnapshot({ at: data.at, gauges, counters, histograms, collectors: data.collectors });
}
