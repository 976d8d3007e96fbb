/**
 * A real PublishingMetricsCollector fed by fake ports and recorded events, served by the stats
 * server on 127.0.0.1 port 0, plus a raw HTTP client that sends exactly the bytes a test asks for.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  HealthCollector,
  MetricsSnapshot,
  PublishingMetricsCollector,
  QueueCollector,
  startStatsServer,
  type QueueStats,
  type StatsServer,
  type StatsServerOptions,
  type TargetHealthStatus,
} from '../../src/index.js';

/** A target name with a slash, spaces and non-ASCII characters. */
export const ODD_TARGET = 'team/alerts channel ✓ €';

export function health(
  targetName: string,
  targetType: string,
  status: TargetHealthStatus['status'] = 'healthy',
): TargetHealthStatus {
  return {
    targetName,
    targetType,
    enabled: true,
    status,
    latencyMs: 40,
    lastCheck: new Date('2026-03-01T10:00:00Z'),
    consecutiveFailures: status === 'unhealthy' ? 3 : 0,
    totalChecks: 20,
    totalSuccesses: status === 'unhealthy' ? 10 : 20,
    totalFailures: status === 'unhealthy' ? 10 : 0,
    successRate: status === 'unhealthy' ? 0.5 : 1,
  };
}

export class FakePorts {
  targets: TargetHealthStatus[] = [
    health('slack-ops', 'slack'),
    health('pagerduty-oncall', 'pagerduty'),
    health('webhook-audit', 'webhook'),
    health(ODD_TARGET, 'webhook'),
  ];
  queue: QueueStats = {
    priorities: {
      high: { size: 2, capacity: 100 },
      medium: { size: 8, capacity: 100 },
      low: { size: 0, capacity: 100 },
    },
    workersActive: 3,
    workersIdle: 5,
    dlqSize: { 'webhook-audit': 1 },
    dlqOldestEntryAgeSeconds: 30,
    circuitBreakers: {
      'slack-ops': 'closed',
      'pagerduty-oncall': 'closed',
      'webhook-audit': 'closed',
      [ODD_TARGET]: 'closed',
    },
  };
  getHealth = () => this.targets;
  getStats = () => this.queue;
}

export interface Fixture {
  collector: PublishingMetricsCollector;
  ports: FakePorts;
  server: StatsServer;
  /** collectAll() calls made through the server's source. */
  collections(): number;
  close(): Promise<void>;
}

/** Records a deterministic set of finished jobs and publisher errors. */
export function recordTraffic(collector: PublishingMetricsCollector): void {
  for (let i = 0; i < 40; i++)
    collector.queue.recordJob('slack-ops', 'high', 'succeeded', 0.08, 0.01);
  for (let i = 0; i < 18; i++)
    collector.queue.recordJob('pagerduty-oncall', 'high', 'succeeded', 0.3, 0.02);
  for (let i = 0; i < 2; i++)
    collector.queue.recordJob('pagerduty-oncall', 'high', 'failed', 1.2, 0.02);
  for (let i = 0; i < 6; i++)
    collector.queue.recordJob('webhook-audit', 'low', 'succeeded', 0.6, 0.5);
  for (let i = 0; i < 4; i++) collector.queue.recordJob('webhook-audit', 'low', 'dlq', 4, 0.5);
  collector.queue.recordRetry('webhook-audit', 'transient');
  collector.queue.recordRetry('webhook-audit', 'transient');
  collector.queue.recordRetry('pagerduty-oncall', 'permanent');
  collector.publisher.recordError('webhook', 'webhook-audit', 'timeout');
  collector.publisher.recordError('webhook', 'webhook-audit', 'serverError');
  collector.publisher.recordError('pagerduty', 'pagerduty-oncall', 'rateLimited');
  collector.queue.recordJob(ODD_TARGET, 'medium', 'succeeded', 0.02, 0.01);
}

export async function startFixture(
  options: Partial<StatsServerOptions> & {
    prometheus?: boolean;
    /** Simulated Unix milliseconds each snapshot is stamped with. */
    clock?: () => number;
  } = {},
): Promise<Fixture> {
  const ports = new FakePorts();
  const collector = new PublishingMetricsCollector({ meterProvider: false });
  // The producer path, as a host registers it: the exporter reads the collector's producer.
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [collector.producer],
  });
  new MeterProvider({ readers: [exporter] });
  collector.registerCollector(new HealthCollector(ports));
  collector.registerCollector(new QueueCollector(ports));
  recordTraffic(collector);
  let calls = 0;
  const { prometheus = true, clock, ...serverOptions } = options;
  const server = await startStatsServer({
    port: 0,
    trends: false,
    ...(prometheus ? { metricsHandler: exporter.getMetricsRequestHandler.bind(exporter) } : {}),
    ...serverOptions,
    source: options.source ?? {
      collectAll: async () => {
        calls++;
        const snapshot = await collector.collectAll();
        if (clock === undefined) return snapshot;
        // Real collector data, stamped with a simulated time so windows span minutes.
        const { durationMs, families, collectors, namespace } = snapshot;
        return new MetricsSnapshot(new Date(clock()), durationMs, families, collectors, namespace);
      },
    },
  });
  return {
    collector,
    ports,
    server,
    collections: () => calls,
    close: async () => {
      await server.close();
      await collector.shutdown();
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One HTTP request with the path sent as given (no normalisation, no re-encoding). */
export function send(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes to the server and returns the status line and body it answers. */
export function sendRaw(
  baseUrl: string,
  raw: string,
): Promise<{ status: number; body: string; json: Reply['json'] }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close while we are still writing an oversized request.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') socket.emit('close');
      else reject(err);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, body, json: parse(body) });
    });
    socket.write(raw);
  });
}
