/**
 * Measures what extra readers cost, and what the Prometheus scope/target info costs. Not a test:
 *
 *   node --expose-gc --import tsx test/setup/reader-cost.ts
 *
 * The figures in docs/setup.md come from this script.
 */
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  DiscoveryCollector,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  SnapshotReader,
} from '../../src/index.js';
import { PrometheusTextSerializer } from '../../src/export/prometheus-text.js';
import { FakePipeline, type FakeTarget } from './fixtures.js';

const RUNS = 40;
const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function targets(n: number): FakeTarget[] {
  const types = ['slack', 'rootly', 'pagerduty', 'webhook'];
  return Array.from({ length: n }, (_, i) => ({ name: `target-${i}`, type: types[i % 4]! }));
}

function build(n: number, readerCount: 1 | 2 | 3) {
  const pipeline = new FakePipeline(targets(n));
  const collector = new PublishingMetricsCollector({ meterProvider: false, maxTargets: 5000 });
  const metricProducers = [collector.producer];
  const snapshotReader = new SnapshotReader({ collector });
  const readers: MetricReader[] = [];
  const prom = new PrometheusExporter({ preventServerStart: true, metricProducers });
  if (readerCount >= 2) readers.push(prom);
  if (readerCount >= 3) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 3_600_000,
        metricProducers,
      }),
    );
  }
  new MeterProvider({ readers: [snapshotReader, ...readers, ...(readerCount < 2 ? [prom] : [])] });
  collector.registerCollector(new HealthCollector(pipeline.health));
  collector.registerCollector(new DiscoveryCollector(pipeline.discovery));
  collector.registerCollector(new QueueCollector(pipeline.queue));
  for (const t of pipeline.targets) {
    collector.queue.recordJob(t.name, 'high', 'succeeded', 0.3, 0.01);
    collector.queue.recordRetry(t.name, 'transient');
    collector.publisher.recordRequest(t.type, t.name, 200, 0.2);
  }
  return { collector, readers: [snapshotReader, ...readers], prom };
}

function heapMiB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function readerCost(n: number, readerCount: 1 | 2 | 3) {
  const heapBefore = heapMiB();
  const { collector, readers } = build(n, readerCount);
  const perReader: number[] = [];
  const round: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    for (const reader of readers) {
      const t0 = performance.now();
      await reader.collect();
      if (reader === readers[0]) perReader.push(performance.now() - t0);
    }
    round.push(performance.now() - started);
  }
  const heap = heapMiB() - heapBefore;
  // Hot path: one recorded job, nanoseconds (the same store whatever the reader count).
  const hot = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < hot; i++) {
    collector.queue.recordJob('target-1', 'high', 'succeeded', 0.3, 0.01);
  }
  const recordNs = ((performance.now() - t0) * 1e6) / hot;
  await collector.shutdown();
  return { perReader: median(perReader), round: median(round), heap, recordNs };
}

async function serializationCost(n: number) {
  const { collector, prom } = build(n, 2);
  const { resourceMetrics } = await prom.collect();
  // The serializer the library's endpoint uses (byte-identical to the exporter's own).
  const variants = {
    default: new PrometheusTextSerializer({ withoutScopeInfo: false, withoutTargetInfo: false }),
    withoutTargetInfo: new PrometheusTextSerializer({
      withoutScopeInfo: false,
      withoutTargetInfo: true,
    }),
    withoutScopeInfo: new PrometheusTextSerializer({
      withoutScopeInfo: true,
      withoutTargetInfo: false,
    }),
    both: new PrometheusTextSerializer({ withoutScopeInfo: true, withoutTargetInfo: true }),
  };
  const out: Record<string, string> = {};
  for (const [name, serializer] of Object.entries(variants)) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      bytes = Buffer.byteLength(serializer.serialize(resourceMetrics));
      times.push(performance.now() - t0);
    }
    out[name] = `${median(times).toFixed(2)} ms, ${(bytes / 1024).toFixed(0)} KiB`;
  }
  await collector.shutdown();
  return out;
}

// Warm-up: the first configuration measured would otherwise pay for JIT compilation.
await readerCost(100, 3);

for (const n of [100, 1000]) {
  const baseline = await readerCost(n, 1);
  for (const count of [1, 2, 3] as const) {
    const r = count === 1 ? baseline : await readerCost(n, count);
    console.log(
      `N=${n} readers=${count}: snapshot collect ${r.perReader.toFixed(2)} ms, all readers once ` +
        `${r.round.toFixed(2)} ms, retained heap ${r.heap.toFixed(1)} MiB, ` +
        `recordJob ${r.recordNs.toFixed(0)} ns`,
    );
  }
  console.log(`N=${n} Prometheus serialization:`, await serializationCost(n));
}
