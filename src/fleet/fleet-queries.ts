/**
 * The PromQL the fleet stats run, built from the catalog so a name cannot drift, and the rule by
 * which replicas combine. Counters and histogram buckets are summed over every replica before any
 * ratio or quantile (a mean of per-replica ratios would weigh an idle replica like a busy one);
 * per-target gauges, which every replica reports about the same target, combine as
 * {@link FLEET_GAUGES} says. `collector-config/prometheus/rules/publishing-fleet.yml` applies the
 * same rule, and a test holds the two together.
 */
import { metricDefinition, prometheusName } from '../catalog.js';

export type FleetAggregation = 'sum' | 'max' | 'min' | 'avg';

export interface FleetGauge {
  /** Catalog name (without namespace). */
  readonly name: string;
  /** Labels kept; every other label (instance, job, resource attributes) is aggregated away. */
  readonly by: readonly string[];
  readonly op: FleetAggregation;
}

/**
 * How the replicas' gauges combine. Health status: the worst any replica reports (0 unknown <
 * 1 healthy < 2 degraded < 3 unhealthy, so `max` is the worst known status and `unknown` only
 * when no replica has checked). A target one replica cannot reach fails that replica's share of
 * deliveries, so the fleet treats it as the replica sees it. Circuit: the most open breaker.
 * Health-check success ratio: the mean over replicas (each replica probes independently and
 * reports a ratio, not counts). Queue, DLQ and workers: summed, they are the fleet's.
 */
export const FLEET_GAUGES: readonly FleetGauge[] = [
  { name: 'target_health_status', by: ['target', 'type'], op: 'max' },
  { name: 'target_consecutive_failures', by: ['target'], op: 'max' },
  { name: 'target_check_latency_seconds', by: ['target'], op: 'max' },
  { name: 'target_last_check_timestamp_seconds', by: ['target'], op: 'max' },
  { name: 'target_success_rate', by: ['target'], op: 'avg' },
  { name: 'circuit_breaker_state', by: ['target'], op: 'max' },
  { name: 'dlq_size', by: ['target'], op: 'sum' },
  { name: 'queue_size', by: ['priority'], op: 'sum' },
  { name: 'queue_capacity', by: ['priority'], op: 'sum' },
  { name: 'workers_active', by: [], op: 'sum' },
  { name: 'workers_idle', by: [], op: 'sum' },
  { name: 'dlq_oldest_entry_age_seconds', by: [], op: 'max' },
];

/** Window counters and the label they are broken down by (besides `target`). */
export const FLEET_COUNTERS = [
  { name: 'jobs_processed_total', by: 'state' },
  { name: 'publisher_errors_total', by: 'reason' },
  { name: 'retry_attempts_total', by: 'error_type' },
] as const;

export const LATENCY_HISTOGRAM = 'job_duration_seconds';
/** The label naming which part of a combined query a series answers. */
export const PART_LABEL = 'fleet_part';

export interface FleetQueryOptions {
  /** Metric-name prefix (default `alert_history_publishing`). */
  namespace: string;
  /** Label matchers every selector gets, e.g. `job="alert-publisher"`; empty for none. */
  matchers: string;
  /** The label telling replicas apart (default `instance`). */
  instanceLabel: string;
}

/** Checks matchers are a plain matcher list, so they cannot close the selector early. */
export function checkMatchers(matchers: string): string {
  if (/[{}]/.test(matchers) || /[\r\n]/.test(matchers)) {
    throw new TypeError(`matchers '${matchers}' must be a matcher list without braces`);
  }
  return matchers.trim();
}

export function checkLabelName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TypeError(`'${name}' is not a Prometheus label name`);
  }
  return name;
}

export class FleetQueries {
  constructor(private readonly o: FleetQueryOptions) {}

  /** `<namespace>_<name><suffix>{matchers}` for a catalog metric. */
  selector(name: string, suffix = ''): string {
    const metric = prometheusName(metricDefinition(name), this.o.namespace) + suffix;
    return this.o.matchers === '' ? metric : `${metric}{${this.o.matchers}}`;
  }

  private part(id: string, expr: string): string {
    return `label_replace(${expr}, "${PART_LABEL}", "${id}", "", "")`;
  }

  /**
   * Everything `/stats` needs, evaluated at one instant, as three queries run in parallel: the
   * latency buckets (the bulk of the cost), the other window counters, and the gauges. Parts of
   * a query are told apart by {@link PART_LABEL}. Measured at 3 replicas × 106 targets: the
   * buckets alone take most of the time, and one query of all parts took several times longer
   * than its parts run side by side (docs/fleet.md).
   */
  stats(windowSeconds: number): string[] {
    const w = `[${windowSeconds}s]`;
    const up = this.selector('collector_up');
    const latency = [
      this.part(
        'latency',
        `sum by (target, le) (increase(${this.selector(LATENCY_HISTOGRAM, '_bucket')}${w}))`,
      ),
    ];
    const counters = [
      ...FLEET_COUNTERS.map((c) =>
        this.part(c.name, `sum by (target, ${c.by}) (increase(${this.selector(c.name)}${w}))`),
      ),
      this.part(
        'collector_seconds',
        `sum by (collector) (increase(${this.selector('collection_duration_seconds', '_sum')}${w}))` +
          ` / sum by (collector) (increase(${this.selector('collection_duration_seconds', '_count')}${w}))`,
      ),
    ];
    const gauges = [
      ...FLEET_GAUGES.map((g) =>
        this.part(
          g.name,
          g.by.length === 0
            ? `${g.op}(${this.selector(g.name)})`
            : `${g.op} by (${g.by.join(', ')}) (${this.selector(g.name)})`,
        ),
      ),
      this.part('dlq_before', `sum(${this.selector('dlq_size')} offset ${windowSeconds}s)`),
      this.part('collector_up', `min by (collector) (${up})`),
      this.part('collector_down', `max by (collector, ${this.o.instanceLabel}) (${up}) == 0`),
      this.part('replicas', `count(count by (${this.o.instanceLabel}) (${up}))`),
    ];
    return [latency, counters, gauges].map((parts) => parts.join('\nor '));
  }

  /** Everything `/trends` needs as two range queries run in parallel: latency buckets, the rest. */
  trends(stepSeconds: number): string[] {
    const s = `[${stepSeconds}s]`;
    return [
      this.part(
        'latency',
        `sum by (target, le) (increase(${this.selector(LATENCY_HISTOGRAM, '_bucket')}${s}))`,
      ),
      [
        this.part(
          'jobs_processed_total',
          `sum by (target, state) (increase(${this.selector('jobs_processed_total')}${s}))`,
        ),
        this.part('queue_size', `sum(${this.selector('queue_size')})`),
      ].join('\nor '),
    ];
  }
}
