/**
 * Drop-in for a service that starts the OpenTelemetry NodeSDK with readers it builds in code, on
 * the producer path: each reader is built with the library's MetricProducer among its
 * `metricProducers`. (With a NodeSDK configured by the environment only, see
 * `examples/nodesdk-env`: there the library joins the global MeterProvider as instruments.)
 * Scrapes the reader once, prints key values, then shuts down.
 * Run with `npx tsx examples/nodesdk/main.ts`.
 */
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PublishingMetricsCollector } from '../../src/index.js';
import { healthMonitor, refreshManager } from '../in-memory-subsystems.js';

const collector = new PublishingMetricsCollector({
  meterProvider: false,
  sources: { health: healthMonitor, refresh: refreshManager },
});
const reader = new PrometheusExporter({
  preventServerStart: true,
  metricProducers: [collector.producer],
});
const sdk = new NodeSDK({ serviceName: 'alert-publisher', metricReaders: [reader] });
sdk.start();

collector.refresh.recordRefresh('success', 0.85);

const { resourceMetrics } = await reader.collect();
// The exposition lines as NodeSDK's Prometheus reader serves them, without the scope labels.
const lines = new PrometheusSerializer()
  .serialize(resourceMetrics)
  .split('\n')
  .map((l) => l.replace(/,?otel_scope_(name|version)="[^"]*"/g, '').replace('{}', ''));
const keyValues = [
  'target_health_status{target="slack-oncall",type="slack"}',
  'target_health_status{target="pagerduty-primary",type="pagerduty"}',
  'target_success_rate{target="pagerduty-primary"}',
  'targets_by_health{status="degraded"}',
  'refresh_interval_seconds',
  'refresh_total{status="success"}',
  'collector_up{collector="health"}',
  'collector_up{collector="refresh"}',
];
for (const series of keyValues) {
  const line = lines.find((l) => l.startsWith(`alert_history_publishing_${series} `));
  console.log(line?.replace(/^alert_history_publishing_/, '') ?? `${series}: missing`);
}

await collector.shutdown();
await sdk.shutdown();
