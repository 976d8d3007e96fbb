/**
 * The reference a user would otherwise write: the full catalog as plain OpenTelemetry, the way
 * OTel's documentation teaches it. Port metrics are observable gauges with one batch observable
 * callback per subsystem, reading the same fake ports as our collectors; recorder events are
 * synchronous Counter / Histogram / Gauge instruments (catalog buckets as advice), called with the
 * same arguments as our recorders by the same workload (`recordEvents`). Default SDK settings: no
 * View, so the default cardinality limit (2,000 attribute sets per instrument and reader) applies.
 * Names come from the catalog; the library's self-monitoring metrics have no plain equivalent.
 */
import type {
  Attributes,
  BatchObservableResult,
  Counter,
  Gauge,
  Histogram,
  Meter,
  Observable,
  ObservableGauge,
} from '@opentelemetry/api';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import {
  CATALOG,
  CIRCUIT_STATE_VALUE,
  HEALTH_STATUS_VALUE,
  instrumentName,
  type CircuitState,
  type PublishingRecorders,
  type TargetHealth,
} from '../src/index.js';
import { recordEvents, type FakePorts } from './workload.js';

/** What a plain-OTel user holds: the provider and the instruments' equivalent of our recorders. */
export interface PlainOtel {
  readonly meterProvider: MeterProvider;
  readonly recorders: PublishingRecorders;
  /** One event of every recorder call for every target, as `Workload.recordAll` does for ours. */
  recordAll(): void;
  shutdown(): Promise<void>;
}

const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'];

function statusClass(status: number | 'error'): string {
  return status === 'error' ? 'error' : (STATUS_CLASSES[Math.floor(status / 100) - 2] ?? 'error');
}

function definition(name: string) {
  const def = CATALOG.find((d) => d.name === name);
  if (def === undefined) throw new Error(`no catalog metric ${name}`);
  return def;
}

class Instruments {
  constructor(private readonly meter: Meter) {}

  gauge(name: string): ObservableGauge {
    const def = definition(name);
    return this.meter.createObservableGauge(instrumentName(def), {
      description: def.description,
      unit: def.unit,
    });
  }
  counter(name: string): Counter {
    const def = definition(name);
    return this.meter.createCounter(instrumentName(def), {
      description: def.description,
      unit: def.unit,
    });
  }
  histogram(name: string): Histogram {
    const def = definition(name);
    return this.meter.createHistogram(instrumentName(def), {
      description: def.description,
      unit: def.unit,
      advice: { explicitBucketBoundaries: [...(def.buckets ?? [])] },
    });
  }
  syncGauge(name: string): Gauge {
    const def = definition(name);
    return this.meter.createGauge(instrumentName(def), {
      description: def.description,
      unit: def.unit,
    });
  }
}

/** One batch observable callback over `observables`, as the OTel docs show. */
function batch(
  meter: Meter,
  observables: Record<string, Observable>,
  callback: (observer: BatchObservableResult, o: Record<string, Observable>) => void,
): void {
  meter.addBatchObservableCallback(
    (observer) => callback(observer, observables),
    [...Object.values(observables)],
  );
}

function observePorts(meter: Meter, i: Instruments, ports: FakePorts): void {
  batch(
    meter,
    {
      status: i.gauge('target_health_status'),
      failures: i.gauge('target_consecutive_failures'),
      successRate: i.gauge('target_success_rate'),
      latency: i.gauge('target_check_latency_seconds'),
      lastCheck: i.gauge('target_last_check_timestamp_seconds'),
      byHealth: i.gauge('targets_by_health'),
    },
    (observer, o) => {
      const byStatus: Record<TargetHealth, number> = {
        unknown: 0,
        healthy: 0,
        degraded: 0,
        unhealthy: 0,
      };
      for (const t of ports.health.getHealth()) {
        const target = t.targetName;
        byStatus[t.status]++;
        observer.observe(o['status']!, HEALTH_STATUS_VALUE[t.status], {
          target,
          type: t.targetType,
        });
        observer.observe(o['failures']!, t.consecutiveFailures, { target });
        observer.observe(o['successRate']!, t.successRate, { target });
        observer.observe(o['latency']!, (t.latencyMs ?? 0) / 1000, { target });
        observer.observe(o['lastCheck']!, t.lastCheck.getTime() / 1000, { target });
      }
      for (const [status, count] of Object.entries(byStatus)) {
        observer.observe(o['byHealth']!, count, { status });
      }
    },
  );
  batch(
    meter,
    {
      lastSuccess: i.gauge('refresh_last_success_timestamp_seconds'),
      next: i.gauge('refresh_next_timestamp_seconds'),
      inProgress: i.gauge('refresh_in_progress'),
      interval: i.gauge('refresh_interval_seconds'),
      lastDuration: i.gauge('refresh_last_duration_seconds'),
      failures: i.gauge('refresh_consecutive_failures'),
      targets: i.gauge('refresh_targets'),
    },
    (observer, o) => {
      const s = ports.refresh.getStatus();
      if (s.lastRefresh) observer.observe(o['lastSuccess']!, s.lastRefresh.getTime() / 1000);
      if (s.nextRefresh) observer.observe(o['next']!, s.nextRefresh.getTime() / 1000);
      observer.observe(o['inProgress']!, s.state === 'in_progress' ? 1 : 0);
      observer.observe(o['interval']!, s.intervalMs / 1000);
      observer.observe(o['lastDuration']!, (s.refreshDurationMs ?? 0) / 1000);
      observer.observe(o['failures']!, s.consecutiveFailures);
      observer.observe(o['targets']!, s.targetsValid, { validity: 'valid' });
      observer.observe(o['targets']!, s.targetsInvalid, { validity: 'invalid' });
    },
  );
  batch(
    meter,
    {
      targets: i.gauge('discovery_targets'),
      lastSuccess: i.gauge('discovery_last_success_timestamp_seconds'),
    },
    (observer, o) => {
      const counts = new Map<string, { type: string; enabled: string; count: number }>();
      for (const t of ports.discovery.listTargets()) {
        const enabled = t.enabled === false ? 'false' : 'true';
        const key = `${t.type}/${enabled}`;
        const entry = counts.get(key) ?? { type: t.type, enabled, count: 0 };
        entry.count++;
        counts.set(key, entry);
      }
      for (const { type, enabled, count } of counts.values()) {
        observer.observe(o['targets']!, count, { type, enabled });
      }
      const stats = ports.discovery.getStats();
      if (stats.lastDiscovery) {
        observer.observe(o['lastSuccess']!, stats.lastDiscovery.getTime() / 1000);
      }
    },
  );
  batch(
    meter,
    {
      size: i.gauge('queue_size'),
      capacity: i.gauge('queue_capacity'),
      utilization: i.gauge('queue_capacity_utilization'),
      circuit: i.gauge('circuit_breaker_state'),
      active: i.gauge('workers_active'),
      idle: i.gauge('workers_idle'),
      dlq: i.gauge('dlq_size'),
      oldest: i.gauge('dlq_oldest_entry_age_seconds'),
    },
    (observer, o) => {
      const s = ports.queue.getStats();
      for (const [priority, p] of Object.entries(s.priorities)) {
        observer.observe(o['size']!, p.size, { priority });
        observer.observe(o['capacity']!, p.capacity, { priority });
        observer.observe(o['utilization']!, p.capacity > 0 ? p.size / p.capacity : 0, {
          priority,
        });
      }
      observer.observe(o['active']!, s.workersActive);
      observer.observe(o['idle']!, s.workersIdle);
      for (const [target, size] of Object.entries(s.dlqSize)) {
        observer.observe(o['dlq']!, size, { target });
      }
      for (const [target, state] of Object.entries(s.circuitBreakers)) {
        observer.observe(o['circuit']!, CIRCUIT_STATE_VALUE[state as CircuitState], { target });
      }
      observer.observe(o['oldest']!, s.dlqOldestEntryAgeSeconds ?? 0);
    },
  );
}

/** The recorder calls as sync instruments, with the attributes our recorders give the series. */
function syncRecorders(i: Instruments): PublishingRecorders {
  const submissions = i.counter('queue_submissions_total');
  const jobs = i.counter('jobs_processed_total');
  const jobDuration = i.histogram('job_duration_seconds');
  const jobWait = i.histogram('job_wait_time_seconds');
  const retries = i.counter('retry_attempts_total');
  const trips = i.counter('circuit_breaker_trips_total');
  const recoveries = i.counter('circuit_breaker_recoveries_total');
  const dlqWrites = i.counter('dlq_writes_total');
  const dlqReplays = i.counter('dlq_replays_total');
  const requests = i.counter('publisher_requests_total');
  const errors = i.counter('publisher_errors_total');
  const requestDuration = i.histogram('publisher_request_duration_seconds');
  const rateLimits = i.counter('publisher_rate_limit_hits_total');
  const slackHits = i.counter('slack_cache_hits_total');
  const slackMisses = i.counter('slack_cache_misses_total');
  const slackReplies = i.counter('slack_thread_replies_total');
  const slackSize = i.syncGauge('slack_cache_size');
  const rootly = i.counter('rootly_incidents_total');
  const rootlyActive = i.syncGauge('rootly_active_incidents');
  const pagerDuty = i.counter('pagerduty_events_total');
  const payloads = i.histogram('webhook_payload_size_bytes');
  const authFailures = i.counter('webhook_auth_failures_total');
  const discoveries = i.histogram('discovery_duration_seconds');
  const discoveryErrors = i.counter('discovery_errors_total');
  const secrets = i.counter('discovery_secrets_total');
  const lookups = i.counter('target_lookups_total');
  const refreshes = i.counter('refresh_total');
  const refreshDuration = i.histogram('refresh_duration_seconds');
  const none: Attributes = {};
  return {
    queue: {
      recordSubmission: (priority, result) => submissions.add(1, { priority, result }),
      recordJob: (target, priority, state, durationSeconds, waitSeconds) => {
        jobs.add(1, { target, state });
        jobDuration.record(durationSeconds, { target, priority });
        jobWait.record(waitSeconds, { priority });
      },
      recordRetry: (target, errorType) => retries.add(1, { target, error_type: errorType }),
      recordCircuitTransition: (target, from, to) => {
        if (from === to) return;
        if (to === 'open') trips.add(1, { target });
        else if (to === 'closed') recoveries.add(1, { target });
      },
      recordDlqWrite: (target, errorType) => dlqWrites.add(1, { target, error_type: errorType }),
      recordDlqReplay: (target, result) => dlqReplays.add(1, { target, result }),
    },
    publisher: {
      recordRequest: (publisher, target, status, durationSeconds) => {
        requests.add(1, { publisher, target, status: statusClass(status) });
        requestDuration.record(durationSeconds, { publisher, target });
      },
      recordError: (publisher, target, reason) => errors.add(1, { publisher, target, reason }),
      recordRateLimitHit: (publisher, target) => rateLimits.add(1, { publisher, target }),
      recordSlackCacheLookup: (hit) => (hit ? slackHits : slackMisses).add(1, none),
      recordSlackThreadReply: () => slackReplies.add(1, none),
      setSlackCacheSize: (entries) => slackSize.record(entries, none),
      recordRootlyIncident: (action) => rootly.add(1, { action }),
      setRootlyActiveIncidents: (count) => rootlyActive.record(count, none),
      recordPagerDutyEvent: (action) => pagerDuty.add(1, { action }),
      recordWebhookPayload: (target, bytes) => payloads.record(bytes, { target }),
      recordWebhookAuthFailure: (target, authType) =>
        authFailures.add(1, { target, auth_type: authType }),
    },
    discovery: {
      recordDiscovery: (operation, durationSeconds) =>
        discoveries.record(durationSeconds, { operation }),
      recordError: (errorType) => discoveryErrors.add(1, { error_type: errorType }),
      recordSecret: (status) => secrets.add(1, { status }),
      recordLookup: (operation, status) => lookups.add(1, { operation, status }),
    },
    refresh: {
      recordRefresh: (status, durationSeconds) => {
        refreshes.add(1, { status });
        refreshDuration.record(durationSeconds, { status });
      },
    },
  };
}

/** The plain-OTel equivalent of the workload over `ports`, exported to `readers`. */
export function createPlainOtel(ports: FakePorts, readers: MetricReader[]): PlainOtel {
  const meterProvider = new MeterProvider({ readers });
  const meter = meterProvider.getMeter('plain-otel-publishing');
  const instruments = new Instruments(meter);
  observePorts(meter, instruments, ports);
  const recorders = syncRecorders(instruments);
  let tick = 0;
  return {
    meterProvider,
    recorders,
    recordAll: () => recordEvents(recorders, ports.targets, ++tick),
    shutdown: () => meterProvider.shutdown(),
  };
}
