/** The live view's table: fixed columns, worst targets first when rows must be cut. */
import { describe, expect, it } from 'vitest';
import { targetScore } from '../../examples/alert-publisher/pipeline-view.js';
import { renderTable, type ViewRow } from '../../examples/alert-publisher/view.js';

const row = (target: string, score: number, overrides: Partial<ViewRow> = {}): ViewRow => ({
  target,
  type: 'webhook',
  health: 'healthy',
  score,
  successRate: 1,
  p95Seconds: 0.012,
  circuit: 'closed',
  dlq: 0,
  queueDepth: 0,
  ...overrides,
});

describe('live view table', () => {
  it('renders one aligned line per target', () => {
    const lines = renderTable(
      [
        row('slack-alerts', 99.6, {
          type: 'slack',
          successRate: 0.5,
          p95Seconds: 1.234,
          circuit: 'open',
          dlq: 12,
          queueDepth: 3,
        }),
      ],
      10,
    );
    expect(lines).toEqual([
      'TARGET                 TYPE      HEALTH    SCORE  SUCC%     P95 CIRCUIT     DLQ QUEUE',
      'slack-alerts           slack     healthy     100   50.0   1.23s open         12     3',
    ]);
  });

  it('shows the worst scores first when there are more targets than rows', () => {
    const lines = renderTable([row('a', 90), row('b', 10), row('c', 50), row('d', 70)], 2);
    expect(lines.slice(1).map((line) => line.split(' ')[0])).toEqual(['b', 'c', '…']);
    expect(lines[3]).toBe('… 2 more targets (best scores hidden)');
  });
});

describe('per-target health score', () => {
  it('weighs success 0.4, health 0.3, performance 0.2, circuit 0.1', () => {
    const base = {
      successRate: 1,
      jobs: 100,
      probeSuccessRate: 1,
      health: 'healthy' as const,
      p95Seconds: 0,
      circuit: 'closed' as const,
    };
    expect(targetScore(base)).toBe(100);
    expect(targetScore({ ...base, successRate: 0.5 })).toBe(80);
    expect(targetScore({ ...base, health: 'degraded' })).toBe(85);
    expect(targetScore({ ...base, p95Seconds: 1 })).toBe(90);
    expect(targetScore({ ...base, circuit: 'open' })).toBe(90);
    // Below 10 jobs the probe success ratio stands in for the delivery ratio.
    expect(targetScore({ ...base, jobs: 3, successRate: 0, probeSuccessRate: 0.5 })).toBe(80);
    expect(
      targetScore({
        successRate: 0,
        jobs: 50,
        probeSuccessRate: 0,
        health: 'unhealthy',
        p95Seconds: 5,
        circuit: 'open',
      }),
    ).toBe(0);
  });
});
