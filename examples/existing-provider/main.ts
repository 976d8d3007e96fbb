/**
 * Drop-in for a service that owns its MeterProvider and a Prometheus exporter, on the producer
 * path: the exporter is built with the library's MetricProducer among its `metricProducers`, so
 * /metrics carries every library series with exact semantics (removed targets vanish, a failed
 * collector's stale values are withheld) next to the host's own instruments. Serves /metrics on
 * an ephemeral loopback port, scrapes it once and prints what it found.
 * Run with `npx tsx examples/existing-provider/main.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PublishingMetricsCollector, type HealthMonitor } from '../../src/index.js';

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

// The library on the producer path: no instruments on any provider, one MetricProducer.
const collector = new PublishingMetricsCollector({
  meterProvider: false,
  sources: { health: healthMonitor },
});

// The host's own telemetry setup; the exporter's built-in server is not used because the service
// already has an HTTP server.
const prometheusExporter = new PrometheusExporter({
  preventServerStart: true,
  metricProducers: [collector.producer],
});
const meterProvider = new MeterProvider({ readers: [prometheusExporter] });
meterProvider.getMeter('host').createCounter('host_requests').add(1);

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
// A collector's gauge, a recorder's counter and the host's own instrument.
for (const name of [
  'alert_history_publishing_target_health_status',
  'alert_history_publishing_refresh_total',
  'host_requests_total',
]) {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && !l.endsWith(' 0'));
  console.log(line ?? `${name}: missing`);
}

server.close();
await collector.shutdown();
await meterProvider.shutdown();
