/**
 * Complete fake subsystem ports (every optional field set, so every port metric is observed) and
 * helpers that fill every recorder a collector publishes, so tests can see each catalog metric.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsHandler } from '../../src/export/prometheus-types.js';
import { Recorder } from '../../src/recorders/recorder.js';
import { HistogramStore } from '../../src/series/histogram-store.js';
import { NumberStore } from '../../src/series/number-store.js';
import type { PublishingMetricsCollector } from '../../src/collector.js';
import type {
  DiscoveryStats,
  HealthMonitor,
  PublishingQueue,
  PublishingTarget,
  QueueStats,
  RefreshManager,
  RefreshStatus,
  TargetDiscoveryManager,
  TargetHealthStatus,
} from '../../src/sources.js';
import type { TelemetrySources } from '../../src/setup-sources.js';

export interface FakeTarget {
  name: string;
  type: string;
  status?: TargetHealthStatus['status'];
  successRate?: number;
}

/** Ports over one mutable target list: removing a target removes it from every port. */
export class FakePipeline implements TelemetrySources {
  targets: FakeTarget[];
  readonly started = new Date();

  constructor(targets: FakeTarget[]) {
    this.targets = targets;
  }

  remove(name: string): void {
    this.targets = this.targets.filter((t) => t.name !== name);
  }

  readonly health: HealthMonitor = {
    getHealth: (): TargetHealthStatus[] =>
      this.targets.map((t, i) => ({
        targetName: t.name,
        targetType: t.type,
        enabled: true,
        status: t.status ?? 'healthy',
        latencyMs: 10 + i,
        lastCheck: this.started,
        lastSuccess: this.started,
        consecutiveFailures: i,
        totalChecks: 100,
        totalSuccesses: 90,
        totalFailures: 10,
        successRate: t.successRate ?? 0.9,
      })),
  };

  readonly refresh: RefreshManager = {
    getStatus: (): RefreshStatus => ({
      state: 'success',
      lastRefresh: this.started,
      nextRefresh: new Date(this.started.getTime() + 60_000),
      refreshDurationMs: 250,
      intervalMs: 60_000,
      targetsDiscovered: this.targets.length,
      targetsValid: this.targets.length,
      targetsInvalid: 1,
      consecutiveFailures: 0,
    }),
  };

  readonly discovery: TargetDiscoveryManager = {
    listTargets: (): PublishingTarget[] =>
      this.targets.map((t) => ({
        name: t.name,
        type: t.type,
        url: `https://example.test/${t.name}`,
        enabled: true,
      })),
    getStats: (): DiscoveryStats => ({
      totalTargets: this.targets.length + 1,
      validTargets: this.targets.length,
      invalidTargets: 1,
      lastDiscovery: this.started,
      discoveryErrors: 2,
    }),
  };

  readonly queue: PublishingQueue = {
    getStats: (): QueueStats => ({
      priorities: {
        high: { size: 3, capacity: 100 },
        medium: { size: 10, capacity: 200 },
        low: { size: 0, capacity: 400 },
      },
      workersActive: 2,
      workersIdle: 6,
      dlqSize: Object.fromEntries(this.targets.map((t, i) => [t.name, i])),
      dlqOldestEntryAgeSeconds: 42,
      circuitBreakers: Object.fromEntries(
        this.targets.map((t, i) => [t.name, i === 0 ? 'open' : 'closed'] as const),
      ),
    }),
  };

  get sources(): TelemetrySources {
    return {
      health: this.health,
      refresh: this.refresh,
      discovery: this.discovery,
      queue: this.queue,
    };
  }
}

/** Every recorder a collector publishes (found among its own fields, private ones included). */
export function recordersOf(collector: PublishingMetricsCollector): Recorder[] {
  const found = new Set<Recorder>();
  for (const value of Object.values(collector)) {
    if (value instanceof Recorder) found.add(value);
    if (Array.isArray(value)) for (const v of value) if (v instanceof Recorder) found.add(v);
  }
  return [...found];
}

/**
 * Writes one sample into every store of every recorder, whatever its API: label values are
 * `<label>-1` except `target`, which takes `target`. Counters get `count`, histograms `count`
 * observations of `value` seconds (or bytes), gauges `count`.
 */
export function fillRecorders(
  collector: PublishingMetricsCollector,
  target: string,
  count = 3,
  value = 0.2,
): void {
  for (const recorder of recordersOf(collector)) {
    for (const store of recorder.stores) {
      const labels = store.definition.labels.map((l) => (l === 'target' ? target : `${l}-1`));
      const slot = store.slot(labels);
      if (store instanceof NumberStore && store.kind === 'counter') store.values[slot]! += count;
      else if (store instanceof NumberStore) store.values[slot] = count;
      else if (store instanceof HistogramStore) {
        for (let i = 0; i < count; i++) store.observe(slot, value);
      }
    }
  }
}

/** The sample names Prometheus stores for one metric family. */
export function sampleNames(name: string, kind: 'gauge' | 'counter' | 'histogram'): string[] {
  return kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

/** Metric names of the samples in a Prometheus text body. */
export function exposedNames(body: string): Set<string> {
  const names = new Set<string>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (match !== null) names.add(match[0]);
  }
  return names;
}

/** Polls `check` every 25 ms until it returns a value other than undefined. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A logger that keeps its lines. */
export function memoryLogger(): {
  warn: (m: string) => void;
  info: (m: string) => void;
  warns: string[];
  infos: string[];
} {
  const warns: string[] = [];
  const infos: string[] = [];
  return { warn: (m) => warns.push(m), info: (m) => infos.push(m), warns, infos };
}

/** The body a mountable metrics handler serves, through a throwaway node:http server. */
export async function scrape(handler: MetricsHandler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } finally {
    server.close();
  }
}
