/**
 * publishing-fleet.yml offline: names from the catalog, the library's SLO defaults and fleet
 * rule, and promtool's own check and unit tests (no traffic, no targets, circuit open, saturated
 * queue).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { USAGE as DEMO_USAGE } from '../../examples/alert-publisher/cli.js';
import { FLEET_GAUGES } from '../../src/fleet/fleet-queries.js';
import { DEFAULT_SLO, DEFAULT_STATS_WINDOW_MS } from '../../src/index.js';
import { metricTokens, prometheusSeriesNames, RULES_DIR } from '../operate/names.js';
import { REPO_ROOT, requireBackend } from '../support/backends.js';
import { FLEET_RULES_FILE } from './fleet-stack.js';
import { FLEET_RULE_TOKEN, fleetRules, inlinedRule } from './rule-file.js';

const promtool = requireBackend('promtool');
const TEST_FILE = join(RULES_DIR, 'tests', 'publishing-fleet.test.yml');
const CONFIG_DIR = join(REPO_ROOT, 'collector-config');
const REPLICAS_FILE = join(CONFIG_DIR, 'prometheus', 'fleet', 'replicas.yml');

/** replicas.yml with its example entries uncommented (and the empty list dropped). */
function uncommentedReplicas(): string {
  const lines = readFileSync(REPLICAS_FILE, 'utf8').split('\n');
  const from = lines.findIndex((l) => l.includes('replace `[]` with:')) + 1;
  return lines
    .slice(from)
    .filter((l) => l !== '[]')
    .map((l) => l.replace(/^# /, ''))
    .join('\n');
}
const text = readFileSync(FLEET_RULES_FILE, 'utf8');
const rules = fleetRules();

describe('fleet recording rules (offline)', () => {
  it('name only catalog series and fleet rules recorded before they are read', () => {
    const known = prometheusSeriesNames();
    expect(metricTokens(text).filter((t) => !known.has(t))).toEqual([]);
    expect(metricTokens(text).length).toBeGreaterThanOrEqual(9);
    const recorded = new Set<string>();
    for (const rule of rules) {
      for (const token of rule.expr.match(FLEET_RULE_TOKEN) ?? []) {
        expect(recorded, `${rule.record} reads ${token} before it is recorded`).toContain(token);
      }
      recorded.add(rule.record);
    }
    expect(() => inlinedRule('publishing_fleet:health_score:5m', rules)).not.toThrow();
  });

  it('use the library defaults: 5 m window, 2 s latency SLO, 10 jobs, the score weights', () => {
    const window = `[${DEFAULT_STATS_WINDOW_MS / 60_000}m]`;
    for (const rule of rules) {
      for (const range of rule.expr.match(/\[[^\]]+\]/g) ?? []) expect(range).toBe(window);
    }
    const target = inlinedRule('publishing_fleet:target_health_score:5m', rules);
    const system = inlinedRule('publishing_fleet:health_score:5m', rules);
    expect(target).toContain(`/ ${DEFAULT_SLO.p95LatencySeconds}, 1)`);
    expect(target).toContain(`>= ${DEFAULT_SLO.minWindowJobs})`);
    expect(system).toContain(`>= ${DEFAULT_SLO.minWindowJobs})`);
    const w = DEFAULT_SLO.targetWeights;
    for (const weight of [w.successRate, w.health, w.performance, w.circuit]) {
      expect(target).toMatch(new RegExp(`\\+?\\s${weight} \\* \\(`));
    }
    const s = DEFAULT_SLO.systemWeights;
    for (const weight of [s.successRate, s.availability, s.performance, s.queueHealth]) {
      expect(system).toContain(`${weight} * `);
    }
  });

  it('combine replicas as the fleet stats do (worst health, most open breaker, mean check ratio)', () => {
    for (const name of [
      'target_health_status',
      'circuit_breaker_state',
      'target_success_rate',
    ] as const) {
      const gauge = FLEET_GAUGES.find((g) => g.name === name)!;
      expect(text).toContain(
        `${gauge.op} by (${gauge.by.join(', ')}) (alert_history_publishing_${name}{target!=""})`,
      );
    }
  });
});

describe.skipIf(!promtool)('fleet recording rules (promtool)', () => {
  const run = (args: string[]) => {
    const r = spawnSync(promtool!, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  it('pass promtool check rules', () => {
    const { status, output } = run(['check', 'rules', FLEET_RULES_FILE]);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status, output).toBe(0);
  });

  it('pass their unit tests: replicas summed, no traffic, no targets, circuit open, saturated queue', () => {
    const { status, output } = run(['test', 'rules', TEST_FILE]);
    expect(output).not.toContain('FAILED');
    expect(status, output).toBe(0);
    const names = [...readFileSync(TEST_FILE, 'utf8').matchAll(/- name: (.+)/g)].map((m) => m[1]);
    expect(names).toEqual([
      'replicas summed before ratios and quantiles; worst health and circuit',
      'no traffic falls back to health checks',
      'no targets and no traffic score 100',
      'circuit open and saturated queue',
    ]);
  });
});

describe.skipIf(!promtool)('the fleet scrape of collector-config/prometheus.yml', () => {
  it('discovers the example replicas, with demo flags that exist, as valid file-based targets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-config-'));
    try {
      mkdirSync(join(dir, 'prometheus', 'fleet'), { recursive: true });
      mkdirSync(join(dir, 'prometheus', 'rules'), { recursive: true });
      copyFileSync(join(CONFIG_DIR, 'prometheus.yml'), join(dir, 'prometheus.yml'));
      for (const f of [
        'publishing-recording.yml',
        'publishing-alerts.yml',
        'publishing-fleet.yml',
      ]) {
        copyFileSync(join(RULES_DIR, f), join(dir, 'prometheus', 'rules', f));
      }
      const replicas = uncommentedReplicas();
      expect(parse(replicas)).toEqual([
        { targets: ['127.0.0.1:9465'], labels: { instance: 'replica-b' } },
        { targets: ['127.0.0.1:9466'], labels: { instance: 'replica-c' } },
      ]);
      writeFileSync(join(dir, 'prometheus', 'fleet', 'replicas.yml'), replicas);
      const r = spawnSync(promtool!, ['check', 'config', join(dir, 'prometheus.yml')], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(`${r.stdout}${r.stderr}`).not.toContain('WARNING');
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const flag of readFileSync(REPLICAS_FILE, 'utf8').match(/--[a-z-]+/g) ?? []) {
      expect(DEMO_USAGE, flag).toContain(flag);
    }
  });
});
