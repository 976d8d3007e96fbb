import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createStatsHandler,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  type QueueStats,
} from '../../src/index.js';
import { MAX_LABEL_VALUE_LENGTH } from '../../src/series/label-value.js';
import { targetHealth } from '../support/fakes.js';
import { prometheusReader, queueStats } from './fakes.js';

function withQueue(getStats: () => QueueStats, timeoutMs?: number) {
  const pm = new PublishingMetricsCollector({
    meterProvider: false,
    ...(timeoutMs !== undefined ? { collectorTimeoutMs: timeoutMs } : {}),
  });
  pm.registerCollector(new QueueCollector({ getStats }));
  return pm;
}

/** Blocks the event loop for `ms` (a port whose getters compute synchronously). */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

describe('port data is validated the same way by every collector', () => {
  it('drops empty target names from the queue port keys and counts them, as the health port does', async () => {
    const pm = withQueue(() =>
      queueStats({
        dlqSize: { '': 3, 'slack-ops': 1 },
        circuitBreakers: { '': 'open', 'slack-ops': 'closed' },
      }),
    );
    pm.registerCollector(
      new HealthCollector({ getHealth: () => [targetHealth(''), targetHealth('slack-ops')] }),
    );
    const snap = await pm.collectAll();
    expect(snap.series('dlq_size').map((s) => s.labels['target'])).toEqual(['slack-ops']);
    expect(snap.series('circuit_breaker_state').map((s) => s.labels['target'])).toEqual([
      'slack-ops',
    ]);
    expect(snap.series('target_health_status').map((s) => s.labels['target'])).toEqual([
      'slack-ops',
    ]);
    expect(snap.collectors['queue']).toMatchObject({ ok: true, invalidValues: 2 });
    expect(snap.get('collection_invalid_values_total', { collector: 'queue' })).toBe(2);
    expect(snap.get('collection_invalid_values_total', { collector: 'health' })).toBe(1);
    await pm.shutdown();
  });

  it('a numeric string as a queue size is dropped from queue_size and not used for utilization', async () => {
    const stats = queueStats();
    (stats.priorities.high as { size: unknown }).size = '14';
    const pm = withQueue(() => stats);
    const snap = await pm.collectAll();
    expect(snap.get('queue_size', { priority: 'high' })).toBeUndefined();
    expect(snap.get('queue_capacity_utilization', { priority: 'high' })).toBeUndefined();
    expect(snap.get('queue_capacity', { priority: 'high' })).toBe(100);
    expect(snap.get('queue_capacity_utilization', { priority: 'medium' })).toBe(0.25);
    expect(snap.get('collection_invalid_values_total', { collector: 'queue' })).toBe(1);
    await pm.shutdown();
  });

  it('whatever a port throws, its collector is marked down and the failure counted', async () => {
    const throwingMessage = new Error('x');
    Object.defineProperty(throwingMessage, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get trap');
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf trap');
        },
      },
    );
    const thrown: unknown[] = [Object.create(null), throwingMessage, hostile, null, 'plain'];
    for (const value of thrown) {
      const pm = withQueue(() => {
        throw value;
      });
      const snap = await pm.collectAll();
      const label = String(typeof value);
      expect(snap.get('collector_up', { collector: 'queue' }), label).toBe(0);
      expect(
        snap.get('collection_errors_total', { collector: 'queue', reason: 'error' }),
        label,
      ).toBe(1);
      expect(snap.collectors['queue']).toMatchObject({ ok: false });
      expect(typeof snap.collectors['queue']!.error).toBe('string');
      await pm.shutdown();
    }
  });

  it('a port that blocks the event loop past its timeout counts as a timeout, and only its own collector', async () => {
    const stats = queueStats();
    // Three getters of 40 ms each: 120 ms of blocked loop against a 60 ms timeout.
    for (const priority of ['high', 'medium', 'low'] as const) {
      const p = stats.priorities[priority]!;
      const size = p.size;
      Object.defineProperty(p, 'size', {
        get() {
          block(40);
          return size;
        },
      });
    }
    const pm = withQueue(() => stats, 60);
    pm.registerCollector(new HealthCollector({ getHealth: async () => [targetHealth('hook')] }));
    const snap = await pm.collectAll();
    expect(snap.get('collector_up', { collector: 'queue' })).toBe(0);
    expect(snap.get('collection_errors_total', { collector: 'queue', reason: 'timeout' })).toBe(1);
    expect(snap.collectors['queue']!.error).toMatch(/blocked the event loop for \d+ ms/);
    // Its values are withheld like a timed-out run's.
    expect(snap.series('queue_size')).toEqual([]);
    // The health collector waited meanwhile but did not block: it is up.
    expect(snap.get('collector_up', { collector: 'health' })).toBe(1);
    await pm.shutdown();
  });

  it('label values are capped: five 1 MiB target names are dropped and counted, /metrics stays small', async () => {
    const huge = Array.from({ length: 5 }, (_, i) => `${i}`.repeat(1024 * 1024));
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [
          ...huge.map((name) => targetHealth(name)),
          targetHealth('hook', { targetType: 't'.repeat(MAX_LABEL_VALUE_LENGTH + 1) }),
        ],
      }),
    );
    pm.registerCollector(
      new QueueCollector({
        getStats: () => queueStats({ dlqSize: Object.fromEntries(huge.map((name) => [name, 1])) }),
      }),
    );
    for (const name of huge) pm.queue.recordJob(name, 'high', 'succeeded', 0.1, 0);
    const snap = await pm.collectAll();
    expect(snap.collectors['health']).toMatchObject({ ok: true, invalidValues: 5 });
    expect(snap.get('collection_invalid_values_total', { collector: 'queue' })).toBe(5);
    expect(snap.get('recorder_rejected_total', { recorder: 'queue', reason: 'too_long' })).toBe(5);
    // An over-long type is reported as unknown rather than exported.
    expect(snap.get('target_health_status', { target: 'hook', type: 'unknown' })).toBe(1);
    const text = await prometheus.text();
    expect(text.length).toBeLessThan(200_000);
    // /snapshot answers, and small (it answered 500 with the names kept).
    const handler = createStatsHandler({ source: pm });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/publishing/snapshot`);
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body.length).toBeLessThan(200_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await pm.shutdown();
  });
});
