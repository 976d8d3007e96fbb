/**
 * The instrument path next to an env-only NodeSDK with the default exporter (`otlp`, here
 * http/json to a receiver the test runs): NodeSDK's own OTLP reader exports every catalog metric,
 * and the final export — library shut down first, then the SDK, the order a service's shutdown
 * hook usually takes — carries for the same events the values the producer path exports.
 */
import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG, PublishingMetricsCollector, instrumentName } from '../../src/index.js';
import { inMemorySources, recordSampleTraffic } from '../../examples/in-memory-subsystems.js';
import { decodeJson, startOtlpReceiver, type OtlpReceiver } from '../setup/otlp-receiver.js';
import { otlpJsonSamples } from './support.js';

const receivers: OtlpReceiver[] = [];
afterAll(async () => {
  metrics.disable();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  receivers.push(r);
  return r;
}

function lastExport(r: OtlpReceiver): Map<string, string> {
  const last = r.requests.at(-1);
  if (last === undefined) throw new Error('the receiver got no export');
  return otlpJsonSamples(decodeJson(last));
}

describe('instrument path on an env-only NodeSDK exporting OTLP', () => {
  it('exports every catalog metric in the final export, equal to the producer path', async () => {
    const viaSdk = await receiver();
    process.env['OTEL_METRICS_EXPORTER'] = 'otlp';
    process.env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'] = 'http/json';
    process.env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] = `${viaSdk.url}/v1/metrics`;
    process.env['OTEL_METRIC_EXPORT_INTERVAL'] = '600000';
    process.env['OTEL_TRACES_EXPORTER'] = 'none';
    process.env['OTEL_LOGS_EXPORTER'] = 'none';
    const sdk = new NodeSDK();
    sdk.start();
    const instrumented = new PublishingMetricsCollector({ sources: inMemorySources });

    const viaProducer = await receiver();
    const produced = new PublishingMetricsCollector({
      sources: inMemorySources,
      meterProvider: false,
    });
    const provider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${viaProducer.url}/v1/metrics` }),
          exportIntervalMillis: 600_000,
          metricProducers: [produced.producer],
        }),
      ],
    });

    for (let i = 0; i < 3; i++) {
      recordSampleTraffic(instrumented);
      recordSampleTraffic(produced);
    }
    // Library first, then the SDK: the SDK's final export still has the final port values.
    await instrumented.shutdown();
    await sdk.shutdown();
    await produced.shutdown();
    await provider.shutdown();

    const a = lastExport(viaSdk);
    const b = lastExport(viaProducer);
    expect(b.size).toBeGreaterThan(100);
    const exported = new Set([...a.keys()].map((k) => k.slice(0, k.indexOf('{'))));
    expect(CATALOG.map((d) => instrumentName(d)).filter((n) => !exported.has(n))).toEqual([]);

    const timing = instrumentName(CATALOG.find((d) => d.name === 'collection_duration_seconds')!);
    const differing: string[] = [];
    for (const [key, value] of b) {
      if (key.startsWith(`${timing}{`)) continue;
      const other = a.get(key);
      if (other === undefined) {
        if (!value.startsWith('count=0 '))
          differing.push(`${key}: only via the producer, ${value}`);
      } else if (other !== value) differing.push(`${key}: producer ${value}, instruments ${other}`);
    }
    for (const key of a.keys()) if (!b.has(key)) differing.push(`${key}: only via instruments`);
    expect(differing).toEqual([]);
    expect(
      a.get(
        'alert_history_publishing_target_health_status{target="pagerduty-primary",type="pagerduty"}',
      ),
    ).toBe('2');
  });
});
