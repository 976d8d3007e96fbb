import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DASHBOARD_PATH,
  buildDashboard,
  renderDashboard,
} from '../../scripts/generate-dashboard.js';
import { expandGrafanaQuery, hasPrometheus, startLiveStack, type LiveStack } from './live-stack.js';
import { metricTokens, unknownNames } from './names.js';
import { startDemoWorkload, WORKLOAD } from '../support/workload.js';

const faults = WORKLOAD.faults;

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: { query: string };
  multi: boolean;
  includeAll: boolean;
  datasource: { uid: string };
}
interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  __requires: Array<{ type: string; id: string }>;
  panels: Panel[];
  templating: { list: Variable[] };
  uid: string;
}

const committed = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
const queryPanels = committed.panels.filter((p) => p.type !== 'row');
const queries = queryPanels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr })),
);

describe('Grafana dashboard (offline)', () => {
  it('is what scripts/generate-dashboard.ts generates (run `npm run dashboard` after changes)', () => {
    expect(readFileSync(DASHBOARD_PATH, 'utf8')).toBe(renderDashboard());
  });

  it('imports with a Prometheus data source chosen for DS_PROMETHEUS', () => {
    expect(committed.__inputs).toEqual([
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    ]);
    const required = new Set(committed.__requires.map((r) => `${r.type}:${r.id}`));
    expect(required).toContain('grafana:grafana');
    expect(required).toContain('datasource:prometheus');
    for (const panel of queryPanels) {
      expect(required, `__requires lacks panel type ${panel.type}`).toContain(
        `panel:${panel.type}`,
      );
      expect(panel.datasource?.uid).toBe('${DS_PROMETHEUS}');
      for (const target of panel.targets ?? [])
        expect(target.datasource.uid).toBe('${DS_PROMETHEUS}');
    }
  });

  it('offers multi-select target and type variables with All, from label_values', () => {
    const byName = new Map(committed.templating.list.map((v) => [v.name, v]));
    for (const name of ['target', 'type']) {
      const variable = byName.get(name);
      expect(variable, name).toBeDefined();
      expect(variable!.type).toBe('query');
      expect(variable!.query.query).toMatch(new RegExp(`^label_values\\(.+, ${name}\\)$`));
      expect(variable!.multi).toBe(true);
      expect(variable!.includeAll).toBe(true);
      expect(variable!.datasource.uid).toBe('${DS_PROMETHEUS}');
    }
  });

  it('has the overview, delivery, queue, DLQ, discovery and self-monitoring rows', () => {
    const rows = committed.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(
      expect.arrayContaining([
        'Overview',
        'Per-target delivery',
        'Queue',
        'Dead-letter queue',
        'Discovery and refresh',
        'Collector self-monitoring',
      ]),
    );
    const exprs = queries.map((q) => q.expr).join('\n');
    expect(exprs).toContain('publishing:health_score');
    for (const q of ['0.95', '0.99']) {
      expect(exprs).toContain(
        `histogram_quantile(${q}, sum by (target, le) (rate(alert_history_publishing_job_duration_seconds_bucket{target=~"$target",instance=~"$instance"}[$__rate_interval])))`,
      );
    }
  });

  it('lays panels out without overlaps inside 24 columns, with unique ids', () => {
    const ids = committed.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const panel of committed.panels) {
      const { h, w, x, y } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const cell = `${i},${j}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it('names only catalog metrics and recorded rules in its queries and variables', () => {
    const texts = [
      ...queries.map((q) => q.expr),
      ...committed.templating.list.map((v) => v.query.query),
    ];
    for (const text of texts) expect(unknownNames(text), text).toEqual([]);
    expect(metricTokens(texts.join('\n')).length).toBeGreaterThan(30);
  });

  it('flags a metric name that does not exist (the check above can fail)', () => {
    expect(unknownNames('rate(alert_history_publishing_jobs_processed[5m])')).toEqual([
      'alert_history_publishing_jobs_processed',
    ]);
    expect(unknownNames('alert_history_publishing_dlq_size_bucket')).toEqual([
      'alert_history_publishing_dlq_size_bucket',
    ]);
    expect(unknownNames('publishing:target_success_ratio:rate1m')).toEqual([
      'publishing:target_success_ratio:rate1m',
    ]);
    expect(buildDashboard()).toEqual(committed);
  });
});

const live = hasPrometheus();

describe.skipIf(!live)('Grafana dashboard against a real Prometheus', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('every panel query returns finite data ($target/$type = All, $__rate_interval = 1m)', async () => {
    const empty: string[] = [];
    for (const q of queries) {
      try {
        await stack.nonEmpty(expandGrafanaQuery(q.expr));
      } catch (error) {
        empty.push(`${q.panel} [${q.refId}]: ${(error as Error).message}`);
      }
    }
    expect(empty).toEqual([]);
    expect(queries.length).toBeGreaterThan(40);
  }, 60_000);

  it.skipIf(faults === undefined)(
    'shows the unhealthy target and the open circuit with their catalog values',
    async () => {
      const health = await stack.nonEmpty(
        expandGrafanaQuery(
          queries.find((q) => q.panel === 'Target health' && q.refId === 'A')!.expr,
        ),
      );
      const unhealthy = health.filter((s) => s.value[1] === '3').map((s) => s.metric['target']);
      expect(unhealthy).toEqual(faults!.unhealthyTargets);
      const circuits = await stack.nonEmpty(
        expandGrafanaQuery(queries.find((q) => q.panel === 'Circuit-breaker state')!.expr),
      );
      const open = circuits.filter((s) => s.value[1] === '2').map((s) => s.metric['target']);
      expect(open).toEqual(faults!.openCircuits);
      const score = await stack.nonEmpty('publishing:health_score');
      const value = Number(score[0]!.value[1]);
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(100);
    },
    30_000,
  );
});

describe.skipIf(!live)('Grafana dashboard against the running demo service (chaos on)', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack(() => startDemoWorkload());
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('every panel query returns finite data', async () => {
    const empty: string[] = [];
    for (const q of queries) {
      try {
        await stack.nonEmpty(expandGrafanaQuery(q.expr), 20_000);
      } catch (error) {
        empty.push(`${q.panel} [${q.refId}]: ${(error as Error).message}`);
      }
    }
    expect(empty).toEqual([]);
  }, 120_000);
});
