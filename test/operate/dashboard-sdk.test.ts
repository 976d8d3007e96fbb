/**
 * The committed dashboard conforms to the Grafana foundation SDK's dashboard types (the builder
 * output is typed as the SDK's `Dashboard` at compile time; this checks the file itself).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_PATH } from '../../scripts/generate-dashboard.js';
import { sdkDashboardErrors } from './sdk-schema.js';

const text = readFileSync(DASHBOARD_PATH, 'utf8');

describe('Grafana dashboard against the foundation SDK types', () => {
  it('type-checks as an SDK Dashboard with typed panels, queries and variables', () => {
    expect(sdkDashboardErrors(text)).toEqual([]);
  }, 60_000);

  it('rejects a wrong type, an unknown field, a missing field and a value outside an enum', () => {
    const dashboard = JSON.parse(text) as {
      panels: Array<Record<string, unknown>>;
      templating: { list: Array<Record<string, unknown>> };
    };
    const panel = dashboard.panels[2]!;
    panel['gridPos'] = { h: 8, w: '8', x: 0, y: 1 };
    (panel['options'] as Record<string, unknown>)['legendMode'] = 'table';
    delete (panel['targets'] as Array<Record<string, unknown>>)[0]!['refId'];
    dashboard.templating.list[0]!['refresh'] = 7;
    const series = dashboard.panels.find((p) => p['type'] === 'timeseries')!;
    (series['fieldConfig'] as { defaults: { custom: Record<string, unknown> } }).defaults.custom[
      'drawStyle'
    ] = 'curvy';
    const errors = sdkDashboardErrors(JSON.stringify(dashboard, null, 2)).join('\n');
    expect(errors).toMatch(/'string' is not assignable to type 'number'/);
    expect(errors).toContain('legendMode');
    expect(errors).toContain('refId');
    expect(errors).toContain("Type '7' is not assignable to type 'VariableRefresh");
    expect(errors).toContain(`Type '"curvy"' is not assignable`);
  }, 60_000);
});
