/**
 * The benchmark workload: a PublishingMetricsCollector with every collector over fake ports of N
 * targets, and one event of every recorder call per target, so every catalog metric has series
 * for all N targets (the widest a real deployment gets: every target also sends webhooks).
 */
import { MeterProvider, type MetricProducer, type MetricReader } from '@opentelemetry/sdk-metrics';
import {
  CATALOG,
  DiscoveryCollector,
  HealthCollector,
  PUBLISHER_ERROR_REASONS,
  PublishingMetricsCollector,
  QueueCollector,
  RefreshCollector,
  type CircuitState,
  type DiscoveryStats,
  type PublishingRecorders,
  type ErrorType,
  type JobState,
  type Priority,
  type PublishingTarget,
  type QueueStats,
  type RefreshStatus,
  type TargetHealth,
  type TargetHealthStatus,
} from '../src/index.js';

const TYPES = ['slack', 'pagerduty', 'rootly', 'webhook'] as const;
const HEALTH: readonly TargetHealth[] = ['healthy', 'healthy', 'degraded', 'unhealthy'];
const CIRCUITS: readonly CircuitState[] = ['closed', 'closed', 'half_open', 'open'];
export const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];
export const STATES: readonly JobState[] = ['succeeded', 'failed', 'dlq'];
const ERROR_TYPES: readonly ErrorType[] = ['transient', 'permanent', 'unknown'];
const STATUSES: ReadonlyArray<number | 'error'> = [200, 302, 404, 503, 'error'];

export interface WorkloadReaders {
  /**
   * `producer` (default): the library's series reach readers through its MetricProducer.
   * `instruments`: they are instruments on the workload's MeterProvider (the drop-in path).
   */
  path?: 'producer' | 'instruments';
  /**
   * Readers of the workload's MeterProvider. On the producer path they are built with the
   * library's producers (readers take producers only in their constructor).
   */
  readers?: (metricProducers: MetricProducer[]) => MetricReader[] | Promise<MetricReader[]>;
}

export interface Workload {
  readonly targets: readonly string[];
  readonly collector: PublishingMetricsCollector;
  readonly meterProvider: MeterProvider;
  /** One event of every recorder call for every target (and the untargeted ones). */
  recordAll(): void;
  shutdown(): Promise<void>;
}

export function targetNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `target-${String(i).padStart(5, '0')}`);
}

function healthOf(name: string, i: number, now: Date): TargetHealthStatus {
  const status = HEALTH[i % HEALTH.length]!;
  return {
    targetName: name,
    targetType: TYPES[i % TYPES.length]!,
    enabled: true,
    status,
    latencyMs: 20 + (i % 50),
    lastCheck: now,
    consecutiveFailures: status === 'unhealthy' ? 4 : 0,
    totalChecks: 100,
    totalSuccesses: 90,
    totalFailures: 10,
    successRate: 0.9,
  };
}

/** The fake ports of `n` targets, answering synchronously from prepared objects. */
export interface FakePorts {
  readonly targets: readonly string[];
  readonly health: { getHealth(): readonly TargetHealthStatus[] };
  readonly refresh: { getStatus(): RefreshStatus };
  readonly discovery: {
    listTargets(): readonly PublishingTarget[];
    getStats(): DiscoveryStats;
  };
  readonly queue: { getStats(): QueueStats };
}

export function fakePorts(n: number): FakePorts {
  const targets = targetNames(n);
  const started = new Date(Date.UTC(2026, 0, 1));
  const health = targets.map((t, i) => healthOf(t, i, started));
  const discovered: PublishingTarget[] = targets.map((t, i) => ({
    name: t,
    type: TYPES[i % TYPES.length]!,
    url: `https://${t}.example.com/`,
    enabled: i % 10 !== 9,
  }));
  const refresh: RefreshStatus = {
    state: 'success',
    lastRefresh: started,
    nextRefresh: new Date(started.getTime() + 300_000),
    refreshDurationMs: 320,
    intervalMs: 300_000,
    targetsDiscovered: n,
    targetsValid: n,
    targetsInvalid: 0,
    consecutiveFailures: 0,
  };
  const queue: QueueStats = {
    priorities: {
      high: { size: 7, capacity: 100 },
      medium: { size: 40, capacity: 200 },
      low: { size: 3, capacity: 500 },
    },
    workersActive: 12,
    workersIdle: 4,
    dlqSize: Object.fromEntries(targets.map((t, i) => [t, i % 7])),
    dlqOldestEntryAgeSeconds: 600,
    circuitBreakers: Object.fromEntries(targets.map((t, i) => [t, CIRCUITS[i % CIRCUITS.length]!])),
  };

  return {
    targets,
    health: { getHealth: () => health },
    refresh: { getStatus: () => refresh },
    discovery: {
      listTargets: () => discovered,
      getStats: () => ({
        totalTargets: n,
        validTargets: n,
        invalidTargets: 0,
        lastDiscovery: started,
        discoveryErrors: 0,
      }),
    },
    queue: { getStats: () => queue },
  };
}

/**
 * A collector over fake ports of `n` targets, exported to `readers` of a host MeterProvider on
 * the producer or the instrument path. The ports answer from prepared objects, as a host's cached state
 * would.
 */
export async function createWorkload(n: number, readers: WorkloadReaders = {}): Promise<Workload> {
  const ports = fakePorts(n);
  const { targets } = ports;
  // The cap is raised to N: the benchmark measures N real series, not the overflow fold (and
  // the SDK's per-instrument limit on the instrument path likewise).
  const maxTargets = Math.max(n, 1);
  const views = [{ instrumentName: '*', aggregationCardinalityLimit: 20 * maxTargets + 100 }];
  let collector: PublishingMetricsCollector;
  let meterProvider: MeterProvider;
  if (readers.path === 'instruments') {
    meterProvider = new MeterProvider({ readers: await (readers.readers?.([]) ?? []), views });
    collector = new PublishingMetricsCollector({ meterProvider, maxTargets });
  } else {
    collector = new PublishingMetricsCollector({ meterProvider: false, maxTargets });
    meterProvider = new MeterProvider({
      readers: await (readers.readers?.([collector.producer]) ?? []),
      views,
    });
  }
  collector.registerCollector(new HealthCollector(ports.health));
  collector.registerCollector(new RefreshCollector(ports.refresh));
  collector.registerCollector(new DiscoveryCollector(ports.discovery));
  collector.registerCollector(new QueueCollector(ports.queue));

  let tick = 0;
  const recordAll = (): void => recordEvents(collector, targets, ++tick);

  return {
    targets,
    collector,
    meterProvider,
    recordAll,
    shutdown: async () => {
      await collector.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** A workload after one collection (ports reported every target) and one round of events. */
export async function readyWorkload(n: number, readers: WorkloadReaders = {}): Promise<Workload> {
  const workload = await createWorkload(n, readers);
  await workload.collector.collectAll();
  workload.recordAll();
  const snapshot = await workload.collector.collectAll();
  const missing = CATALOG.filter((def) => {
    const family = snapshot.family(def.name);
    return family === undefined || family.series.length === 0;
  });
  if (missing.length > 0) {
    throw new Error(`workload lacks series of ${missing.map((d) => d.name).join(', ')}`);
  }
  return workload;
}

/**
 * One event of every recorder call for every target (and the untargeted ones), through any
 * recorders with the library's methods: ours, or the plain-OTel equivalent (bench/plain-otel.ts).
 */
export function recordEvents(
  recorders: PublishingRecorders,
  targets: readonly string[],
  tick: number,
): void {
  const { queue: q, publisher, discovery, refresh: refreshes } = recorders;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const type = TYPES[i % TYPES.length]!;
    for (const priority of PRIORITIES) {
      for (const state of STATES) q.recordJob(t, priority, state, 0.05 + (i % 9) * 0.1, 0.02);
    }
    for (const e of ERROR_TYPES) {
      q.recordRetry(t, e);
      q.recordDlqWrite(t, e);
    }
    q.recordDlqReplay(t, 'success');
    q.recordDlqReplay(t, 'failure');
    q.recordCircuitTransition(t, 'closed', 'open');
    q.recordCircuitTransition(t, 'open', 'closed');
    for (const status of STATUSES) publisher.recordRequest(type, t, status, 0.08);
    for (const reason of PUBLISHER_ERROR_REASONS) publisher.recordError(type, t, reason);
    publisher.recordRateLimitHit(type, t);
    publisher.recordWebhookPayload(t, 2048 + (i % 5) * 512);
    publisher.recordWebhookAuthFailure(t, 'bearer');
  }
  for (const priority of PRIORITIES) {
    q.recordSubmission(priority, 'accepted');
    q.recordSubmission(priority, 'rejected');
  }
  publisher.recordSlackCacheLookup(true);
  publisher.recordSlackCacheLookup(false);
  publisher.recordSlackThreadReply();
  publisher.setSlackCacheSize(100 + (tick % 50));
  publisher.recordRootlyIncident('created');
  publisher.recordRootlyIncident('updated');
  publisher.recordRootlyIncident('resolved');
  publisher.setRootlyActiveIncidents(3);
  for (const action of ['trigger', 'acknowledge', 'resolve', 'change'] as const) {
    publisher.recordPagerDutyEvent(action);
  }
  discovery.recordDiscovery('load', 0.012);
  discovery.recordError('parse');
  discovery.recordSecret('found');
  discovery.recordLookup('get', 'found');
  refreshes.recordRefresh('success', 0.32);
  refreshes.recordRefresh('failed', 4.1);
}
