/**
 * A large body, streamed with chunked transfer encoding, read by the real tools: promtool finds
 * no problem in it and a real Prometheus 2.42 scrapes every series of it.
 */
import { spawnSync } from 'node:child_process';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusEndpoint } from '../../src/export/prometheus.js';
import { servePrometheus, type PrometheusServer } from '../../src/export/prometheus-server.js';
import {
  promQuery,
  requireBackend,
  startPrometheus,
  waitForQuery,
  type RunningBackend,
} from '../support/backends.js';

const prometheusBin = requireBackend('prometheus');
const promtoolBin = requireBackend('promtool');

const SERIES = 30_000;
const HOSTILE = 'ops "blue"\nline \\ ü';

describe.skipIf(!prometheusBin || !promtoolBin)('a streamed body read by real tools', () => {
  let provider: MeterProvider;
  let server: PrometheusServer;
  let body: string;
  let transferEncoding: string | null;

  beforeAll(async () => {
    const endpoint = await createPrometheusEndpoint({
      withoutScopeInfo: true,
      withoutTargetInfo: false,
    });
    provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'streamed' }),
      readers: [endpoint.reader as MetricReader],
      views: [{ instrumentName: '*', aggregationCardinalityLimit: SERIES + 10 }],
    });
    const meter = provider.getMeter('streamed');
    const counter = meter.createCounter('deliveries', { description: 'Deliveries made.' });
    const histogram = meter.createHistogram('delivery_duration_seconds', {
      description: 'Delivery duration.',
    });
    for (let i = 0; i < SERIES; i++) {
      const target = i === 0 ? HOSTILE : `target-${i}`;
      counter.add(i + 1, { target });
      if (i % 20 === 0) histogram.record((i % 17) * 0.3, { target });
    }
    server = await servePrometheus(endpoint.handler, { host: '127.0.0.1', port: 0, path: '/m' });
    const res = await fetch(server.url);
    transferEncoding = res.headers.get('transfer-encoding');
    body = await res.text();
  });

  afterAll(async () => {
    await server?.close();
    await provider?.shutdown();
  });

  it('is streamed, and promtool finds no problem in it', () => {
    expect(transferEncoding).toBe('chunked');
    expect(body.length).toBeGreaterThan(1_000_000);
    const check = spawnSync(promtoolBin!, ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('is scraped whole by Prometheus', async () => {
    let prometheus: RunningBackend | undefined;
    try {
      prometheus = await startPrometheus({ scrapeTargets: [server.url], scrapeIntervalSeconds: 2 });
      const count = await waitForQuery(
        prometheus.url,
        'count(deliveries_total)',
        (r) => r[0]?.value[1] === String(SERIES),
        30_000,
      );
      expect(count[0]!.value[1]).toBe(String(SERIES));
      const buckets = await promQuery(prometheus.url, 'count(delivery_duration_seconds_bucket)');
      expect(buckets[0]!.value[1]).toBe(String((SERIES / 20) * 16));
      const hostile = await promQuery(
        prometheus.url,
        `deliveries_total{target=${JSON.stringify(HOSTILE)}}`,
      );
      expect(hostile.map((s) => s.value[1])).toEqual(['1']);
      const up = await promQuery(prometheus.url, 'up');
      expect(up.map((s) => s.value[1])).toEqual(['1']);
    } finally {
      await prometheus?.stop();
    }
  });
});
