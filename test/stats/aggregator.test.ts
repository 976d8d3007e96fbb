import { describe, expect, it } from 'vitest';
import { assessHealth, StatsAggregator } from '../../src/index.js';
import { buildSnapshot, histogramOf, pipelineSnapshot, times } from './snapshots.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const MIN = 60_000;

describe('window success rate', () => {
  it('comes from counter deltas over the window, not lifetime totals', () => {
    const aggregator = new StatsAggregator();
    // Lifetime: 1000 succeeded, 0 failed. Window: +90 succeeded, +6 failed, +4 dlq.
    aggregator.compute(pipelineSnapshot({ at: T0, targets: { a: { jobs: { succeeded: 1000 } } } }));
    const stats = aggregator.compute(
      pipelineSnapshot({
        at: T0 + 2 * MIN,
        targets: { a: { jobs: { succeeded: 1090, failed: 6, dlq: 4 } } },
      }),
    );
    const a = stats.targets.find((t) => t.name === 'a')!;
    expect(a.jobs).toEqual({ succeeded: 90, failed: 6, dlq: 4, total: 100 });
    expect(a.successRate).toBeCloseTo(0.9, 12);
    expect(stats.system.successRate).toBeCloseTo(0.9, 12);
    expect(stats.system.jobsPerSecond).toBeCloseTo(100 / 120, 12);
    expect(stats.window).toMatchObject({ basis: 'window', seconds: 120, requestedSeconds: 300 });
  });

  it('treats a counter that dropped (restart) as having counted from zero', () => {
    const aggregator = new StatsAggregator();
    aggregator.compute(
      pipelineSnapshot({
        at: T0,
        targets: {
          restarted: { jobs: { succeeded: 500, failed: 50 }, durations: times(550, 0.02) },
          steady: { jobs: { succeeded: 10 } },
        },
      }),
    );
    // `restarted` reset: 30 succeeded and 10 failed since; `steady` grew by 10.
    const stats = aggregator.compute(
      pipelineSnapshot({
        at: T0 + MIN,
        targets: {
          restarted: { jobs: { succeeded: 30, failed: 10 }, durations: times(40, 3) },
          steady: { jobs: { succeeded: 20 } },
        },
      }),
    );
    const restarted = stats.targets.find((t) => t.name === 'restarted')!;
    expect(restarted.jobs).toEqual({ succeeded: 30, failed: 10, dlq: 0, total: 40 });
    expect(restarted.successRate).toBeCloseTo(0.75, 12);
    // The histogram reset too: only the 40 jobs at 3 s are in the window, in (2.5, 5].
    expect(restarted.latency.count).toBe(40);
    expect(restarted.latency.p50).toBeCloseTo(2.5 + 2.5 * (20 / 40), 12);
    expect(stats.system.jobs).toEqual({ succeeded: 40, failed: 10, dlq: 0, total: 50 });
    expect(stats.system.successRate).toBeCloseTo(0.8, 12);
  });

  it('is null without jobs and reports counts since start before a baseline exists', () => {
    const aggregator = new StatsAggregator();
    const first = aggregator.compute(
      pipelineSnapshot({
        at: T0,
        targets: { a: { jobs: { succeeded: 8, failed: 2 } }, idle: { jobs: {} } },
      }),
    );
    expect(first.window).toMatchObject({ basis: 'since_start', seconds: null, from: null });
    expect(first.system.jobsPerSecond).toBeNull();
    expect(first.targets.find((t) => t.name === 'a')!.successRate).toBeCloseTo(0.8, 12);
    expect(first.targets.find((t) => t.name === 'idle')!.successRate).toBeNull();
  });
});

describe('window latency percentiles', () => {
  it('estimates p50/p95/p99 from histogram bucket deltas', () => {
    const aggregator = new StatsAggregator();
    // Before the window: 50 slow jobs at 10 s that must not count.
    const before = times(50, 10);
    aggregator.compute(
      pipelineSnapshot({ at: T0, targets: { a: { jobs: { succeeded: 50 }, durations: before } } }),
    );
    // In the window: 90 jobs in (0.05, 0.075] and 10 in (1, 2.5].
    const stats = aggregator.compute(
      pipelineSnapshot({
        at: T0 + MIN,
        targets: {
          a: {
            jobs: { succeeded: 150 },
            durations: [...before, ...times(90, 0.06), ...times(10, 2)],
          },
        },
      }),
    );
    const latency = stats.targets[0]!.latency;
    expect(latency.count).toBe(100);
    expect(latency.p50).toBeCloseTo(0.05 + 0.025 * (50 / 90), 12);
    expect(latency.p95).toBeCloseTo(1 + 1.5 * (5 / 10), 12);
    expect(latency.p99).toBeCloseTo(1 + 1.5 * (9 / 10), 12);
    expect(stats.system.latency.p95).toBeCloseTo(1.75, 12);
  });

  it('subtracts each priority series before merging, so one reset does not distort another', () => {
    const at = (t: number, high: number[], low: number[]) =>
      buildSnapshot({
        at: t,
        histograms: {
          job_duration_seconds: [
            [{ target: 'a', priority: 'high' }, histogramOf(high)],
            [{ target: 'a', priority: 'low' }, histogramOf(low)],
          ],
        },
      });
    const aggregator = new StatsAggregator();
    aggregator.compute(at(T0, times(100, 0.01), times(5, 0.01)));
    // `high` reset and saw 4 jobs at 0.2 s; `low` grew by 6 jobs at 0.2 s.
    const stats = aggregator.compute(
      at(T0 + MIN, times(4, 0.2), [...times(5, 0.01), ...times(6, 0.2)]),
    );
    expect(stats.targets[0]!.latency.count).toBe(10);
    // All 10 in (0.1, 0.25]: p50 = 0.1 + 0.15·0.5.
    expect(stats.targets[0]!.latency.p50).toBeCloseTo(0.175, 12);
  });
});

describe('window selection', () => {
  it('compares with the oldest snapshot kept inside the window', () => {
    const aggregator = new StatsAggregator({ windowMs: 5 * MIN });
    const snap = (t: number, succeeded: number) =>
      pipelineSnapshot({ at: t, targets: { a: { jobs: { succeeded } } } });
    aggregator.compute(snap(T0, 0));
    aggregator.compute(snap(T0 + 2 * MIN, 100));
    aggregator.compute(snap(T0 + 4 * MIN, 300));
    // At +6 min the +0 snapshot left the window; +2 min is the oldest inside.
    const stats = aggregator.compute(snap(T0 + 6 * MIN, 600));
    expect(stats.window.seconds).toBe(240);
    expect(stats.window.from).toBe(new Date(T0 + 2 * MIN).toISOString());
    expect(stats.system.jobs.succeeded).toBe(500);
    expect(stats.system.jobsPerSecond).toBeCloseTo(500 / 240, 12);
  });

  it('keeps a bounded history however often it is asked', () => {
    const aggregator = new StatsAggregator({ windowMs: 5 * MIN });
    for (let i = 0; i <= 3600; i++) {
      aggregator.observe(
        pipelineSnapshot({ at: T0 + i * 1000, targets: { a: { jobs: { succeeded: i } } } }),
      );
    }
    expect(aggregator.historySize).toBeLessThanOrEqual(21);
    const stats = aggregator.compute(
      pipelineSnapshot({ at: T0 + 3601_000, targets: { a: { jobs: { succeeded: 3601 } } } }),
    );
    // Baselines are kept 15 s apart, so the oldest inside the window is at most 15 s younger.
    expect(stats.window.seconds).toBeGreaterThan(285);
    expect(stats.window.seconds).toBeLessThanOrEqual(300);
    expect(stats.system.jobs.succeeded).toBe(stats.window.seconds);
  });
});

describe('target and system details', () => {
  const aggregator = new StatsAggregator();
  aggregator.compute(
    pipelineSnapshot({
      at: T0,
      targets: {
        'slack-ops': {
          type: 'slack',
          health: 'healthy',
          jobs: { succeeded: 10 },
          errors: { timeout: 3, rateLimited: 1 },
          retries: { transient: 5 },
          dlqSize: 1,
        },
      },
    }),
  );
  const stats = aggregator.compute(
    pipelineSnapshot({
      at: T0 + MIN,
      targets: {
        'slack-ops': {
          type: 'slack',
          health: 'degraded',
          checkSuccessRate: 0.75,
          consecutiveFailures: 2,
          checkLatencySeconds: 0.12,
          lastCheckSeconds: T0 / 1000 + 55,
          jobs: { succeeded: 20, failed: 1 },
          errors: { timeout: 7, rateLimited: 1, serverError: 2 },
          retries: { transient: 9, permanent: 1 },
          circuit: 'half_open',
          dlqSize: 4,
        },
        'webhook-audit': { type: 'webhook', health: 'unhealthy', circuit: 'open', dlqSize: 9 },
      },
      queue: {
        high: { size: 30, capacity: 100 },
        medium: { size: 10, capacity: 100 },
        low: { size: 0, capacity: 50 },
      },
      workers: { active: 3, idle: 5 },
      collectors: { health: { available: true, ok: true, durationMs: 0.4 } },
    }),
  );

  it('reports health-check details, errors by reason, retries, circuit and DLQ per target', () => {
    const t = stats.targets.find((x) => x.name === 'slack-ops')!;
    expect(t.type).toBe('slack');
    expect(t.health).toEqual({
      status: 'degraded',
      consecutiveFailures: 2,
      checkLatencySeconds: 0.12,
      lastCheck: new Date(T0 + 55_000).toISOString(),
      checkSuccessRate: 0.75,
    });
    expect(t.errors).toEqual({ timeout: 4, rateLimited: 0, serverError: 2 });
    expect(t.retries).toEqual({ total: 5, byErrorType: { transient: 4, permanent: 1 } });
    expect(t.circuitState).toBe('half_open');
    expect(t.dlqSize).toBe(4);
    const w = stats.targets.find((x) => x.name === 'webhook-audit')!;
    expect(w).toMatchObject({ circuitState: 'open', dlqSize: 9, successRate: null });
  });

  it('reports targets by health, queue per priority, DLQ, workers and collectors', () => {
    expect(stats.system.targets).toEqual({
      total: 2,
      healthy: 0,
      degraded: 1,
      unhealthy: 1,
      unknown: 0,
    });
    expect(stats.system.queue).toEqual({
      depth: 40,
      capacity: 250,
      utilization: 40 / 250,
      priorities: {
        high: { size: 30, capacity: 100, utilization: 0.3 },
        medium: { size: 10, capacity: 100, utilization: 0.1 },
        low: { size: 0, capacity: 50, utilization: 0 },
      },
    });
    expect(stats.system.dlq).toEqual({ total: 13, change: 12, oldestEntryAgeSeconds: null });
    expect(stats.system.workers).toEqual({ active: 3, idle: 5 });
    expect(stats.system.collectors.health).toMatchObject({ ok: true });
  });

  it('turns the stats into a health verdict with reasons', () => {
    const report = assessHealth(stats);
    expect(report.status).toBe('degraded');
    expect(report.reasons.map((r) => r.code)).toEqual([
      'targets_unhealthy',
      'circuits_open',
      'dlq_growing',
    ]);
    expect(report.reasons[0]!.targets).toEqual(['webhook-audit']);
    expect(report.reasons[2]!.change).toBe(12);
    expect(
      assessHealth(stats, { dlqGrowthThreshold: 20 }).reasons.map((r) => r.code),
    ).not.toContain('dlq_growing');
  });
});

describe('health verdict', () => {
  it('is healthy with every target healthy and collectors ok, unhealthy when all targets are down', () => {
    const aggregator = new StatsAggregator();
    const ok = aggregator.compute(
      pipelineSnapshot({
        at: T0,
        targets: { a: { health: 'healthy' }, b: { health: 'healthy' } },
        collectors: { health: { available: true, ok: true, durationMs: 1 } },
      }),
    );
    expect(assessHealth(ok)).toMatchObject({ status: 'healthy', reasons: [] });
    const down = aggregator.compute(
      pipelineSnapshot({
        at: T0 + 1000,
        targets: { a: { health: 'unhealthy' }, b: { health: 'unhealthy' } },
      }),
    );
    expect(assessHealth(down).status).toBe('unhealthy');
  });

  it('names failing collectors, ignoring ones that are not configured', () => {
    const stats = new StatsAggregator().compute(
      pipelineSnapshot({
        at: T0,
        targets: { a: { health: 'healthy' } },
        collectors: {
          health: { available: true, ok: true, durationMs: 1 },
          queue: {
            available: true,
            ok: false,
            durationMs: 1000,
            error: "collector 'queue' timed out after 1000 ms",
          },
          discovery: { available: false, ok: true, durationMs: 0 },
        },
      }),
    );
    const report = assessHealth(stats);
    expect(report.status).toBe('degraded');
    expect(report.reasons).toEqual([
      {
        code: 'collector_errors',
        message: '1 of 2 collector(s) failing: queue',
        collectors: { queue: "collector 'queue' timed out after 1000 ms" },
      },
    ]);
  });
});
