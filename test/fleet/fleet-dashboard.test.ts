/**
 * The dashboard's Replica (`instance`) variable: every catalog selector of every panel is
 * narrowed by it, and at "All" it matches every replica, so panels aggregate the fleet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_PATH } from '../../scripts/generate-dashboard.js';

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  templating: {
    list: Array<{ name: string; query: { query: string }; includeAll: boolean; allValue: string }>;
  };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;

describe('dashboard across a fleet', () => {
  it('offers a Replica variable whose All matches every instance', () => {
    const instance = dashboard.templating.list.find((v) => v.name === 'instance');
    expect(instance).toMatchObject({
      query: { query: 'label_values(alert_history_publishing_collector_up, instance)' },
      includeAll: true,
      allValue: '.*',
    });
    expect(dashboard.templating.list[0]!.name).toBe('instance');
  });

  it('narrows every catalog selector of every panel by it', () => {
    const selectors = dashboard.panels
      .flatMap((p) => p.targets ?? [])
      .flatMap((t) => [...t.expr.matchAll(/alert_history_publishing_[a-z0-9_]+(\{[^}]*\})?/g)]);
    expect(selectors.length).toBeGreaterThan(40);
    for (const [selector, matchers] of selectors) {
      expect(matchers, selector).toContain('instance=~"$instance"');
    }
  });
});
