/** The live view's table: fixed columns, worst targets first when rows must be cut. */
import { describe, expect, it } from 'vitest';
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
