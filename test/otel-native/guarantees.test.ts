/**
 * The guarantee table of `docs/setup.md`, row by row, on both ways out of the library: the
 * instrument path (instruments on a host MeterProvider, read by a plain reader) and the producer
 * path (a plain reader built with the library's MetricProducer). Where the SDK decides on the
 * instrument path (opentelemetry-js#4096: an attribute set no longer observed keeps being
 * exported; a failed callback's last values are re-exported), the test asserts that documented
 * behaviour, and that `collector_up` still flags the failed collector.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type CollectionResult,
  type MetricReaderOptions,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  instrumentName,
  metricDefinition,
  type HealthMonitor,
  type TargetHealthStatus,
} from '../../src/index.js';
import { targetHealth } from '../support/fakes.js';

class PlainReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options);
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

type Path = 'instruments' | 'producer';
const PATHS: readonly Path[] = ['instruments', 'producer'];

function wire(path: Path, options: { collectorTimeoutMs?: number; maxTargets?: number } = {}) {
  if (path === 'instruments') {
    const reader = new PlainReader();
    const provider = new MeterProvider({ readers: [reader] });
    return { pm: new PublishingMetricsCollector({ ...options, meterProvider: provider }), reader };
  }
  const pm = new PublishingMetricsCollector({ ...options, meterProvider: false });
  const reader = new PlainReader({ metricProducers: [pm.producer] });
  new MeterProvider({ readers: [reader] });
  return { pm, reader };
}

/** Points of catalog metric `name` as `{ attributes, value }`. */
function points(
  result: CollectionResult,
  name: string,
): Array<{ attributes: Attributes; value: unknown }> {
  const instrument = instrumentName(metricDefinition(name));
  const out: Array<{ attributes: Attributes; value: unknown }> = [];
  for (const scope of result.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== instrument) continue;
      for (const p of metric.dataPoints) {
        out.push({
          attributes: p.attributes,
          value: metric.dataPointType === DataPointType.HISTOGRAM ? p.value : p.value,
        });
      }
    }
  }
  return out;
}

function value(result: CollectionResult, name: string, attrs: Attributes): unknown {
  const found = points(result, name).filter((p) =>
    Object.entries(attrs).every(([k, v]) => p.attributes[k] === v),
  );
  return found.length === 1 ? found[0]!.value : found.length === 0 ? undefined : 'ambiguous';
}

/** The major version of the sdk-metrics under test (3.x does not export its package.json). */
function sdkMajor(): number {
  let dir = dirname(createRequire(import.meta.url).resolve('@opentelemetry/sdk-metrics'));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version: string };
      if (pkg.name === '@opentelemetry/sdk-metrics') return Number(pkg.version.split('.')[0]);
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json of @opentelemetry/sdk-metrics not found');
    dir = up;
  }
}
const SDK_MAJOR = sdkMajor();

describe.each(PATHS)('%s path', (path) => {
  it('per-collector timeout: a hung port costs one collection its timeout, the collector marked down', async () => {
    const { pm, reader } = wire(path, { collectorTimeoutMs: 200 });
    pm.registerCollector(new HealthCollector({ getHealth: () => new Promise(() => undefined) }));
    const started = performance.now();
    const result = await reader.collect();
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1500);
    expect(value(result, 'collector_up', { collector: 'health' })).toBe(0);
    expect(
      value(result, 'collection_errors_total', { collector: 'health', reason: 'timeout' }),
    ).toBe(1);
  });

  it('failure attribution: a throwing port fails its own collector only, by name', async () => {
    const { pm, reader } = wire(path);
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => {
          throw new Error('health store offline');
        },
      }),
    );
    const result = await reader.collect();
    expect(result.errors).toEqual([]);
    expect(value(result, 'collector_up', { collector: 'health' })).toBe(0);
    expect(value(result, 'collection_errors_total', { collector: 'health', reason: 'error' })).toBe(
      1,
    );
    expect(pm.statuses()['health']?.error).toBe('health store offline');
  });

  it('stale values after a failed run: withheld on the producer path; re-exported by the SDK on the instrument path', async () => {
    let fail = false;
    const { pm, reader } = wire(path);
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => {
          if (fail) throw new Error('monitor restarting');
          return [targetHealth('rootly', { successRate: 0.75 })];
        },
      }),
    );
    expect(value(await reader.collect(), 'target_success_rate', { target: 'rootly' })).toBe(0.75);
    fail = true;
    const after = await reader.collect();
    expect(value(after, 'collector_up', { collector: 'health' })).toBe(0);
    expect(value(after, 'target_success_rate', { target: 'rootly' })).toBe(
      path === 'producer' ? undefined : 0.75,
    );
  });

  it('removed targets: gone at the next collection on the producer path; kept by the SDK (#4096) on the instrument path', async () => {
    let targets: TargetHealthStatus[] = [targetHealth('slack-ops'), targetHealth('webhook-old')];
    const { pm, reader } = wire(path);
    pm.registerCollector(new HealthCollector({ getHealth: () => targets }));
    pm.queue.recordJob('webhook-old', 'high', 'succeeded', 0.1, 0.01);
    const before = await reader.collect();
    expect(value(before, 'target_success_rate', { target: 'webhook-old' })).toBe(0.9);
    targets = [targets[0]!];
    const after = await reader.collect();
    expect(value(after, 'collector_up', { collector: 'health' })).toBe(1);
    expect(value(after, 'target_success_rate', { target: 'slack-ops' })).toBe(0.9);
    const kept = path === 'instruments' && SDK_MAJOR <= 3;
    expect(value(after, 'target_success_rate', { target: 'webhook-old' })).toBe(
      kept ? 0.9 : undefined,
    );
    expect(
      value(after, 'jobs_processed_total', { target: 'webhook-old', state: 'succeeded' }),
    ).toBe(kept ? 1 : undefined);
    // The library's own view is exact on either path.
    expect(
      (await pm.collectAll()).get('target_success_rate', { target: 'webhook-old' }),
    ).toBeUndefined();
  });

  it('cardinality: the target cap folds into __overflow__; past it the SDK limits instruments to 2,000 series each', async () => {
    const n = 2500;
    const { pm, reader } = wire(path, { maxTargets: 3000, collectorTimeoutMs: 10_000 });
    const health: HealthMonitor = {
      getHealth: () => Array.from({ length: n }, (_, i) => targetHealth(`hook-${i}`)),
    };
    pm.registerCollector(new HealthCollector(health));
    const result = await reader.collect();
    const series = points(result, 'target_success_rate');
    if (path === 'producer') {
      expect(series.length).toBe(n);
    } else {
      // 1,999 attribute sets plus the one overflow set of the SDK's default limit.
      expect(series.length).toBe(2000);
      expect(series.filter((p) => p.attributes['otel.metric.overflow'] === true).length).toBe(1);
    }
    const capped = wire(path, { maxTargets: 10 });
    capped.pm.registerCollector(new HealthCollector(health));
    const folded = points(await capped.reader.collect(), 'target_success_rate');
    expect(folded.length).toBe(11);
    expect(folded.filter((p) => p.attributes['target'] === '__overflow__').length).toBe(1);
  });
});

describe('hot-path cost per path', () => {
  it('counters allocate nothing on either path; recorder histograms allocate on the instrument path only', async () => {
    const probe = fileURLToPath(new URL('./instrument-hot-path-probe.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        '--min-semi-space-size=64',
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        probe,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
    );
    const cost = JSON.parse(stdout) as Record<string, { bytesPerCall: number; nsPerCall: number }>;
    expect(cost['producer.recordJob']!.bytesPerCall).toBeLessThan(4);
    expect(cost['producer.recordRetry']!.bytesPerCall).toBeLessThan(4);
    expect(cost['instruments.recordRetry']!.bytesPerCall).toBeLessThan(4);
    // Two OTel histogram records per finished job (duration and wait), ~0.5–1 KB each.
    expect(cost['instruments.recordJob']!.bytesPerCall).toBeGreaterThan(200);
  }, 60_000);
});
