/**
 * Drop-in for a service that owns its MeterProvider and a Prometheus exporter: our SnapshotReader
 * is one of the provider's readers and the exporter is attached, so /metrics carries the recorder
 * metrics (counters, histograms, self-monitoring) and withholds stale series. Serves /metrics on
 * an ephemeral loopback port, scrapes it once and prints what it found.
 * Run with `npx tsx examples/existing-provider/main.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  HealthCollector,
  PublishingMetricsCollector,
  SnapshotReader,
  type HealthMonitor,
} from '../../src/index.js';

const healthMonitor: HealthMonitor = {
  getHealth: () => [
    {
      targetName: 'webhook-audit',
      targetType: 'webhook',
      enabled: true,
      status: 'unhealthy',
      latencyMs: 5000,
      lastCheck: new Date(),
      consecutiveFailures: 4,
      totalChecks: 40,
      totalSuccesses: 30,
      totalFailures: 10,
      successRate: 0.75,
    },
  ],
};

// The host's own telemetry setup; the exporter's built-in server is not used because the service
// already has an HTTP server.
const snapshotReader = new SnapshotReader();
const prometheusExporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [snapshotReader, prometheusExporter] });

const collector = new PublishingMetricsCollector({ meterProvider, snapshotReader });
collector.attach(prometheusExporter);
collector.registerCollector(new HealthCollector(healthMonitor));
collector.refresh.recordRefresh('failed', 2.5);

const server = createServer((req, res) => {
  if (req.url === '/metrics') return prometheusExporter.getMetricsRequestHandler(req, res);
  res.statusCode = 404;
  res.end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const response = await fetch(`http://127.0.0.1:${port}/metrics`);
const body = await response.text();
console.log(`GET /metrics -> ${response.status}, ${body.length} bytes`);
// One metric a collector observes and one a recorder appends (present only when attached).
for (const name of [
  'alert_history_publishing_target_health_status',
  'alert_history_publishing_refresh_total',
]) {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && !l.endsWith(' 0'));
  console.log(line ?? `${name}: missing`);
}

server.close();
await collector.shutdown();
await meterProvider.shutdown();
