/**
 * OTLP/protobuf push into a real VictoriaMetrics: removed targets get no new samples, and
 * shutdown() delivers everything recorded before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import {
  requireBackend,
  startVictoriaMetrics,
  vmForceFlush,
  waitForQuery,
  type RunningBackend,
} from '../support/backends.js';
import { FakePipeline, until } from '../setup/fixtures.js';

const victoriaBin = requireBackend('victoria-metrics');
const NS = 'alert_history_publishing';

interface ExportedSeries {
  metric: Record<string, string>;
  timestamps: number[];
}

/** Raw samples (`/api/v1/export`, JSON lines) of the series matching `selector`. */
async function rawSeries(url: string, selector: string): Promise<ExportedSeries[]> {
  const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': selector })}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`export ${selector}: HTTP ${res.status} ${text}`);
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ExportedSeries);
}

const latest = (series: ExportedSeries[]) =>
  Math.max(-Infinity, ...series.flatMap((s) => s.timestamps));

describe.skipIf(!victoriaBin)('OTLP http/protobuf push into VictoriaMetrics', () => {
  let victoria: RunningBackend;
  const endpoint = () => `${victoria.url}/opentelemetry/v1/metrics`;

  beforeAll(async () => {
    victoria = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await victoria?.stop();
  });

  it('a removed target gets no new samples while the others keep coming', async () => {
    const pipeline = new FakePipeline([
      { name: 'slack-ops', type: 'slack' },
      { name: 'rootly-retired', type: 'rootly' },
    ]);
    const telemetry: PublishingTelemetry = await startPublishingTelemetry({
      sources: pipeline.sources,
      serviceName: 'vm-removal',
      prometheus: false,
      otlp: { endpoint: endpoint(), intervalMs: 60_000 },
      logger: false,
    });
    try {
      telemetry.collector.queue.recordJob('rootly-retired', 'high', 'succeeded', 0.4, 0.1);
      const retired = `{__name__=~"${NS}_.+", service_name="vm-removal", target="rootly-retired"}`;
      const kept = `{__name__=~"${NS}_.+", service_name="vm-removal", target="slack-ops"}`;
      await telemetry.otlp!.reader.forceFlush();
      await vmForceFlush(victoria.url);
      await until('the retired target in VictoriaMetrics', async () =>
        (await rawSeries(victoria.url, retired)).length > 0 ? true : undefined,
      );

      pipeline.remove('rootly-retired');
      const removedAt = Date.now();
      await telemetry.otlp!.reader.forceFlush();
      await telemetry.otlp!.reader.forceFlush();
      await vmForceFlush(victoria.url);
      // Wait until the exports after the removal are stored (the kept target has samples newer
      // than the removal); by then every sample of those exports is in.
      await until('samples after the removal', async () =>
        latest(await rawSeries(victoria.url, kept)) > removedAt ? true : undefined,
      );
      const retiredSeries = await rawSeries(victoria.url, retired);
      expect(retiredSeries.length).toBeGreaterThan(0);
      expect(latest(retiredSeries)).toBeLessThan(removedAt);
      // Its recorder series went too, not only the port gauges.
      expect(retiredSeries.map((s) => s.metric['__name__'])).toContain(
        `${NS}_jobs_processed_total`,
      );
    } finally {
      await telemetry.shutdown();
    }
  });

  it('shutdown() flushes: a counter incremented just before it arrives with the exact value', async () => {
    const telemetry = await startPublishingTelemetry({
      serviceName: 'vm-shutdown',
      prometheus: false,
      // A minute: the only export this test can see is the one shutdown() sends.
      otlp: { endpoint: endpoint(), protocol: 'http/protobuf', intervalMs: 60_000 },
      logger: false,
    });
    for (let i = 0; i < 7; i++) telemetry.collector.refresh.recordRefresh('failed', 0.05);
    await telemetry.shutdown();
    await vmForceFlush(victoria.url);
    const [sample] = await waitForQuery(
      victoria.url,
      `${NS}_refresh_total{service_name="vm-shutdown", status="failed"}`,
      (r) => r.length === 1,
      10_000,
      100,
    );
    expect(sample!.value[1]).toBe('7');
  });
});
