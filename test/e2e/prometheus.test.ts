/**
 * A real Prometheus 2.42 scrapes the endpoint of `startPublishingTelemetry` every second.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import {
  promQuery,
  requireBackend,
  startPrometheus,
  waitForQuery,
  type PromSample,
  type RunningBackend,
} from '../support/backends.js';
import { FakePipeline, fillRecorders, scrape } from '../setup/fixtures.js';

const prometheusBin = requireBackend('prometheus');
const promtoolBin = requireBackend('promtool');

const NS = 'alert_history_publishing';
/** Refresh durations, seconds: spread over buckets so the 0.95 quantile interpolates. */
const DURATIONS = [0.004, 0.03, 0.03, 0.2, 0.6, 0.6, 0.8, 1.7, 3, 9, 9, 14, 40];

/** Labels of a PromQL sample without the ones Prometheus adds. */
function ownLabels(sample: PromSample): Record<string, string> {
  const { __name__: _name, job: _job, instance: _instance, ...labels } = sample.metric;
  return labels;
}

describe.skipIf(!prometheusBin)('Prometheus scraping /metrics', () => {
  let telemetry: PublishingTelemetry;
  let prometheus: RunningBackend;
  const pipeline = new FakePipeline([
    { name: 'slack-ops', type: 'slack', successRate: 0.97 },
    { name: 'pagerduty-old', type: 'pagerduty', status: 'unhealthy', successRate: 0.25 },
    { name: 'webhook-audit', type: 'webhook', status: 'degraded' },
  ]);

  beforeAll(async () => {
    telemetry = await startPublishingTelemetry({
      sources: pipeline.sources,
      serviceName: 'prometheus-e2e',
      prometheus: { port: 0 },
      otlp: false,
      logger: false,
    });
    for (const d of DURATIONS) telemetry.collector.refresh.recordRefresh('success', d);
    telemetry.collector.refresh.recordRefresh('failed', 12);
    prometheus = await startPrometheus({ scrapeTargets: [telemetry.prometheus!.url!] });
    await waitForQuery(prometheus.url, `${NS}_target_health_status{target="pagerduty-old"}`);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await telemetry?.shutdown();
  });

  it('returns the values the snapshot reports for gauges and counters', async () => {
    const snapshot = await telemetry.collectAll();
    const families = [
      'target_health_status',
      'target_success_rate',
      'target_consecutive_failures',
      'target_check_latency_seconds',
      'targets_by_health',
      'refresh_interval_seconds',
      'refresh_targets',
      'refresh_total',
    ];
    for (const family of families) {
      const expected = snapshot.series(family);
      expect(expected.length, family).toBeGreaterThan(0);
      const result = await promQuery(prometheus.url, `${NS}_${family}`);
      const actual = result
        .map((s) => ({ labels: ownLabels(s), value: Number(s.value[1]) }))
        .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
      const want = expected
        .map((s) => ({ labels: { ...s.labels }, value: s.value }))
        .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
      expect(actual, family).toEqual(want);
    }
    expect(snapshot.get('refresh_total', { status: 'success' })).toBe(DURATIONS.length);
  });

  it("histogram_quantile agrees with the snapshot histogram's quantile", async () => {
    const snapshot = await telemetry.collectAll();
    const histogram = snapshot.histogram('refresh_duration_seconds', { status: 'success' })!;
    for (const q of [0.5, 0.95, 0.99]) {
      const [sample] = await promQuery(
        prometheus.url,
        `histogram_quantile(${q}, ${NS}_refresh_duration_seconds_bucket{status="success"})`,
      );
      expect(Number(sample!.value[1]), `q=${q}`).toBeCloseTo(histogram.quantile(q)!, 9);
    }
    const [count] = await promQuery(
      prometheus.url,
      `${NS}_refresh_duration_seconds_count{status="success"}`,
    );
    expect(Number(count!.value[1])).toBe(DURATIONS.length);
  });

  it('a removed target stops appearing at the next scrape (stale marker)', async () => {
    const removed = `{__name__=~"${NS}_.+", target="pagerduty-old"}`;
    expect((await promQuery(prometheus.url, removed)).length).toBeGreaterThan(0);
    pipeline.remove('pagerduty-old');
    await waitForQuery(prometheus.url, removed, (r) => r.length === 0, 10_000, 100);
    // Not just a missed scrape: the remaining targets are still there.
    const kept = await promQuery(prometheus.url, `${NS}_target_health_status`);
    expect(kept.map((s) => s.metric['target']).sort()).toEqual(['slack-ops', 'webhook-audit']);
    const [latest] = await promQuery(
      prometheus.url,
      `last_over_time(${NS}_target_health_status{target="pagerduty-old"}[1s])`,
    );
    expect(latest).toBeUndefined();
  });
});

describe.skipIf(!promtoolBin)('promtool check metrics', () => {
  it('finds no problem in a body with every metric and awkward label values', async () => {
    const pipeline = new FakePipeline([
      { name: 'slack-ops', type: 'slack' },
      { name: 'ops "blue"\nline \\ ü', type: 'webhook' },
    ]);
    const telemetry = await startPublishingTelemetry({
      sources: pipeline.sources,
      prometheus: { mount: true },
      otlp: false,
      logger: false,
    });
    try {
      fillRecorders(telemetry.collector, 'ops "blue"\nline \\ ü');
      const body = await scrape(telemetry.prometheus!.handler);
      expect(body.length).toBeGreaterThan(1000);
      expect(body).toContain('target="ops \\"blue\\"\\nline \\\\ ü"');
      const check = spawnSync(promtoolBin!, ['check', 'metrics'], {
        input: body,
        encoding: 'utf8',
      });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
    } finally {
      await telemetry.shutdown();
    }
  });
});
