import { describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  RefreshCollector,
  type RefreshStatus,
} from '../../src/index.js';
import { never, refreshStatus, targetHealth } from '../support/fakes.js';
import { scrape } from '../support/scrape.js';
import { prometheusExporterFor } from '../support/producer-readers.js';

function registry(getStatus: () => RefreshStatus | Promise<RefreshStatus>, timeoutMs = 200) {
  const pm = new PublishingMetricsCollector({ collectorTimeoutMs: timeoutMs });
  pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth('pagerduty-main')] }));
  pm.registerCollector(new RefreshCollector({ getStatus }));
  return pm;
}

describe('a broken subsystem never blocks or breaks collection', () => {
  const failures: Array<[string, () => RefreshStatus | Promise<RefreshStatus>, string, RegExp]> = [
    [
      'throwing',
      () => {
        throw new Error('refresh state lock poisoned');
      },
      'error',
      /refresh state lock poisoned/,
    ],
    ['rejecting', () => Promise.reject(new Error('connection reset')), 'error', /connection reset/],
    ['never-resolving', () => never<RefreshStatus>(), 'timeout', /timed out after 200 ms/],
  ];

  for (const [kind, getStatus, reason, message] of failures) {
    it(`attributes a ${kind} port to its collector and keeps the others intact`, async () => {
      let healthy = true;
      const pm = registry(() => (healthy ? refreshStatus() : getStatus()));
      const good = await pm.collectAll();
      expect(good.get('refresh_interval_seconds')).toBe(300);

      healthy = false;
      const started = performance.now();
      const snapshot = await pm.collectAll();
      expect(performance.now() - started).toBeLessThan(200 + 150);

      expect(snapshot.collectors['refresh']).toMatchObject({
        available: true,
        ok: false,
        stale: true,
      });
      expect(snapshot.collectors['refresh']?.error).toMatch(message);
      expect(snapshot.get('collector_up', { collector: 'refresh' })).toBe(0);
      expect(snapshot.get('collection_errors_total', { collector: 'refresh', reason })).toBe(1);
      expect(
        snapshot.get('collection_errors_total', {
          collector: 'refresh',
          reason: reason === 'error' ? 'timeout' : 'error',
        }),
      ).toBe(0);
      // The last good values are withheld rather than passed off as fresh.
      expect(snapshot.get('refresh_interval_seconds')).toBeUndefined();
      // The other collector is unaffected.
      expect(snapshot.collectors['health']).toMatchObject({ ok: true });
      expect(snapshot.get('collector_up', { collector: 'health' })).toBe(1);
      expect(
        snapshot.get('target_health_status', { target: 'pagerduty-main', type: 'webhook' }),
      ).toBe(1);

      // Recovery: fresh values come back and the error count stays.
      healthy = true;
      const recovered = await pm.collectAll();
      expect(recovered.get('refresh_interval_seconds')).toBe(300);
      expect(recovered.get('collector_up', { collector: 'refresh' })).toBe(1);
      expect(recovered.get('collection_errors_total', { collector: 'refresh', reason })).toBe(1);
      expect(recovered.collectors['refresh']).toMatchObject({ ok: true });
      await pm.shutdown();
    });
  }

  it('asks a port that hung once afresh at the next collection, one call per collection', async () => {
    let calls = 0;
    const pm = registry(() => {
      calls++;
      return calls <= 3 ? never<RefreshStatus>() : refreshStatus();
    }, 20);
    for (let i = 0; i < 3; i++) {
      expect((await pm.collectAll()).collectors['refresh']?.ok).toBe(false);
    }
    expect(calls).toBe(3);
    const recovered = await pm.collectAll();
    expect(calls).toBe(4);
    expect(recovered.get('refresh_interval_seconds')).toBe(300);
    expect(
      recovered.get('collection_errors_total', { collector: 'refresh', reason: 'timeout' }),
    ).toBe(3);
    await pm.shutdown();
  });

  it('shares one port call between readers collecting at the same time', async () => {
    let calls = 0;
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusExporterFor(pm);
    pm.registerCollector(
      new RefreshCollector({
        getStatus: async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 30));
          return refreshStatus();
        },
      }),
    );
    const [snapshot, body] = await Promise.all([pm.collectAll(), scrape(prometheus)]);
    expect(calls).toBe(1);
    expect(snapshot.get('refresh_interval_seconds')).toBe(300);
    expect(body).toMatch(/^alert_history_publishing_refresh_interval_seconds\{.*\} 300$/m);
    await pm.shutdown();
  });

  it('lets collectAll({ timeoutMs }) shorten the collector timeout', async () => {
    const pm = registry(() => never<RefreshStatus>(), 5000);
    const started = performance.now();
    const snapshot = await pm.collectAll({ timeoutMs: 50 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(snapshot.collectors['refresh']?.error).toMatch(/timed out/);
    await pm.shutdown();
  });

  it('answers a Prometheus scrape within the collector timeout while a port hangs', async () => {
    const pm = new PublishingMetricsCollector({ collectorTimeoutMs: 300, meterProvider: false });
    const prometheus = prometheusExporterFor(pm);
    pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth('rootly-prod')] }));
    pm.registerCollector(new RefreshCollector({ getStatus: () => never<RefreshStatus>() }));

    const started = performance.now();
    const body = await scrape(prometheus);
    const elapsed = performance.now() - started;

    expect(elapsed).toBeLessThan(300 + 400);
    expect(body).toMatch(/^alert_history_publishing_collector_up\{collector="refresh".*\} 0$/m);
    expect(body).toMatch(/^alert_history_publishing_collector_up\{collector="health".*\} 1$/m);
    expect(body).toMatch(
      /^alert_history_publishing_collection_errors_total\{collector="refresh",reason="timeout".*\} 1$/m,
    );
    expect(body).toMatch(
      /^alert_history_publishing_target_health_status\{target="rootly-prod".*\} 1$/m,
    );
    expect(body).not.toMatch(/refresh_interval_seconds\{/);
    await pm.shutdown();
  });
});

describe('bad data from a port', () => {
  it('drops NaN, Infinity and negative values, and reports them', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [
          targetHealth('slack-1', {
            consecutiveFailures: Number.NaN,
            successRate: Infinity,
            latencyMs: -5,
          }),
          targetHealth('slack-2', { successRate: 1.7 }),
        ],
      }),
    );
    pm.registerCollector(
      new RefreshCollector({
        getStatus: () =>
          refreshStatus({ intervalMs: 'soon' as unknown as number, targetsValid: -3 }),
      }),
    );
    const snapshot = await pm.collectAll();

    expect(snapshot.get('target_consecutive_failures', { target: 'slack-1' })).toBeUndefined();
    expect(snapshot.get('target_success_rate', { target: 'slack-1' })).toBeUndefined();
    expect(snapshot.get('target_check_latency_seconds', { target: 'slack-1' })).toBeUndefined();
    expect(snapshot.get('target_success_rate', { target: 'slack-2' })).toBeUndefined();
    // Valid values of the same target still arrive.
    expect(snapshot.get('target_health_status', { target: 'slack-1', type: 'webhook' })).toBe(1);
    expect(snapshot.get('target_consecutive_failures', { target: 'slack-2' })).toBe(0);
    expect(snapshot.collectors['health']).toMatchObject({ ok: true, invalidValues: 4 });
    expect(snapshot.collectors['health']?.error).toMatch(/target_success_rate/);
    expect(snapshot.get('refresh_interval_seconds')).toBeUndefined();
    expect(snapshot.get('refresh_targets', { validity: 'valid' })).toBeUndefined();
    expect(snapshot.get('refresh_targets', { validity: 'invalid' })).toBe(1);
    expect(snapshot.collectors['refresh']).toMatchObject({ ok: true, invalidValues: 2 });
    await pm.shutdown();
  });

  it('fails only its own collector when a port returns the wrong shape', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(new HealthCollector({ getHealth: () => ({ targets: [] }) as never }));
    pm.registerCollector(new RefreshCollector({ getStatus: () => refreshStatus() }));
    const snapshot = await pm.collectAll();
    expect(snapshot.collectors['health']).toMatchObject({ ok: false });
    expect(snapshot.collectors['health']?.error).toMatch(/unusable data/);
    expect(snapshot.get('collection_errors_total', { collector: 'health', reason: 'error' })).toBe(
      1,
    );
    expect(snapshot.get('refresh_interval_seconds')).toBe(300);
    await pm.shutdown();
  });

  it('keeps hostile target names intact and the exposition parseable', async () => {
    const name = 'hook "prod"\nline2 \\ ünïcødé 🚨';
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusExporterFor(pm);
    pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth(name)] }));
    const snapshot = await pm.collectAll();
    expect(snapshot.get('target_health_status', { target: name, type: 'webhook' })).toBe(1);
    expect(
      snapshot.metrics.get(
        'alert_history_publishing_target_consecutive_failures{target="hook \\"prod\\"\\nline2 \\\\ ünïcødé 🚨"}',
      ),
    ).toBe(0);
    const body = await scrape(prometheus);
    expect(body).toContain('target="hook \\"prod\\"\\nline2 \\\\ ünïcødé 🚨"');
    // Every sample stays on one line.
    for (const line of body.split('\n').filter((l) => l.includes('target_consecutive_failures{'))) {
      expect(line).toMatch(/ 0$/);
    }
    await pm.shutdown();
  });
});
