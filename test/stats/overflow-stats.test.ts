import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createStatsHandler,
  HealthCollector,
  OVERFLOW_TARGET,
  PublishingMetricsCollector,
  type TargetHealthStatus,
} from '../../src/index.js';
import { targetHealth } from '../support/fakes.js';

/** 500 healthy targets, then 300 unhealthy ones: with a cap of 500 the unhealthy ones fold. */
function fleetOf800(): TargetHealthStatus[] {
  const targets: TargetHealthStatus[] = [];
  for (let i = 0; i < 500; i++) targets.push(targetHealth(`ok-${i}`));
  for (let i = 0; i < 300; i++) {
    targets.push(targetHealth(`down-${i}`, { status: 'unhealthy', successRate: 0 }));
  }
  return targets;
}

describe('stats above the cardinality cap', () => {
  it('/stats counts all 800 targets and shows the 300 folded ones as the overflow they are', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false, maxTargets: 500 });
    const health = fleetOf800();
    pm.registerCollector(new HealthCollector({ getHealth: () => health }));
    // The health monitor reports first: the first 500 targets it lists take the places.
    await pm.collectAll();
    for (let i = 0; i < 300; i++) pm.queue.recordJob(`down-${i}`, 'high', 'failed', 1, 0);
    pm.queue.recordJob('ok-0', 'high', 'succeeded', 0.1, 0);

    const handler = createStatsHandler({ source: pm });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/publishing/stats?limit=1000`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        total: number;
        targets: Array<{ name: string }>;
        system: {
          targets: Record<string, number>;
          overflow: { label: string; targets: number; jobs: { failed: number } };
          dropped: { recorderCalls: { total: number } };
          healthScore: {
            components: { availability: { value: number; healthy: number; total: number } };
          };
        };
      };
      expect(body.system.targets).toEqual({
        total: 800,
        healthy: 500,
        degraded: 0,
        unhealthy: 300,
        unknown: 0,
      });
      expect(body.system.healthScore.components.availability).toMatchObject({
        value: 62.5,
        healthy: 500,
        total: 800,
      });
      expect(body.system.overflow).toMatchObject({
        label: OVERFLOW_TARGET,
        targets: 300,
        jobs: { failed: 300 },
      });
      // The listed targets are the 500 with series of their own; `__overflow__` is not one.
      expect(body.total).toBe(500);
      expect(body.targets.map((t) => t.name)).not.toContain(OVERFLOW_TARGET);
      expect(body.system.dropped.recorderCalls.total).toBe(0);

      const verdict = (await (
        await fetch(`http://127.0.0.1:${port}/api/v2/publishing/health`)
      ).json()) as { reasons: Array<{ code: string; message: string; targets?: string[] }> };
      const down = verdict.reasons.find((r) => r.code === 'targets_unhealthy')!;
      expect(down.message).toBe('300 of 800 target(s) unhealthy');

      const snapshot = await pm.collectAll();
      expect(snapshot.get('targets_overflowed')).toBe(300);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await pm.shutdown();
    }
  });
});
