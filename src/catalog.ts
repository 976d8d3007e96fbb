/**
 * The metric catalog: the one table from which instruments, `docs/metrics.md`, the dashboard,
 * the alert rules and the PromQL guide are derived or checked. Names are the Prometheus names a
 * user sees (without the namespace prefix); counters end in `_total` there.
 */
import { catalogInstrumentName, catalogPrometheusName } from './metric-names.js';

export type MetricKind = 'gauge' | 'counter' | 'histogram';

/** Which collector produces a metric. `self` is the collection's own monitoring. */
export type CollectorName = 'health' | 'refresh' | 'discovery' | 'queue' | 'publisher' | 'self';

/**
 * Where a metric's value comes from: a subsystem port read at collection time, or a recorder the
 * host calls on its hot path (counted in preallocated slots, published at collection time).
 */
export type MetricSource = 'port' | 'recorder';

/**
 * How per-target series are labelled. `target` (default): by target name, capped by the
 * TargetGuard. `type`: the `target` label is removed and series are keyed by the target's type
 * instead (as Alertmanager labels notifications by integration, not by receiver).
 */
export type TargetLabelMode = 'target' | 'type';

/**
 * How the values of several targets folded into one gauge series combine (targets past the
 * cardinality cap, or the targets of one type in `type` mode).
 */
export type GaugeFold = 'sum' | 'min' | 'max';

export interface MetricDefinition {
  /** Prometheus name without the namespace prefix, as users see it. */
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM unit for OpenTelemetry. Curly-brace annotations keep Prometheus names suffix-free. */
  readonly unit: string;
  readonly description: string;
  readonly labels: readonly string[];
  readonly collector: CollectorName;
  readonly source: MetricSource;
  /** Histogram bucket upper bounds. */
  readonly buckets?: readonly number[];
  /** Inclusive range of valid values; anything outside is dropped and reported. */
  readonly range?: readonly [number, number];
  /**
   * Per-target port metrics: how the values of targets folded into one series combine. Given
   * where the worst value is not the largest (a success rate, a sum of queue sizes); the others
   * take `max` (status, failures, latency, timestamps: the worst value speaks for the group).
   */
  readonly fold?: GaugeFold;
  /**
   * The labels in `type` target-label mode (see `labelsFor`): `target` becomes `type`, or is
   * dropped where the metric already carries `type` or `publisher`. Derived for every row.
   */
  readonly typeModeLabels?: readonly string[];
}

/**
 * OTel semantic-convention duration buckets (http.server.request.duration), extended to 60 s
 * because a delivery with retries and backoff can take that long.
 */
export const DELIVERY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60,
];

/** Self-monitoring buckets: collections take microseconds to a second (the default timeout). */
export const COLLECTION_BUCKETS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
  0.25, 0.5, 1, 2.5,
];

/** Webhook payload sizes: 256 B to 1 MiB in powers of four. */
export const PAYLOAD_BUCKETS: readonly number[] = [256, 1024, 4096, 16384, 65536, 262144, 1048576];

const NON_NEGATIVE = [0, Number.MAX_VALUE] as const;
const RATIO = [0, 1] as const;

/** Health status gauge values. */
export const HEALTH_STATUS_VALUE = {
  unknown: 0,
  healthy: 1,
  degraded: 2,
  unhealthy: 3,
} as const;

/** Circuit-breaker state gauge values: the one mapping used everywhere. */
export const CIRCUIT_STATE_VALUE = {
  closed: 0,
  half_open: 1,
  open: 2,
} as const;

type Def = Omit<MetricDefinition, 'collector' | 'source' | 'typeModeLabels'>;

/** The labels of `labels` in `type` target-label mode (see `MetricDefinition.typeModeLabels`). */
function typeModeLabelsOf(labels: readonly string[]): readonly string[] {
  if (!labels.includes('target')) return labels;
  return labels.includes('type') || labels.includes('publisher')
    ? labels.filter((l) => l !== 'target')
    : labels.map((l) => (l === 'target' ? 'type' : l));
}

function group(
  collector: CollectorName,
  source: MetricSource,
  defs: readonly Def[],
): MetricDefinition[] {
  return defs.map((d) => {
    const perTarget = source === 'port' && d.labels.includes('target');
    const fold = d.fold ?? (perTarget ? 'max' : undefined);
    return {
      ...d,
      collector,
      source,
      typeModeLabels: typeModeLabelsOf(d.labels),
      ...(fold !== undefined ? { fold } : {}),
    };
  });
}

/** The labels a metric's series carry in target-label mode `mode`. */
export function labelsFor(def: MetricDefinition, mode: TargetLabelMode): readonly string[] {
  if (mode === 'target') return def.labels;
  return def.typeModeLabels ?? typeModeLabelsOf(def.labels);
}

export const CATALOG: readonly MetricDefinition[] = Object.freeze([
  ...group('health', 'port', [
    {
      name: 'target_health_status',
      kind: 'gauge',
      unit: '{status}',
      description: 'Target health: 0 unknown, 1 healthy, 2 degraded, 3 unhealthy.',
      labels: ['target', 'type'],
      range: [0, 3],
    },
    {
      name: 'target_consecutive_failures',
      kind: 'gauge',
      unit: '{check}',
      description: 'Consecutive failed health checks of the target.',
      labels: ['target'],
      range: NON_NEGATIVE,
    },
    {
      name: 'target_success_rate',
      kind: 'gauge',
      unit: '{ratio}',
      description: 'Lifetime health-check success ratio of the target, 0-1.',
      labels: ['target'],
      range: RATIO,
      fold: 'min',
    },
    {
      name: 'target_check_latency_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Latency of the last health check of the target.',
      labels: ['target'],
      range: NON_NEGATIVE,
    },
    {
      name: 'target_last_check_timestamp_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Unix time of the last health check of the target.',
      labels: ['target'],
      range: NON_NEGATIVE,
    },
    {
      name: 'targets_by_health',
      kind: 'gauge',
      unit: '{target}',
      description: 'Number of targets in each health status.',
      labels: ['status'],
      range: NON_NEGATIVE,
    },
  ]),
  ...group('refresh', 'port', [
    {
      name: 'refresh_last_success_timestamp_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Unix time of the last successful target refresh.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'refresh_next_timestamp_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Unix time of the next scheduled target refresh.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'refresh_in_progress',
      kind: 'gauge',
      unit: '{boolean}',
      description: '1 while a target refresh is running, else 0.',
      labels: [],
      range: [0, 1],
    },
    {
      name: 'refresh_interval_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Configured target refresh interval.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'refresh_last_duration_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Duration of the last target refresh.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'refresh_consecutive_failures',
      kind: 'gauge',
      unit: '{refresh}',
      description: 'Consecutive failed target refreshes.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'refresh_targets',
      kind: 'gauge',
      unit: '{target}',
      description: 'Targets found by the last refresh, by validity (valid/invalid).',
      labels: ['validity'],
      range: NON_NEGATIVE,
    },
  ]),
  ...group('refresh', 'recorder', [
    {
      name: 'refresh_total',
      kind: 'counter',
      unit: '{refresh}',
      description: 'Target refreshes by outcome (success/failed).',
      labels: ['status'],
    },
    {
      name: 'refresh_duration_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Duration of target refreshes by outcome.',
      labels: ['status'],
      buckets: DELIVERY_BUCKETS,
    },
  ]),
  ...group('discovery', 'port', [
    {
      name: 'discovery_targets',
      kind: 'gauge',
      unit: '{target}',
      description: 'Discovered targets by type and enabled flag.',
      labels: ['type', 'enabled'],
      range: NON_NEGATIVE,
    },
    {
      name: 'discovery_last_success_timestamp_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Unix time of the last successful target discovery.',
      labels: [],
      range: NON_NEGATIVE,
    },
  ]),
  ...group('discovery', 'recorder', [
    {
      name: 'discovery_duration_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Duration of discovery operations.',
      labels: ['operation'],
      buckets: DELIVERY_BUCKETS,
    },
    {
      name: 'discovery_errors_total',
      kind: 'counter',
      unit: '{error}',
      description: 'Discovery errors by error type.',
      labels: ['error_type'],
    },
    {
      name: 'discovery_secrets_total',
      kind: 'counter',
      unit: '{secret}',
      description: 'Target secrets read during discovery, by status.',
      labels: ['status'],
    },
    {
      name: 'target_lookups_total',
      kind: 'counter',
      unit: '{lookup}',
      description: 'Target lookups by operation and status.',
      labels: ['operation', 'status'],
    },
  ]),
  ...group('queue', 'port', [
    {
      name: 'queue_size',
      kind: 'gauge',
      unit: '{job}',
      description: 'Jobs waiting in the publishing queue, by priority.',
      labels: ['priority'],
      range: NON_NEGATIVE,
    },
    {
      name: 'queue_capacity',
      kind: 'gauge',
      unit: '{job}',
      description: 'Capacity of the publishing queue, by priority.',
      labels: ['priority'],
      range: NON_NEGATIVE,
    },
    {
      name: 'queue_capacity_utilization',
      kind: 'gauge',
      unit: '{ratio}',
      description: 'Queue size / capacity, by priority, 0-1.',
      labels: ['priority'],
      range: NON_NEGATIVE,
    },
    {
      name: 'circuit_breaker_state',
      kind: 'gauge',
      unit: '{state}',
      description: 'Circuit-breaker state of the target: 0 closed, 1 half-open, 2 open.',
      labels: ['target'],
      range: [0, 2],
    },
    {
      name: 'workers_active',
      kind: 'gauge',
      unit: '{worker}',
      description: 'Workers currently publishing a job.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'workers_idle',
      kind: 'gauge',
      unit: '{worker}',
      description: 'Workers waiting for a job.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'dlq_size',
      kind: 'gauge',
      unit: '{job}',
      description: 'Jobs in the dead-letter queue, by target.',
      labels: ['target'],
      range: NON_NEGATIVE,
      fold: 'sum',
    },
    {
      name: 'dlq_oldest_entry_age_seconds',
      kind: 'gauge',
      unit: 's',
      description: 'Age of the oldest dead-letter queue entry (0 when empty).',
      labels: [],
      range: NON_NEGATIVE,
    },
  ]),
  ...group('queue', 'recorder', [
    {
      name: 'queue_submissions_total',
      kind: 'counter',
      unit: '{job}',
      description: 'Jobs submitted to the queue, by priority and result (accepted/rejected).',
      labels: ['priority', 'result'],
    },
    {
      name: 'jobs_processed_total',
      kind: 'counter',
      unit: '{job}',
      description: 'Jobs finished, by target and final state (succeeded/failed/dlq).',
      labels: ['target', 'state'],
    },
    {
      name: 'job_duration_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Time from a job leaving the queue to its final state, retries included.',
      labels: ['target', 'priority'],
      buckets: DELIVERY_BUCKETS,
    },
    {
      name: 'job_wait_time_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Time a job waited in the queue before a worker took it.',
      labels: ['priority'],
      buckets: DELIVERY_BUCKETS,
    },
    {
      name: 'retry_attempts_total',
      kind: 'counter',
      unit: '{attempt}',
      description: 'Retry attempts by target and error type (transient/permanent/unknown).',
      labels: ['target', 'error_type'],
    },
    {
      name: 'circuit_breaker_trips_total',
      kind: 'counter',
      unit: '{trip}',
      description: 'Transitions of the target circuit breaker to open.',
      labels: ['target'],
    },
    {
      name: 'circuit_breaker_recoveries_total',
      kind: 'counter',
      unit: '{recovery}',
      description: 'Transitions of the target circuit breaker back to closed.',
      labels: ['target'],
    },
    {
      name: 'dlq_writes_total',
      kind: 'counter',
      unit: '{job}',
      description: 'Jobs written to the dead-letter queue, by target and error type.',
      labels: ['target', 'error_type'],
    },
    {
      name: 'dlq_replays_total',
      kind: 'counter',
      unit: '{job}',
      description: 'Dead-letter queue replays, by target and result (success/failure).',
      labels: ['target', 'result'],
    },
  ]),
  ...group('publisher', 'recorder', [
    {
      name: 'publisher_requests_total',
      kind: 'counter',
      unit: '{request}',
      description:
        'Requests to targets by publisher, target and status class (2xx/3xx/4xx/5xx/error).',
      labels: ['publisher', 'target', 'status'],
    },
    {
      name: 'publisher_errors_total',
      kind: 'counter',
      unit: '{error}',
      description:
        'Failed requests by reason: clientError, serverError, authError, rateLimited, timeout, network, format.',
      labels: ['publisher', 'target', 'reason'],
    },
    {
      name: 'publisher_request_duration_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Duration of one request to a target.',
      labels: ['publisher', 'target'],
      buckets: DELIVERY_BUCKETS,
    },
    {
      name: 'publisher_rate_limit_hits_total',
      kind: 'counter',
      unit: '{response}',
      description: 'Rate-limited (429) responses from targets.',
      labels: ['publisher', 'target'],
    },
    {
      name: 'slack_cache_hits_total',
      kind: 'counter',
      unit: '{lookup}',
      description: 'Slack message-cache hits (thread lookups that found the parent message).',
      labels: [],
    },
    {
      name: 'slack_cache_misses_total',
      kind: 'counter',
      unit: '{lookup}',
      description: 'Slack message-cache misses.',
      labels: [],
    },
    {
      name: 'slack_thread_replies_total',
      kind: 'counter',
      unit: '{message}',
      description: 'Slack messages posted as thread replies.',
      labels: [],
    },
    {
      name: 'slack_cache_size',
      kind: 'gauge',
      unit: '{entry}',
      description: 'Entries in the Slack message cache.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'rootly_incidents_total',
      kind: 'counter',
      unit: '{incident}',
      description: 'Rootly incident operations by action (created/updated/resolved).',
      labels: ['action'],
    },
    {
      name: 'rootly_active_incidents',
      kind: 'gauge',
      unit: '{incident}',
      description: 'Rootly incidents opened and not yet resolved.',
      labels: [],
      range: NON_NEGATIVE,
    },
    {
      name: 'pagerduty_events_total',
      kind: 'counter',
      unit: '{event}',
      description: 'PagerDuty events sent by action (trigger/acknowledge/resolve/change).',
      labels: ['action'],
    },
    {
      name: 'webhook_payload_size_bytes',
      kind: 'histogram',
      unit: 'By',
      description: 'Size of webhook request bodies.',
      labels: ['target'],
      buckets: PAYLOAD_BUCKETS,
    },
    {
      name: 'webhook_auth_failures_total',
      kind: 'counter',
      unit: '{response}',
      description: 'Webhook requests rejected for authentication, by auth type.',
      labels: ['target', 'auth_type'],
    },
  ]),
  ...group('self', 'recorder', [
    {
      name: 'collection_duration_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Duration of one collector run, timeouts included.',
      labels: ['collector'],
      buckets: COLLECTION_BUCKETS,
    },
    {
      name: 'collection_errors_total',
      kind: 'counter',
      unit: '{error}',
      description: 'Failed collector runs by reason (error/timeout).',
      labels: ['collector', 'reason'],
    },
    {
      name: 'collector_up',
      kind: 'gauge',
      unit: '{boolean}',
      description:
        '1 when the collector last collected successfully, 0 when it failed or timed out.',
      labels: ['collector'],
      range: [0, 1],
    },
    {
      name: 'collection_invalid_values_total',
      kind: 'counter',
      unit: '{value}',
      description:
        'Values a collector dropped from its port as invalid (not a number, out of range, an empty or over-long label value), by collector.',
      labels: ['collector'],
    },
    {
      name: 'recorder_rejected_total',
      kind: 'counter',
      unit: '{call}',
      description:
        'Recorder calls (or one value of a call) dropped for a bad argument, by recorder (refresh/queue/publisher/discovery/self) and reason: nan, negative, too_large, unknown_value, empty_target, empty_label, too_long.',
      labels: ['recorder', 'reason'],
    },
    {
      name: 'targets_overflowed',
      kind: 'gauge',
      unit: '{target}',
      description:
        'Distinct targets currently folded into the __overflow__ target label value because the target cap (maxTargets) is reached.',
      labels: [],
      range: NON_NEGATIVE,
    },
  ]),
]);

export const DEFAULT_NAMESPACE = 'alert_history_publishing';

const byName = new Map(CATALOG.map((d) => [d.name, d]));

/** The catalog entry for a metric name (without namespace); throws on an unknown name. */
export function metricDefinition(name: string): MetricDefinition {
  const def = byName.get(name);
  if (def === undefined) throw new Error(`unknown metric '${name}': not in the catalog`);
  return def;
}

/** Catalog entries of one collector. */
export function collectorMetrics(collector: CollectorName): MetricDefinition[] {
  return CATALOG.filter((d) => d.collector === collector);
}

/** The Prometheus name a user sees, as the Prometheus exporter writes it (see metric-names.ts). */
export function prometheusName(def: MetricDefinition, namespace = DEFAULT_NAMESPACE): string {
  return catalogPrometheusName(def, namespace);
}

/** The OpenTelemetry instrument name: counters without `_total` (see metric-names.ts). */
export function instrumentName(def: MetricDefinition, namespace = DEFAULT_NAMESPACE): string {
  return catalogInstrumentName(def, namespace);
}
