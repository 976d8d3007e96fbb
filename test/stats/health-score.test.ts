import { describe, expect, it } from 'vitest';
import {
  resolveSlo,
  StatsAggregator,
  systemHealthScore,
  targetHealthScore,
} from '../../src/index.js';
import { pipelineSnapshot, times } from './snapshots.js';

describe('system health score', () => {
  it('weighs success rate, availability, performance and queue health 0.4/0.3/0.2/0.1', () => {
    // 90 % success over 100 jobs; 3 of 4 targets healthy; p95 0.5 s of 2 s; queue 30 % full.
    const score = systemHealthScore({
      windowJobs: 100,
      windowSuccessRate: 0.9,
      checkSuccessRate: 0.5,
      healthyTargets: 3,
      totalTargets: 4,
      p95Seconds: 0.5,
      utilization: 0.3,
    });
    expect(score.components.successRate).toMatchObject({
      value: 90,
      weight: 0.4,
      source: 'window',
    });
    expect(score.components.availability).toMatchObject({
      value: 75,
      weight: 0.3,
      healthy: 3,
      total: 4,
    });
    expect(score.components.performance).toMatchObject({ value: 75, weight: 0.2, p95Seconds: 0.5 });
    expect(score.components.queueHealth.value).toBeCloseTo(70, 10);
    // 0.4·90 + 0.3·75 + 0.2·75 + 0.1·70 = 36 + 22.5 + 15 + 7
    expect(score.score).toBeCloseTo(80.5, 10);
  });

  it('caps performance and queue health at zero and never leaves [0, 100]', () => {
    const worst = systemHealthScore({
      windowJobs: 50,
      windowSuccessRate: 0,
      checkSuccessRate: null,
      healthyTargets: 0,
      totalTargets: 3,
      p95Seconds: 9,
      utilization: 1.7,
    });
    expect(worst.components.performance.value).toBe(0);
    expect(worst.components.queueHealth.value).toBe(0);
    expect(worst.score).toBe(0);
    const best = systemHealthScore({
      windowJobs: 50,
      windowSuccessRate: 1,
      checkSuccessRate: null,
      healthyTargets: 2,
      totalTargets: 2,
      p95Seconds: 0,
      utilization: 0,
    });
    expect(best.score).toBe(100);
  });

  it('falls back to health checks below the minimum job count, and to 100 without any data', () => {
    const few = systemHealthScore({
      windowJobs: 9,
      windowSuccessRate: 0.2,
      checkSuccessRate: 0.8,
      healthyTargets: 1,
      totalTargets: 1,
      p95Seconds: null,
      utilization: null,
    });
    expect(few.components.successRate).toMatchObject({
      value: 80,
      source: 'health_checks',
      windowJobs: 9,
    });
    expect(few.components.performance.value).toBe(100);
    expect(few.components.queueHealth.value).toBe(100);
    expect(few.score).toBeCloseTo(0.4 * 80 + 30 + 20 + 10, 10);
    const none = systemHealthScore({
      windowJobs: 0,
      windowSuccessRate: null,
      checkSuccessRate: null,
      healthyTargets: 0,
      totalTargets: 0,
      p95Seconds: null,
      utilization: null,
    });
    expect(none.components.successRate.source).toBe('none');
    expect(none.components.availability.value).toBe(100);
    expect(none.score).toBe(100);
  });
});

describe('target health score', () => {
  it('uses the health-check success rate below 10 window jobs and scores degraded/half-open at 50', () => {
    // 5 jobs (< 10): check success 0.8 → 80; degraded → 50; p95 3 s ≥ 2 s → 0; half-open → 50.
    const score = targetHealthScore({
      windowJobs: 5,
      windowSuccessRate: 1,
      checkSuccessRate: 0.8,
      health: 'degraded',
      p95Seconds: 3,
      circuit: 'half_open',
    });
    expect(score.components.successRate).toMatchObject({
      value: 80,
      source: 'health_checks',
      weight: 0.4,
    });
    expect(score.components.health).toMatchObject({ value: 50, weight: 0.3, status: 'degraded' });
    expect(score.components.performance).toMatchObject({ value: 0, weight: 0.2 });
    expect(score.components.circuit).toMatchObject({ value: 50, weight: 0.1, state: 'half_open' });
    // 0.4·80 + 0.3·50 + 0.2·0 + 0.1·50 = 32 + 15 + 0 + 5
    expect(score.score).toBeCloseTo(52, 10);
  });

  it('uses the window success rate from 10 jobs on; healthy 100, unknown 50, unhealthy 0, open 0', () => {
    const healthy = targetHealthScore({
      windowJobs: 10,
      windowSuccessRate: 0.7,
      checkSuccessRate: 1,
      health: 'healthy',
      p95Seconds: 1,
      circuit: 'closed',
    });
    // 0.4·70 + 0.3·100 + 0.2·50 + 0.1·100 = 28 + 30 + 10 + 10
    expect(healthy.components.successRate.source).toBe('window');
    expect(healthy.score).toBeCloseTo(78, 10);
    const unknown = targetHealthScore({
      windowJobs: 0,
      windowSuccessRate: null,
      checkSuccessRate: null,
      health: 'unknown',
      p95Seconds: null,
      circuit: 'open',
    });
    // 0.4·100 (no data) + 0.3·50 + 0.2·100 + 0.1·0
    expect(unknown.score).toBeCloseTo(75, 10);
    const down = targetHealthScore({
      windowJobs: 20,
      windowSuccessRate: 0.25,
      checkSuccessRate: 0,
      health: 'unhealthy',
      p95Seconds: 2,
      circuit: 'open',
    });
    // 0.4·25 + 0 + 0 + 0
    expect(down.score).toBeCloseTo(10, 10);
  });

  it('takes its thresholds and weights as options', () => {
    const slo = resolveSlo({
      p95LatencySeconds: 4,
      minWindowJobs: 3,
      targetWeights: { successRate: 0.5, health: 0.2 },
    });
    const score = targetHealthScore(
      {
        windowJobs: 5,
        windowSuccessRate: 0.6,
        checkSuccessRate: 1,
        health: 'healthy',
        p95Seconds: 1,
        circuit: 'closed',
      },
      slo,
    );
    // 5 ≥ 3 jobs: window rate 60; p95 1 s of 4 s → 75. 0.5·60 + 0.2·100 + 0.2·75 + 0.1·100
    expect(score.components.successRate.source).toBe('window');
    expect(score.components.performance.value).toBeCloseTo(75, 10);
    expect(score.score).toBeCloseTo(30 + 20 + 15 + 10, 10);
    expect(() => resolveSlo({ systemWeights: { successRate: 0.9 } })).toThrow(/sum to 1/);
    expect(() => resolveSlo({ p95LatencySeconds: 0 })).toThrow(RangeError);
  });
});

describe('health scores from snapshots', () => {
  it('the aggregator scores the system and each target from window data', () => {
    const aggregator = new StatsAggregator();
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    aggregator.compute(
      pipelineSnapshot({
        at: t0,
        targets: {
          a: {
            health: 'healthy',
            jobs: { succeeded: 100 },
            durations: times(100, 0.04),
            circuit: 'closed',
          },
          b: { health: 'unhealthy', checkSuccessRate: 0.5, jobs: {}, circuit: 'open' },
        },
        queue: { high: { size: 10, capacity: 100 }, low: { size: 10, capacity: 100 } },
      }),
    );
    // One minute later: a finished 18 more (all succeeded) at 0.3 s, b finished 2 (both failed).
    const stats = aggregator.compute(
      pipelineSnapshot({
        at: t0 + 60_000,
        targets: {
          a: {
            health: 'healthy',
            jobs: { succeeded: 118 },
            durations: [...times(100, 0.04), ...times(18, 0.3)],
            circuit: 'closed',
          },
          b: { health: 'unhealthy', checkSuccessRate: 0.5, jobs: { failed: 2 }, circuit: 'open' },
        },
        queue: { high: { size: 50, capacity: 100 }, low: { size: 10, capacity: 100 } },
      }),
    );
    // System: 18/20 jobs succeeded = 90; 1 of 2 healthy = 50; window p95 of 18×0.3 s + 2 untimed
    // jobs: all 18 in (0.25, 0.5] → p95 = 0.25 + 0.25·(17.1/18) = 0.4875 s → 75.625;
    // utilization 60/200 = 0.3 → 70.
    const sys = stats.system.healthScore;
    expect(sys.components.successRate).toMatchObject({
      value: 90,
      source: 'window',
      windowJobs: 20,
    });
    expect(sys.components.availability.value).toBe(50);
    expect(sys.components.performance.p95Seconds).toBeCloseTo(0.4875, 10);
    expect(sys.components.performance.value).toBeCloseTo(75.625, 10);
    expect(sys.components.queueHealth.value).toBeCloseTo(70, 10);
    expect(sys.score).toBeCloseTo(0.4 * 90 + 0.3 * 50 + 0.2 * 75.625 + 0.1 * 70, 10);

    const [a, b] = stats.targets;
    // a: 18 jobs → window 100 %; healthy; p95 0.4875 s; closed.
    expect(a!.healthScore.score).toBeCloseTo(40 + 30 + 0.2 * 75.625 + 10, 10);
    // b: 2 jobs (< 10) → check rate 0.5; unhealthy; no timed jobs → 100; open.
    expect(b!.healthScore.components.successRate).toMatchObject({
      value: 50,
      source: 'health_checks',
    });
    expect(b!.healthScore.score).toBeCloseTo(20 + 0 + 20 + 0, 10);
  });
});
