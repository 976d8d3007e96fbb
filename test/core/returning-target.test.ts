import { describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  type TargetHealthStatus,
} from '../../src/index.js';
import { targetHealth } from '../support/fakes.js';

/** A collector over a health monitor whose target list the test changes. */
function pipeline(options: ConstructorParameters<typeof PublishingMetricsCollector>[0] = {}) {
  const health = { targets: [] as TargetHealthStatus[] };
  const pm = new PublishingMetricsCollector({ meterProvider: false, ...options });
  pm.registerCollector(new HealthCollector({ getHealth: () => health.targets }));
  return { pm, health };
}

function jobs(pm: PublishingMetricsCollector, target: string, n: number): void {
  for (let i = 0; i < n; i++) {
    pm.queue.recordJob(target, 'high', 'succeeded', 0.3, 0.01);
    pm.publisher.recordRequest('webhook', target, 200, 0.25);
  }
}

describe('a target that leaves and comes back', () => {
  it('continues its counters and histograms from where they were (monotonic across its absence)', async () => {
    const { pm, health } = pipeline();
    health.targets = [targetHealth('hook'), targetHealth('other')];
    await pm.collectAll();
    jobs(pm, 'hook', 3);
    const before = await pm.collectAll();
    const key = { target: 'hook', state: 'succeeded' };
    expect(before.get('jobs_processed_total', key)).toBe(3);

    health.targets = [targetHealth('other')];
    const gone = await pm.collectAll();
    // Gone from every export at once.
    expect(gone.series('jobs_processed_total', { target: 'hook' })).toEqual([]);
    expect(gone.series('publisher_requests_total', { target: 'hook' })).toEqual([]);
    expect(gone.series('job_duration_seconds', { target: 'hook' })).toEqual([]);

    // Back with more events than before, before any collection sees it.
    health.targets = [targetHealth('hook'), targetHealth('other')];
    jobs(pm, 'hook', 8);
    const back = await pm.collectAll();
    expect(back.get('jobs_processed_total', key)).toBe(11);
    expect(back.get('jobs_processed_total', { target: 'hook', state: 'failed' })).toBe(0);
    expect(
      back.get('publisher_requests_total', { publisher: 'webhook', target: 'hook', status: '2xx' }),
    ).toBe(11);
    const latency = back.histogram('job_duration_seconds', { target: 'hook', priority: 'high' })!;
    expect(latency.count).toBe(11);
    expect(latency.sum).toBeCloseTo(11 * 0.3, 9);
    await pm.shutdown();
  });

  it('resumes when the port reports the target again before any recorder call', async () => {
    const { pm, health } = pipeline();
    health.targets = [targetHealth('hook')];
    await pm.collectAll();
    pm.queue.recordDlqWrite('hook', 'transient');
    await pm.collectAll();
    health.targets = [];
    await pm.collectAll();
    health.targets = [targetHealth('hook')];
    const back = await pm.collectAll();
    expect(back.get('dlq_writes_total', { target: 'hook', error_type: 'transient' })).toBe(1);
    await pm.shutdown();
  });

  it('stays exact for a target that flaps out and back many times', async () => {
    const { pm, health } = pipeline();
    for (let i = 0; i < 20; i++) {
      health.targets = [targetHealth('flappy')];
      await pm.collectAll();
      jobs(pm, 'flappy', 1);
      health.targets = [];
      await pm.collectAll();
    }
    health.targets = [targetHealth('flappy')];
    const back = await pm.collectAll();
    expect(back.get('jobs_processed_total', { target: 'flappy', state: 'succeeded' })).toBe(20);
    expect(
      back.histogram('job_duration_seconds', { target: 'flappy', priority: 'high' })!.count,
    ).toBe(20);
    await pm.shutdown();
  });

  it('starts from zero when it returns after the grace period', async () => {
    const { pm, health } = pipeline({ retiredTargetGraceMs: 20 });
    health.targets = [targetHealth('hook')];
    await pm.collectAll();
    jobs(pm, 'hook', 3);
    health.targets = [];
    await pm.collectAll();
    await new Promise((resolve) => setTimeout(resolve, 40));
    // The collection after the grace period forgets the kept values.
    await pm.collectAll();
    health.targets = [targetHealth('hook')];
    jobs(pm, 'hook', 2);
    const back = await pm.collectAll();
    expect(back.get('jobs_processed_total', { target: 'hook', state: 'succeeded' })).toBe(2);
    await pm.shutdown();
  });

  it('keeps at most maxTargets retired targets, forgetting the oldest first', async () => {
    const { pm, health } = pipeline({ maxTargets: 2 });
    for (const name of ['a', 'b', 'c']) {
      health.targets = [targetHealth(name)];
      await pm.collectAll();
      jobs(pm, name, 5);
    }
    health.targets = [];
    await pm.collectAll();
    // a, b and c were retired one after another; with room for two, the oldest (a) was
    // forgotten. (c stays away: the cap of 2 is taken by a and b again.)
    for (const name of ['a', 'b']) jobs(pm, name, 1);
    const back = await pm.collectAll();
    const succeeded = (target: string) =>
      back.get('jobs_processed_total', { target, state: 'succeeded' });
    expect([succeeded('a'), succeeded('b')]).toEqual([1, 6]);
    await pm.shutdown();
  });

  it('rejects a grace period that is not a non-negative number', () => {
    for (const bad of [-1, Number.NaN, Infinity, '60000']) {
      expect(
        () =>
          new PublishingMetricsCollector({
            meterProvider: false,
            retiredTargetGraceMs: bad as number,
          }),
        String(bad),
      ).toThrow(/retiredTargetGraceMs/);
    }
  });
});
