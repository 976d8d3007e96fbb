/**
 * A running, instrumented alert-publishing service for tests that need real traffic on /metrics
 * (the operate tests run the dashboard, the rules and the PromQL guide against it).
 *
 * `startWorkload()` is the one switch: the in-test service below, built on the library's public
 * API, or the demo service (`startDemoWorkload`). Either way the workload contains the
 * conditions an SRE's queries look for: an unhealthy target, an open circuit, a growing DLQ,
 * rate-limited requests, a saturated queue priority, and (in the in-test service) a replica whose
 * queue collector times out.
 */
import { spawn } from 'node:child_process';
import { prometheusExporterFor } from './producer-readers.js';
import { createServer, type Server } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  DiscoveryCollector,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  RefreshCollector,
  type CircuitState,
  type PublishingTarget,
  type QueueStats,
  type TargetHealth,
  type TargetHealthStatus,
} from '../../src/index.js';
import { freePort, REPO_ROOT } from './backends.js';
import { never } from './fakes.js';

export interface Workload {
  /** `host:port` of every /metrics endpoint to scrape. */
  readonly scrapeTargets: readonly string[];
  /** Base URL of the stats API, when the workload serves one. */
  readonly statsUrl?: string;
  stop(): Promise<void>;
}

/** What a workload breaks on purpose, for tests that check queries find exactly that. */
export interface WorkloadFaults {
  readonly unhealthyTargets: readonly string[];
  readonly openCircuits: readonly string[];
  readonly saturatedPriorities: readonly string[];
  readonly downCollectors: readonly string[];
  readonly rateLimitedPublishers: readonly string[];
  /** `alertname state label=value` of every alert Prometheus shows within seconds of start. */
  readonly alerts: readonly string[];
}

export interface WorkloadKind {
  start(): Promise<Workload>;
  /** Undefined when the faults are not deterministic (the demo's chaos loop). */
  readonly faults: WorkloadFaults | undefined;
}

/** The workload the operate tests run against; switch to DEMO_WORKLOAD here. */
export const WORKLOAD: WorkloadKind = libraryWorkload();

export function startWorkload(): Promise<Workload> {
  return WORKLOAD.start();
}

export const DEMO_WORKLOAD: WorkloadKind = { start: () => startDemoWorkload(), faults: undefined };

function libraryWorkload(): WorkloadKind {
  return {
    start: startLibraryWorkload,
    faults: {
      unhealthyTargets: ['webhook-audit'],
      openCircuits: ['webhook-audit'],
      saturatedPriorities: ['high'],
      downCollectors: ['queue'],
      rateLimitedPublishers: ['pagerduty'],
      // Alerts with `for:` stay pending within a test's lifetime. Refresh is healthy.
      alerts: [
        'PublishingCircuitOpen pending target=webhook-audit',
        'PublishingCollectorDown pending collector=queue',
        'PublishingCollectorTimeouts firing collector=queue',
        'PublishingDLQGrowing firing target=webhook-audit',
        'PublishingDeliveryErrorBudgetBurnFast firing',
        'PublishingDeliveryErrorBudgetBurnSlow firing',
        'PublishingQueueSaturated pending priority=high',
        'PublishingTargetUnhealthy pending target=webhook-audit',
      ],
    },
  };
}

interface TargetSpec {
  name: string;
  type: 'slack' | 'pagerduty' | 'rootly' | 'webhook';
  health: TargetHealth;
  circuit: CircuitState;
  /** Share of finished jobs that end in the DLQ. */
  dlqShare: number;
}

/** One of each condition a query should find. */
const TARGETS: readonly TargetSpec[] = [
  { name: 'slack-oncall', type: 'slack', health: 'healthy', circuit: 'closed', dlqShare: 0 },
  {
    name: 'pagerduty-primary',
    type: 'pagerduty',
    health: 'healthy',
    circuit: 'closed',
    dlqShare: 0,
  },
  {
    name: 'rootly-incidents',
    type: 'rootly',
    health: 'degraded',
    circuit: 'half_open',
    dlqShare: 0.2,
  },
  { name: 'webhook-audit', type: 'webhook', health: 'unhealthy', circuit: 'open', dlqShare: 1 },
];

const TICK_MS = 50;

/** A deterministic stream in [0, 1): runs are repeatable. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function serveMetrics(
  exporter: PrometheusExporter,
): Promise<{ server: Server; target: string }> {
  const server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, target: `127.0.0.1:${port}` };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * Two replicas of an in-test service on the library's public API: replica one is fully
 * instrumented (ports, recorders, traffic on a 50 ms tick); replica two's queue port hangs, so its
 * queue collector times out on every scrape (`collector_up 0`, timeouts counted).
 */
export async function startLibraryWorkload(): Promise<Workload> {
  const started = Date.now();
  const random = lcg(57);
  let dlqAudit = 12;
  let tick = 0;

  const collector = new PublishingMetricsCollector({
    meterProvider: false,
    collectorTimeoutMs: 250,
  });
  const exporter = prometheusExporterFor(collector);
  const health = (t: TargetSpec): TargetHealthStatus => ({
    targetName: t.name,
    targetType: t.type,
    enabled: true,
    status: t.health,
    latencyMs: t.health === 'healthy' ? 40 : 900,
    lastCheck: new Date(),
    consecutiveFailures: t.health === 'unhealthy' ? 7 : t.health === 'degraded' ? 1 : 0,
    totalChecks: 100,
    totalSuccesses: t.health === 'unhealthy' ? 20 : 98,
    totalFailures: t.health === 'unhealthy' ? 80 : 2,
    successRate: t.health === 'unhealthy' ? 0.2 : 0.98,
  });
  const discovered: PublishingTarget[] = TARGETS.map((t) => ({
    name: t.name,
    type: t.type,
    url: `https://${t.name}.example.com/`,
    enabled: true,
  }));
  collector.registerCollector(new HealthCollector({ getHealth: () => TARGETS.map(health) }));
  collector.registerCollector(
    new RefreshCollector({
      getStatus: () => ({
        state: 'success',
        lastRefresh: new Date(started),
        nextRefresh: new Date(started + 300_000),
        refreshDurationMs: 320,
        intervalMs: 300_000,
        targetsDiscovered: TARGETS.length + 1,
        targetsValid: TARGETS.length,
        targetsInvalid: 1,
        consecutiveFailures: 0,
      }),
    }),
  );
  collector.registerCollector(
    new DiscoveryCollector({
      listTargets: () => discovered,
      getStats: () => ({
        totalTargets: TARGETS.length + 1,
        validTargets: TARGETS.length,
        invalidTargets: 1,
        lastDiscovery: new Date(started),
        discoveryErrors: 1,
      }),
    }),
  );
  const queueStats = (): QueueStats => ({
    // High priority is saturated (94 %): the alert and the saturation query have something to find.
    priorities: {
      high: { size: 47, capacity: 50 },
      medium: { size: 20 + (tick % 10), capacity: 200 },
      low: { size: 3, capacity: 500 },
    },
    workersActive: 14,
    workersIdle: 2,
    dlqSize: { 'webhook-audit': dlqAudit, 'rootly-incidents': 2 },
    dlqOldestEntryAgeSeconds: (Date.now() - started) / 1000 + 600,
    circuitBreakers: Object.fromEntries(TARGETS.map((t) => [t.name, t.circuit])),
  });
  collector.registerCollector(new QueueCollector({ getStats: queueStats }));

  const { queue, publisher, discovery, refresh } = collector;
  refresh.recordRefresh('success', 0.32);
  refresh.recordRefresh('failed', 4.1);
  discovery.recordError('parse');

  const step = (): void => {
    tick++;
    for (const t of TARGETS) {
      const priority = tick % 3 === 0 ? 'high' : tick % 3 === 1 ? 'medium' : 'low';
      queue.recordSubmission(priority, 'accepted');
      const slow = t.health === 'healthy' ? 0 : 2;
      const duration = 0.02 + random() * 0.4 + slow * random();
      const dlq = random() < t.dlqShare;
      queue.recordJob(t.name, priority, dlq ? 'dlq' : 'succeeded', duration, random() * 0.3);
      const status = dlq ? (t.type === 'webhook' ? 503 : 'error') : 200;
      publisher.recordRequest(t.type, t.name, status, duration);
      if (dlq) {
        queue.recordRetry(t.name, t.type === 'webhook' ? 'transient' : 'permanent');
        queue.recordDlqWrite(t.name, t.type === 'webhook' ? 'transient' : 'unknown');
        publisher.recordError(t.type, t.name, t.type === 'webhook' ? 'serverError' : 'timeout');
      }
    }
    // PagerDuty answers 429 to every fourth request.
    if (tick % 4 === 0) {
      publisher.recordRequest('pagerduty', 'pagerduty-primary', 429, 0.05);
      publisher.recordRateLimitHit('pagerduty', 'pagerduty-primary');
      publisher.recordError('pagerduty', 'pagerduty-primary', 'rateLimited');
      queue.recordRetry('pagerduty-primary', 'transient');
    }
    if (tick % 5 === 0) queue.recordSubmission('high', 'rejected');
    if (tick % 10 === 0) {
      dlqAudit++;
      queue.recordDlqReplay('rootly-incidents', 'success');
      queue.recordDlqReplay('webhook-audit', 'failure');
      queue.recordCircuitTransition('webhook-audit', 'half_open', 'open');
      queue.recordCircuitTransition('rootly-incidents', 'half_open', 'closed');
      publisher.recordWebhookAuthFailure('webhook-audit', 'bearer');
    }
    publisher.recordSlackCacheLookup(tick % 3 !== 0);
    if (tick % 2 === 0) publisher.recordSlackThreadReply();
    publisher.setSlackCacheSize(100 + (tick % 50));
    publisher.recordRootlyIncident(tick % 2 === 0 ? 'created' : 'updated');
    publisher.setRootlyActiveIncidents(3);
    publisher.recordPagerDutyEvent('trigger');
    publisher.recordWebhookPayload('webhook-audit', 2048 + (tick % 7) * 512);
    discovery.recordDiscovery('load', 0.01 + random() * 0.02);
    discovery.recordSecret('found');
    discovery.recordLookup('get', tick % 20 === 0 ? 'not_found' : 'found');
    if (tick % 40 === 0) {
      discovery.recordError('parse');
      refresh.recordRefresh('success', 0.2 + random() * 0.3);
    }
  };
  step();
  const timer = setInterval(step, TICK_MS);

  // Replica two: its publishing queue never answers.
  const stuck = new PublishingMetricsCollector({
    meterProvider: false,
    collectorTimeoutMs: 100,
  });
  const stuckExporter = prometheusExporterFor(stuck);
  stuck.registerCollector(new HealthCollector({ getHealth: () => TARGETS.map(health) }));
  stuck.registerCollector(new QueueCollector({ getStats: () => never<QueueStats>() }));

  const one = await serveMetrics(exporter);
  const two = await serveMetrics(stuckExporter);
  let stopping: Promise<void> | undefined;
  return {
    scrapeTargets: [one.target, two.target],
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        await Promise.all([closeServer(one.server), closeServer(two.server)]);
        await Promise.all([collector.shutdown(), stuck.shutdown()]);
      })()),
  };
}

/**
 * The demo service (`examples/alert-publisher/main.ts`) in chaos mode on a free metrics port,
 * until stopped. Resolves once /metrics answers.
 */
export interface DemoOptions {
  /** A targets file of the test's own (default: the demo's targets.json). */
  targetsFile?: string;
  /** Loop the chaos scenario (default true). */
  chaos?: boolean;
  rate?: number;
}

export async function startDemoWorkload(options: DemoOptions = {}): Promise<Workload> {
  const metricsPort = await freePort();
  const statsPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'examples/alert-publisher/main.ts',
      '--duration',
      '600',
      '--rate',
      String(options.rate ?? 50),
      ...(options.chaos === false ? [] : ['--chaos']),
      ...(options.targetsFile !== undefined ? ['--targets-file', options.targetsFile] : []),
      '--quiet',
      '--metrics-port',
      String(metricsPort),
      '--stats-port',
      String(statsPort),
      '--intake-port',
      '0',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      await res.arrayBuffer();
      if (res.ok) {
        return {
          scrapeTargets: [`127.0.0.1:${metricsPort}`],
          statsUrl: `http://127.0.0.1:${statsPort}`,
          stop,
        };
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`demo service did not serve /metrics:\n${output.slice(-4000)}`);
}
