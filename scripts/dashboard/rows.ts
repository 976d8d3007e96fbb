/**
 * The dashboard's rows and panels as data: titles, PromQL from the catalog's names, units,
 * thresholds and value mappings (from the catalog's health and circuit-state values). panels.ts
 * turns each entry into a Grafana panel.
 */
import {
  MappingType,
  type Threshold,
  type ValueMapping,
  type ValueMappingResult,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { CIRCUIT_STATE_VALUE, HEALTH_STATUS_VALUE } from '../../src/catalog.js';
import { m, quantile, RATE, RULE, sumRate, TARGET } from './promql.js';
import type { RowSpec } from './spec.js';

function valueMapping(
  values: Record<string, number>,
  colors: Record<string, string>,
): ValueMapping[] {
  const options: Record<string, ValueMappingResult> = {};
  Object.entries(values).forEach(([text, value], index) => {
    options[String(value)] = { text: text.replace('_', '-'), color: colors[text] ?? 'text', index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

const HEALTH_MAPPINGS = valueMapping(HEALTH_STATUS_VALUE, {
  unknown: 'text',
  healthy: 'green',
  degraded: 'orange',
  unhealthy: 'red',
});
const CIRCUIT_MAPPINGS = valueMapping(CIRCUIT_STATE_VALUE, {
  closed: 'green',
  half_open: 'orange',
  open: 'red',
});

const SCORE_THRESHOLDS: Threshold[] = [
  { color: 'red', value: null },
  { color: 'orange', value: 70 },
  { color: 'green', value: 90 },
];
const RATIO_THRESHOLDS: Threshold[] = [
  { color: 'red', value: null },
  { color: 'orange', value: 0.95 },
  { color: 'green', value: 0.995 },
];
const UTILIZATION_THRESHOLDS: Threshold[] = [
  { color: 'green', value: null },
  { color: 'orange', value: 0.7 },
  { color: 'red', value: 0.9 },
];

export const ROWS: RowSpec[] = [
  {
    title: 'Overview',
    panels: [
      {
        title: 'System health score',
        type: 'gauge',
        description:
          'Recording rule publishing:health_score, 0-100: 0.4·success rate + 0.3·share of healthy targets + 0.2·performance (p95 latency against 2 s) + 0.1·queue headroom. The stats API computes the same formula from snapshots.',
        queries: [{ expr: RULE.healthScore, legend: 'score' }],
        unit: 'none',
        min: 0,
        max: 100,
        decimals: 0,
        thresholds: SCORE_THRESHOLDS,
        width: 5,
      },
      {
        title: 'Delivery success rate',
        type: 'stat',
        description:
          'Share of finished jobs delivered (final state succeeded) over the selected targets.',
        queries: [
          {
            expr: `${sumRate('jobs_processed_total', '', `state="succeeded",${TARGET}`)} / ${sumRate('jobs_processed_total', '', TARGET)}`,
            legend: 'success rate',
          },
        ],
        unit: 'percentunit',
        decimals: 2,
        thresholds: RATIO_THRESHOLDS,
        width: 5,
      },
      {
        title: 'Jobs finished per second',
        type: 'stat',
        description: 'Finished jobs (any final state) per second over the selected targets.',
        queries: [{ expr: sumRate('jobs_processed_total', '', TARGET), legend: 'jobs/s' }],
        unit: 'ops',
        width: 4,
      },
      {
        title: 'Targets by health',
        type: 'bargauge',
        description: 'Targets in each health-check status.',
        queries: [{ expr: `sum by (status) (${m('targets_by_health')})`, legend: '{{status}}' }],
        unit: 'short',
        decimals: 0,
        width: 5,
      },
      {
        title: 'Collectors up',
        type: 'stat',
        description:
          'Collectors whose last collection succeeded, of all registered. A failed collector withholds its metrics instead of showing stale values.',
        queries: [
          { expr: `sum(${m('collector_up')})`, legend: 'up' },
          { expr: `count(${m('collector_up')})`, legend: 'registered' },
        ],
        unit: 'short',
        decimals: 0,
        width: 5,
      },
      {
        title: 'Health score and delivery success over time',
        type: 'timeseries',
        description: 'System health score (left, 0-100) and 5-minute delivery success rate.',
        queries: [
          { expr: RULE.healthScore, legend: 'health score' },
          { expr: `100 * ${RULE.successRatio}`, legend: 'success rate %' },
        ],
        unit: 'none',
        min: 0,
        max: 100,
        width: 24,
        height: 7,
      },
    ],
  },
  {
    title: 'Per-target delivery',
    panels: [
      {
        title: 'Target health',
        type: 'table',
        description:
          'Current health-check status, health score (recording rule publishing:target_health_score) and circuit state per target.',
        queries: [
          {
            expr: `max by (target, type) (${m('target_health_status')}{${TARGET},type=~"$type"})`,
            legend: 'health',
          },
          { expr: `${RULE.targetHealthScore}{${TARGET}}`, legend: 'score' },
          {
            expr: `max by (target) (${m('target_consecutive_failures')}{${TARGET}})`,
            legend: 'failed checks',
          },
        ],
        mappings: HEALTH_MAPPINGS,
        instant: true,
        width: 12,
        height: 9,
      },
      {
        title: 'Delivery success rate by target',
        type: 'timeseries',
        description: 'Delivered / finished jobs per target.',
        queries: [
          {
            expr: `${sumRate('jobs_processed_total', 'target', `state="succeeded",${TARGET}`)} / ${sumRate('jobs_processed_total', 'target', TARGET)}`,
            legend: '{{target}}',
          },
        ],
        unit: 'percentunit',
        min: 0,
        max: 1,
        width: 12,
        height: 9,
      },
      {
        title: 'Delivery latency p95 by target',
        type: 'timeseries',
        description: 'Time from a job leaving the queue to its final state, retries included.',
        queries: [
          {
            expr: quantile(0.95, 'job_duration_seconds', 'target', `{${TARGET}}`),
            legend: '{{target}}',
          },
        ],
        unit: 's',
        width: 12,
      },
      {
        title: 'Delivery latency p99 by target',
        type: 'timeseries',
        description: 'Time from a job leaving the queue to its final state, retries included.',
        queries: [
          {
            expr: quantile(0.99, 'job_duration_seconds', 'target', `{${TARGET}}`),
            legend: '{{target}}',
          },
        ],
        unit: 's',
        width: 12,
      },
      {
        title: 'Jobs by final state',
        type: 'timeseries',
        description: 'Finished jobs per second by target and final state (succeeded/failed/dlq).',
        queries: [
          {
            expr: sumRate('jobs_processed_total', 'target, state', TARGET),
            legend: '{{target}} {{state}}',
          },
        ],
        unit: 'ops',
        stack: true,
        width: 12,
      },
      {
        title: 'Request errors by reason',
        type: 'timeseries',
        description:
          'Failed requests per second by target and reason (clientError, serverError, authError, rateLimited, timeout, network, format).',
        queries: [
          {
            expr: `${sumRate('publisher_errors_total', 'target, reason', TARGET)} > 0`,
            legend: '{{target}} {{reason}}',
          },
        ],
        unit: 'ops',
        stack: true,
        width: 12,
      },
      {
        title: 'Retries by error type',
        type: 'timeseries',
        description:
          'Retry attempts per second by target and error type (transient/permanent/unknown).',
        queries: [
          {
            expr: `${sumRate('retry_attempts_total', 'target, error_type', TARGET)} > 0`,
            legend: '{{target}} {{error_type}}',
          },
        ],
        unit: 'ops',
        stack: true,
        width: 8,
      },
      {
        title: 'Circuit-breaker state',
        type: 'table',
        description: 'Current circuit-breaker state per target (closed, half-open, open).',
        queries: [
          { expr: `max by (target) (${m('circuit_breaker_state')}{${TARGET}})`, legend: 'state' },
        ],
        mappings: CIRCUIT_MAPPINGS,
        instant: true,
        width: 8,
      },
      {
        title: 'Circuit trips and recoveries',
        type: 'timeseries',
        description: 'Transitions to open (trips) and back to closed (recoveries).',
        queries: [
          {
            expr: `sum by (target) (increase(${m('circuit_breaker_trips_total')}{${TARGET}}[${RATE}]))`,
            legend: '{{target}} trips',
          },
          {
            expr: `sum by (target) (increase(${m('circuit_breaker_recoveries_total')}{${TARGET}}[${RATE}]))`,
            legend: '{{target}} recoveries',
          },
        ],
        unit: 'short',
        width: 8,
      },
    ],
  },
  {
    title: 'Publishers',
    panels: [
      {
        title: 'Requests by status class',
        type: 'timeseries',
        description: 'Requests per second by publisher and HTTP status class (error: no response).',
        queries: [
          {
            expr: sumRate('publisher_requests_total', 'publisher, status', TARGET),
            legend: '{{publisher}} {{status}}',
          },
        ],
        unit: 'reqps',
        stack: true,
        width: 8,
      },
      {
        title: 'Request latency p95 by publisher',
        type: 'timeseries',
        description: 'Duration of one request to a target.',
        queries: [
          {
            expr: quantile(0.95, 'publisher_request_duration_seconds', 'publisher', `{${TARGET}}`),
            legend: '{{publisher}}',
          },
        ],
        unit: 's',
        width: 8,
      },
      {
        title: 'Rate-limited responses (429)',
        type: 'timeseries',
        description: 'Rate-limited responses per second by publisher and target.',
        queries: [
          {
            expr: sumRate('publisher_rate_limit_hits_total', 'publisher, target', TARGET),
            legend: '{{publisher}} {{target}}',
          },
        ],
        unit: 'ops',
        width: 8,
      },
    ],
  },
  {
    title: 'Queue',
    panels: [
      {
        title: 'Queue depth by priority',
        type: 'timeseries',
        description: 'Jobs waiting, by priority.',
        queries: [{ expr: `sum by (priority) (${m('queue_size')})`, legend: '{{priority}}' }],
        unit: 'short',
        width: 6,
      },
      {
        title: 'Queue utilization by priority',
        type: 'timeseries',
        description:
          'Queue size / capacity. Alert PublishingQueueSaturated above 90 % for 10 minutes.',
        queries: [
          {
            expr: `max by (priority) (${m('queue_capacity_utilization')})`,
            legend: '{{priority}}',
          },
        ],
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: UTILIZATION_THRESHOLDS,
        width: 6,
      },
      {
        title: 'Queue wait p95 by priority',
        type: 'timeseries',
        description: 'Time a job waited in the queue before a worker took it.',
        queries: [
          { expr: quantile(0.95, 'job_wait_time_seconds', 'priority'), legend: '{{priority}}' },
        ],
        unit: 's',
        width: 6,
      },
      {
        title: 'Workers',
        type: 'timeseries',
        description: 'Workers publishing a job and workers waiting for one.',
        queries: [
          { expr: `sum(${m('workers_active')})`, legend: 'active' },
          { expr: `sum(${m('workers_idle')})`, legend: 'idle' },
        ],
        unit: 'short',
        stack: true,
        width: 6,
      },
      {
        title: 'Submissions by result',
        type: 'timeseries',
        description:
          'Jobs submitted per second by priority and result; rejected means the queue was full.',
        queries: [
          {
            expr: sumRate('queue_submissions_total', 'priority, result'),
            legend: '{{priority}} {{result}}',
          },
        ],
        unit: 'ops',
        width: 24,
        height: 7,
      },
    ],
  },
  {
    title: 'Dead-letter queue',
    panels: [
      {
        title: 'DLQ size by target',
        type: 'timeseries',
        description:
          'Jobs in the dead-letter queue. Alert PublishingDLQGrowing when growing over 15 minutes and above 10.',
        queries: [{ expr: `sum by (target) (${m('dlq_size')}{${TARGET}})`, legend: '{{target}}' }],
        unit: 'short',
        stack: true,
        width: 6,
      },
      {
        title: 'DLQ writes by error type',
        type: 'timeseries',
        description: 'Jobs written to the DLQ per second by target and error type.',
        queries: [
          {
            expr: `${sumRate('dlq_writes_total', 'target, error_type', TARGET)} > 0`,
            legend: '{{target}} {{error_type}}',
          },
        ],
        unit: 'ops',
        width: 6,
      },
      {
        title: 'DLQ replays by result',
        type: 'timeseries',
        description: 'DLQ replays per second by target and result.',
        queries: [
          {
            expr: `${sumRate('dlq_replays_total', 'target, result', TARGET)} > 0`,
            legend: '{{target}} {{result}}',
          },
        ],
        unit: 'ops',
        width: 6,
      },
      {
        title: 'Oldest DLQ entry',
        type: 'stat',
        description: 'Age of the oldest dead-letter queue entry (0 when empty).',
        queries: [{ expr: `max(${m('dlq_oldest_entry_age_seconds')})`, legend: 'age' }],
        unit: 'dtdurations',
        width: 6,
      },
    ],
  },
  {
    title: 'Discovery and refresh',
    panels: [
      {
        title: 'Discovered targets',
        type: 'timeseries',
        description: 'Discovered targets by type and enabled flag.',
        queries: [
          {
            expr: `sum by (type, enabled) (${m('discovery_targets')}{type=~"$type"})`,
            legend: '{{type}} enabled={{enabled}}',
          },
        ],
        unit: 'short',
        stack: true,
        width: 6,
      },
      {
        title: 'Refreshed targets by validity',
        type: 'timeseries',
        description: 'Targets found by the last refresh, valid and invalid.',
        queries: [{ expr: `sum by (validity) (${m('refresh_targets')})`, legend: '{{validity}}' }],
        unit: 'short',
        width: 6,
      },
      {
        title: 'Since last success',
        type: 'stat',
        description:
          'Time since the last successful refresh and discovery. Alert PublishingRefreshStale above 3 refresh intervals.',
        queries: [
          {
            expr: `time() - max(${m('refresh_last_success_timestamp_seconds')})`,
            legend: 'refresh',
          },
          {
            expr: `time() - max(${m('discovery_last_success_timestamp_seconds')})`,
            legend: 'discovery',
          },
          { expr: `max(${m('refresh_interval_seconds')})`, legend: 'refresh interval' },
        ],
        unit: 'dtdurations',
        width: 6,
      },
      {
        title: 'Refresh failures',
        type: 'timeseries',
        description:
          'Consecutive failed refreshes (alert PublishingRefreshFailing at 3) and refreshes per second by outcome.',
        queries: [
          { expr: `max(${m('refresh_consecutive_failures')})`, legend: 'consecutive failures' },
          { expr: sumRate('refresh_total', 'status'), legend: 'refreshes/s {{status}}' },
        ],
        unit: 'short',
        width: 6,
      },
      {
        title: 'Discovery errors by type',
        type: 'timeseries',
        description: 'Discovery errors per second by error type.',
        queries: [
          { expr: sumRate('discovery_errors_total', 'error_type'), legend: '{{error_type}}' },
        ],
        unit: 'ops',
        width: 12,
      },
      {
        title: 'Refresh and discovery duration p95',
        type: 'timeseries',
        description: 'Duration of target refreshes by outcome and of discovery operations.',
        queries: [
          {
            expr: quantile(0.95, 'refresh_duration_seconds', 'status'),
            legend: 'refresh {{status}}',
          },
          {
            expr: quantile(0.95, 'discovery_duration_seconds', 'operation'),
            legend: 'discovery {{operation}}',
          },
        ],
        unit: 's',
        width: 12,
      },
    ],
  },
  {
    title: 'Collector self-monitoring',
    panels: [
      {
        title: 'Collector up',
        type: 'timeseries',
        description:
          '1 when the collector last collected successfully, 0 when it failed or timed out.',
        queries: [{ expr: `min by (collector) (${m('collector_up')})`, legend: '{{collector}}' }],
        unit: 'none',
        min: 0,
        max: 1,
        width: 8,
      },
      {
        title: 'Collection errors by reason',
        type: 'timeseries',
        description: 'Failed collector runs per second by collector and reason (error/timeout).',
        queries: [
          {
            expr: sumRate('collection_errors_total', 'collector, reason'),
            legend: '{{collector}} {{reason}}',
          },
        ],
        unit: 'ops',
        width: 8,
      },
      {
        title: 'Collection duration p99',
        type: 'timeseries',
        description: 'Duration of one collector run, timeouts included.',
        queries: [
          {
            expr: quantile(0.99, 'collection_duration_seconds', 'collector'),
            legend: '{{collector}}',
          },
        ],
        unit: 's',
        width: 8,
      },
    ],
  },
];
