/**
 * Drop-in mode: a host that owns its MeterProvider (directly or through NodeSDK) registers our
 * SnapshotReader among its readers and attaches its other readers to the collector.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  SnapshotReader,
} from '../../src/index.js';
import { FakePipeline, scrape } from './fixtures.js';

const NS = 'alert_history_publishing';

function exporterHandler(exporter: PrometheusExporter) {
  return exporter.getMetricsRequestHandler.bind(exporter);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('drop-in: the host owns the MeterProvider', () => {
  it('its Prometheus exporter serves our gauges, recorder counters and its own metrics', async () => {
    const pipeline = new FakePipeline([
      { name: 'slack-ops', type: 'slack' },
      { name: 'webhook-old', type: 'webhook' },
    ]);
    const snapshotReader = new SnapshotReader();
    const promExporter = new PrometheusExporter({ preventServerStart: true });
    const meterProvider = new MeterProvider({ readers: [snapshotReader, promExporter] });
    const collector = new PublishingMetricsCollector({ meterProvider, snapshotReader });
    collector.attach(promExporter);
    collector.registerCollector(new HealthCollector(pipeline.health));
    collector.registerCollector(new QueueCollector(pipeline.queue));
    meterProvider.getMeter('host-app').createCounter('http_requests').add(5);
    collector.queue.recordJob('slack-ops', 'high', 'succeeded', 0.2, 0.01);
    try {
      const body = await scrape(exporterHandler(promExporter));
      expect(body).toMatch(
        new RegExp(
          `^${NS}_jobs_processed_total\\{target="slack-ops",state="succeeded",.*\\} 1$`,
          'm',
        ),
      );
      expect(body).toMatch(new RegExp(`^${NS}_target_health_status\\{target="webhook-old",`, 'm'));
      expect(body).toMatch(/^http_requests_total\{.*otel_scope_name="host-app".*\} 5$/m);

      const snapshot = await collector.collectAll();
      expect(
        snapshot.get('jobs_processed_total', { target: 'slack-ops', state: 'succeeded' }),
      ).toBe(1);
      expect(snapshot.family('http_requests_total')).toBeUndefined();

      // Removed targets leave the host's exporter as well.
      pipeline.remove('webhook-old');
      expect(await scrape(exporterHandler(promExporter))).not.toContain('webhook-old');
    } finally {
      await collector.shutdown();
      await meterProvider.shutdown();
    }
  });
});

describe('drop-in: the host runs NodeSDK', () => {
  it('serves our metrics through the SDK readers, with the SDK resource', async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
    const pipeline = new FakePipeline([{ name: 'pagerduty-sre', type: 'pagerduty' }]);
    const snapshotReader = new SnapshotReader();
    const promExporter = new PrometheusExporter({ preventServerStart: true });
    const sdk = new NodeSDK({
      serviceName: 'nodesdk-host',
      metricReaders: [snapshotReader, promExporter],
      instrumentations: [],
    });
    sdk.start();
    const collector = new PublishingMetricsCollector({
      meterProvider: metrics.getMeterProvider(),
      snapshotReader,
    });
    collector.attach(promExporter);
    collector.registerCollector(new HealthCollector(pipeline.health));
    collector.refresh.recordRefresh('success', 0.4);
    try {
      const snapshot = await collector.collectAll();
      expect(
        snapshot.get('target_health_status', { target: 'pagerduty-sre', type: 'pagerduty' }),
      ).toBe(1);
      expect(snapshot.get('refresh_total', { status: 'success' })).toBe(1);

      const body = await scrape(exporterHandler(promExporter));
      expect(body).toMatch(/^target_info\{.*service_name="nodesdk-host"/m);
      expect(body).toMatch(new RegExp(`^${NS}_refresh_total\\{status="success",.*\\} 1$`, 'm'));
      expect(body).toContain(`${NS}_refresh_duration_seconds_bucket{status="success",`);
    } finally {
      await collector.shutdown();
      await sdk.shutdown();
      metrics.disable();
    }
  });
});
