/**
 * Drop-in on the producer path: a host that builds its own readers (directly on a MeterProvider
 * or through NodeSDK's `metricReaders`) passes the library's MetricProducer in their
 * `metricProducers`; every catalog metric is exported next to the host's own instruments. And
 * SnapshotReader, a real MetricReader, turns whatever its provider collects into a snapshot.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CATALOG,
  instrumentName,
  PublishingMetricsCollector,
  SnapshotReader,
} from '../../src/index.js';
import { inMemorySources, recordSampleTraffic } from '../../examples/in-memory-subsystems.js';
import { exposedNames, scrape } from './fixtures.js';
import { catalogSampleNames } from '../otel-native/support.js';

const NS = 'alert_history_publishing';

function exporterHandler(exporter: PrometheusExporter) {
  return exporter.getMetricsRequestHandler.bind(exporter);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('drop-in: the host owns the MeterProvider and builds its readers', () => {
  it('its PrometheusExporter and PeriodicExportingMetricReader export every catalog metric', async () => {
    const collector = new PublishingMetricsCollector({
      meterProvider: false,
      sources: inMemorySources,
    });
    const promExporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [collector.producer],
    });
    const pushed = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const periodic = new PeriodicExportingMetricReader({
      exporter: pushed,
      exportIntervalMillis: 600_000,
      metricProducers: [collector.producer],
    });
    const meterProvider = new MeterProvider({ readers: [promExporter, periodic] });
    meterProvider.getMeter('host-app').createCounter('http_requests').add(5);
    recordSampleTraffic(collector);
    try {
      const body = await scrape(exporterHandler(promExporter));
      const names = exposedNames(body);
      expect(catalogSampleNames().filter((n) => !names.has(n))).toEqual([]);
      expect(body).toMatch(
        new RegExp(
          `^${NS}_jobs_processed_total\\{target="slack-oncall",state="succeeded",.*\\} 1$`,
          'm',
        ),
      );
      expect(body).toMatch(/^http_requests_total\{.*otel_scope_name="host-app".*\} 5$/m);

      await periodic.forceFlush();
      const exported = new Set(
        pushed
          .getMetrics()
          .at(-1)!
          .scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)),
      );
      expect(CATALOG.map((d) => instrumentName(d)).filter((n) => !exported.has(n))).toEqual([]);
      expect(exported.has('http_requests')).toBe(true);

      // The library's own snapshot holds only the library's metrics.
      const snapshot = await collector.collectAll();
      expect(
        snapshot.get('jobs_processed_total', { target: 'slack-oncall', state: 'succeeded' }),
      ).toBe(1);
      expect(snapshot.family('http_requests_total')).toBeUndefined();
    } finally {
      await collector.shutdown();
      await meterProvider.shutdown();
    }
  });

  it('SnapshotReader on any provider snapshots what it collects, the host’s instruments included', async () => {
    const collector = new PublishingMetricsCollector({
      meterProvider: false,
      sources: { health: inMemorySources.health! },
    });
    const snapshotReader = new SnapshotReader({ collector });
    const meterProvider = new MeterProvider({ readers: [snapshotReader] });
    meterProvider.getMeter('host-app').createCounter('http_requests').add(3);
    try {
      const snapshot = await snapshotReader.collectAll();
      expect(snapshot.get('http_requests_total')).toBe(3);
      expect(
        snapshot.get('target_health_status', { target: 'pagerduty-primary', type: 'pagerduty' }),
      ).toBe(2);
      expect(snapshot.collectors['health']?.ok).toBe(true);
    } finally {
      await meterProvider.shutdown();
    }
  });
});

describe('drop-in: the host runs NodeSDK with readers built in code', () => {
  it('serves our metrics through the SDK readers, with the SDK resource', async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
    const collector = new PublishingMetricsCollector({
      meterProvider: false,
      sources: { health: inMemorySources.health! },
    });
    const promExporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [collector.producer],
    });
    const sdk = new NodeSDK({
      serviceName: 'nodesdk-host',
      metricReaders: [promExporter],
      instrumentations: [],
    });
    sdk.start();
    collector.refresh.recordRefresh('success', 0.4);
    try {
      const body = await scrape(exporterHandler(promExporter));
      expect(body).toMatch(/^target_info\{.*service_name="nodesdk-host"/m);
      expect(body).toMatch(new RegExp(`^${NS}_refresh_total\\{status="success",.*\\} 1$`, 'm'));
      expect(body).toContain(`${NS}_refresh_duration_seconds_bucket{status="success",`);
      expect(body).toMatch(
        new RegExp(
          `^${NS}_target_health_status\\{target="slack-oncall",type="slack",.*\\} 1$`,
          'm',
        ),
      );
    } finally {
      await collector.shutdown();
      await sdk.shutdown();
      metrics.disable();
    }
  });
});
