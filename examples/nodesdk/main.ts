/**
 * Drop-in for a service that already starts the OpenTelemetry NodeSDK: our SnapshotReader goes
 * among the SDK's metric readers and our collectors register on the SDK's global MeterProvider.
 * Prints the key values of one snapshot, then shuts down. Run with `npx tsx examples/nodesdk/main.ts`.
 */
import { metrics } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  HealthCollector,
  PublishingMetricsCollector,
  RefreshCollector,
  SnapshotReader,
} from '../../src/index.js';
import { healthMonitor, refreshManager } from '../in-memory-subsystems.js';

const snapshotReader = new SnapshotReader();
const sdk = new NodeSDK({
  serviceName: 'alert-publisher',
  // Any further reader listed here (OTLP, Prometheus) needs `collector.attach(reader)` so it
  // exports the recorder metrics and withholds stale series as the snapshot does.
  metricReaders: [snapshotReader],
});
sdk.start();

const collector = new PublishingMetricsCollector({
  meterProvider: metrics.getMeterProvider(),
  snapshotReader,
});
collector.registerCollector(new HealthCollector(healthMonitor));
collector.registerCollector(new RefreshCollector(refreshManager));
collector.refresh.recordRefresh('success', 0.85);

const snapshot = await collector.collectAll();
const keyValues: Array<[string, Record<string, string>?]> = [
  ['target_health_status', { target: 'slack-oncall', type: 'slack' }],
  ['target_health_status', { target: 'pagerduty-primary', type: 'pagerduty' }],
  ['target_success_rate', { target: 'pagerduty-primary' }],
  ['targets_by_health', { status: 'degraded' }],
  ['refresh_interval_seconds'],
  ['refresh_total', { status: 'success' }],
  ['collector_up', { collector: 'health' }],
  ['collector_up', { collector: 'refresh' }],
];
for (const [name, labels] of keyValues) {
  const shown = Object.entries(labels ?? {})
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  console.log(`${name}${shown === '' ? '' : `{${shown}}`} ${snapshot.get(name, labels)}`);
}

await collector.shutdown();
await sdk.shutdown();
