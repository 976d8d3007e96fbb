import { describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  type TargetHealthStatus,
} from '../../src/index.js';
import { targetHealth } from '../support/fakes.js';
import { scrape } from '../support/scrape.js';
import { prometheusExporterFor } from '../support/producer-readers.js';

describe('removed targets disappear', () => {
  it('drops a target that left the health monitor from the snapshot and /metrics at the next collection', async () => {
    let targets: TargetHealthStatus[] = [
      targetHealth('slack-ops', { targetType: 'slack' }),
      targetHealth('webhook-legacy', { status: 'unhealthy', consecutiveFailures: 7 }),
    ];
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusExporterFor(pm);
    pm.registerCollector(new HealthCollector({ getHealth: () => targets }));

    const before = await pm.collectAll();
    expect(before.get('target_consecutive_failures', { target: 'webhook-legacy' })).toBe(7);
    expect(await scrape(prometheus)).toContain('target="webhook-legacy"');

    targets = [targets[0]!];
    const after = await pm.collectAll();
    const body = await scrape(prometheus);

    expect([...after.metrics.keys()].filter((k) => k.includes('webhook-legacy'))).toEqual([]);
    expect(body).not.toContain('webhook-legacy');
    expect(after.get('target_health_status', { target: 'slack-ops', type: 'slack' })).toBe(1);
    expect(body).toMatch(/target_health_status\{target="slack-ops",type="slack".*\} 1/);
    expect(after.get('targets_by_health', { status: 'unhealthy' })).toBe(0);

    // A target that comes back is reported again.
    targets = [...targets, targetHealth('webhook-legacy', { consecutiveFailures: 0 })];
    const back = await pm.collectAll();
    expect(back.get('target_consecutive_failures', { target: 'webhook-legacy' })).toBe(0);
    expect(await scrape(prometheus)).toMatch(
      /target_consecutive_failures\{target="webhook-legacy".*\} 0/,
    );
    await pm.shutdown();
  });

  it('keeps the last reported targets when a collection fails, and withholds them as stale', async () => {
    let fail = false;
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => {
          if (fail) throw new Error('monitor restarting');
          return [targetHealth('rootly')];
        },
      }),
    );
    expect((await pm.collectAll()).get('target_success_rate', { target: 'rootly' })).toBe(0.9);
    fail = true;
    expect(
      (await pm.collectAll()).get('target_success_rate', { target: 'rootly' }),
    ).toBeUndefined();
    fail = false;
    // A failed run is not a removal: the target is live again at once.
    expect((await pm.collectAll()).get('target_success_rate', { target: 'rootly' })).toBe(0.9);
    await pm.shutdown();
  });

  it('folds targets beyond maxTargets into the overflow value', async () => {
    const pm = new PublishingMetricsCollector({ maxTargets: 2 });
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [
          targetHealth('a', { consecutiveFailures: 1 }),
          targetHealth('b', { consecutiveFailures: 2 }),
          targetHealth('c', { consecutiveFailures: 5, successRate: 0.5 }),
          targetHealth('d', { consecutiveFailures: 3, successRate: 0.7 }),
        ],
      }),
    );
    const snapshot = await pm.collectAll();
    expect(snapshot.series('target_consecutive_failures').map((s) => s.labels['target'])).toEqual([
      'a',
      'b',
      '__overflow__',
    ]);
    // Worst value speaks for the folded group: most failures, lowest success rate.
    expect(snapshot.get('target_consecutive_failures', { target: '__overflow__' })).toBe(5);
    expect(snapshot.get('target_success_rate', { target: '__overflow__' })).toBe(0.5);
    expect(pm.targets.overflowedTargets).toBe(2);
    await pm.shutdown();
  });
});
