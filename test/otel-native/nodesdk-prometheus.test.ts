/**
 * The instrument path next to an env-only NodeSDK (`OTEL_METRICS_EXPORTER=prometheus`): the
 * library joins the global MeterProvider, NodeSDK's own Prometheus reader exports every catalog
 * metric, and for the same recorded events every value equals what the producer path exports.
 */
import { metrics } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishingMetricsCollector, type HealthMonitor } from '../../src/index.js';
import { inMemorySources, recordSampleTraffic } from '../../examples/in-memory-subsystems.js';
import { freePort } from '../support/backends.js';
import { prometheusExporterFor } from '../support/producer-readers.js';
import { scrape } from '../support/scrape.js';
import { exposedNames } from '../setup/fixtures.js';
import { catalogSampleNames, librarySamples } from './support.js';

const TIMEOUT_MS = 300;
let sdk: NodeSDK;
let url: string;
let hang = false;

/** The health port, hanging on demand (every other port answers at once). */
const health: HealthMonitor = {
  getHealth: () => (hang ? new Promise(() => undefined) : inMemorySources.health!.getHealth()),
};

beforeAll(async () => {
  const port = await freePort();
  process.env['OTEL_METRICS_EXPORTER'] = 'prometheus';
  process.env['OTEL_EXPORTER_PROMETHEUS_HOST'] = '127.0.0.1';
  process.env['OTEL_EXPORTER_PROMETHEUS_PORT'] = String(port);
  process.env['OTEL_TRACES_EXPORTER'] = 'none';
  process.env['OTEL_LOGS_EXPORTER'] = 'none';
  sdk = new NodeSDK();
  sdk.start();
  url = `http://127.0.0.1:${port}/metrics`;
});

afterAll(async () => {
  await sdk.shutdown();
  metrics.disable();
});

async function nodeSdkScrape(): Promise<{ body: string; ms: number }> {
  const started = performance.now();
  const body = await (await fetch(url)).text();
  return { body, ms: performance.now() - started };
}

describe('instrument path on an env-only NodeSDK', () => {
  it('exports every catalog metric with the values the producer path gives for the same events', async () => {
    const sources = { ...inMemorySources, health };
    const instrumented = new PublishingMetricsCollector({
      sources,
      collectorTimeoutMs: TIMEOUT_MS,
    });
    expect(instrumented.instrumentPath).toBe(true);
    const produced = new PublishingMetricsCollector({
      sources,
      collectorTimeoutMs: TIMEOUT_MS,
      meterProvider: false,
    });
    const exporter = prometheusExporterFor(produced);
    for (let i = 0; i < 3; i++) {
      recordSampleTraffic(instrumented);
      recordSampleTraffic(produced);
    }

    const { body } = await nodeSdkScrape();
    const names = exposedNames(body);
    expect(catalogSampleNames().filter((n) => !names.has(n))).toEqual([]);

    const viaInstruments = librarySamples(body);
    const viaProducer = librarySamples(await scrape(exporter));
    // Durations of the collector runs themselves differ between two collectors; their counts not.
    const timing = /^alert_history_publishing_collection_duration_seconds_(sum|bucket)/;
    const differing: string[] = [];
    for (const [key, value] of viaProducer) {
      if (timing.test(key)) continue;
      const other = viaInstruments.get(key);
      if (other === undefined) {
        // A sync OTel histogram has a series from its first observation on; the producer path
        // starts every target's histogram series at zero.
        if (value !== 0) differing.push(`${key}: only on the producer path, ${value}`);
      } else if (other !== value) {
        differing.push(`${key}: producer ${value}, instruments ${other}`);
      }
    }
    for (const key of viaInstruments.keys()) {
      if (!viaProducer.has(key)) differing.push(`${key}: only on the instrument path`);
    }
    expect(differing).toEqual([]);
    expect(
      viaInstruments.get(
        'alert_history_publishing_jobs_processed_total{state="succeeded",target="slack-oncall"}',
      ),
    ).toBe(3);

    // A hung port: the scrape answers within the collector timeout, the collector marked down.
    const healthy = await nodeSdkScrape();
    hang = true;
    const hung = await nodeSdkScrape();
    hang = false;
    // Within the collector timeout plus what an ordinary scrape costs (100 ms, or more on a
    // loaded machine: the bound is about the timeout, not this machine's speed).
    expect(hung.ms).toBeLessThan(TIMEOUT_MS + Math.max(100, 1.5 * healthy.ms));
    const hungSamples = librarySamples(hung.body);
    expect(hungSamples.get('alert_history_publishing_collector_up{collector="health"}')).toBe(0);
    expect(hungSamples.get('alert_history_publishing_collector_up{collector="queue"}')).toBe(1);
    expect(
      hungSamples.get(
        'alert_history_publishing_collection_errors_total{collector="health",reason="timeout"}',
      ),
    ).toBe(1);

    await instrumented.shutdown();
    await produced.shutdown();
  });
});
