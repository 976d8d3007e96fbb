/**
 * The service pages about itself: the demo under `--chaos` (one cycle), a real Prometheus 2.42
 * scraping it and evaluating `collector-config/prometheus/rules/` (time compressed 60×, see
 * scaled-rules.ts), alerting a real Alertmanager 0.25 whose receiver is the demo's own intake.
 * Each chaos fault must fire the alerts it names (seen firing in Prometheus and held by
 * Alertmanager), each page must be delivered by the demo to a fake target, and after the
 * scenario every alert must resolve and the resolution be delivered too. Every alert rule of
 * publishing-alerts.yml must fire. A second demo without chaos, under its own Prometheus with the
 * same rules, must fire none.
 *
 * The run's record (which fault fired which alert, with times) is written to
 * test-output/alert-loop-record.md; collector-config/README.md's table comes from it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHAOS_FAULTS } from '../../examples/alert-publisher/chaos.js';
import {
  REPO_ROOT,
  requireBackend,
  startAlertmanager,
  startPrometheus,
  type RunningBackend,
} from '../support/backends.js';
import { alertmanagerAlerts, alertmanagerConfigFor } from './alertmanager-config.js';
import {
  deliveries,
  demoUrls,
  freeDemoPorts,
  startDemoProcess,
  type DemoProcess,
} from './demo-process.js';
import { alertRuleNames, writeCompressedRules } from './scaled-rules.js';

const bins = {
  prometheus: requireBackend('prometheus'),
  promtool: requireBackend('promtool'),
  alertmanager: requireBackend('alertmanager'),
};

// Shortened so the faults' effects show within their 8–25 s windows (test-only tuning; the
// scenario's faults and their timeline are the demo's defaults).
const DEMO_ARGS = [
  '--rate',
  '5',
  '--seed',
  '57',
  '--health-interval',
  '1',
  '--refresh-interval',
  '2',
  '--dlq-replay-interval',
  '2',
  // Below the 1 s scrape timeout, so a hanging port times out without failing the scrape.
  '--collector-timeout',
  '250',
  '--log-deliveries',
  '^Publishing',
];
/** A fault's effect may outlast it by an evaluation or two (a `deriv` window, a last scrape). */
const ATTRIBUTION_GRACE_MS = 5_000;

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

async function prometheusAlerts(url: string): Promise<PromAlert[]> {
  const response = await fetch(`${url}/api/v1/alerts`);
  const body = (await response.json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts;
}

const keyOf = (labels: Record<string, string>): string =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

interface Episode {
  alertname: string;
  labels: Record<string, string>;
  /** When the condition first held (Prometheus' activeAt), ms. */
  activeAt: number;
  firingSeenAt: number;
  inAlertmanagerAt?: number;
  resolvedAt?: number;
}

interface FaultWindow {
  name: string;
  start: number;
  end: number;
}

describe.skipIf(!bins.prometheus || !bins.promtool || !bins.alertmanager)(
  'every alert rule fires from a real fault, pages through the demo, and resolves',
  () => {
    let chaosDemo: DemoProcess;
    let calmDemo: DemoProcess;
    let alertmanager: RunningBackend;
    let prometheus: RunningBackend;
    let calmPrometheus: RunningBackend;
    let ruleFiles: string[];

    beforeAll(async () => {
      ruleFiles = writeCompressedRules();
      const chaosPorts = await freeDemoPorts();
      const calmPorts = await freeDemoPorts();
      alertmanager = await startAlertmanager({
        config: alertmanagerConfigFor(demoUrls(chaosPorts).intakeUrl, {
          groupWait: '1s',
          groupInterval: '1s',
          repeatInterval: '1h',
        }),
      });
      [prometheus, calmPrometheus] = await Promise.all([
        startPrometheus({
          scrapeTargets: [demoUrls(chaosPorts).scrapeTarget],
          ruleFiles,
          alertmanagers: [`127.0.0.1:${alertmanager.port}`],
          jobName: 'alert-publisher',
        }),
        startPrometheus({
          scrapeTargets: [demoUrls(calmPorts).scrapeTarget],
          ruleFiles,
          jobName: 'alert-publisher',
        }),
      ]);
      [chaosDemo, calmDemo] = await Promise.all([
        startDemoProcess(['--chaos', '--chaos-cycles', '1', ...DEMO_ARGS], chaosPorts),
        startDemoProcess(DEMO_ARGS, calmPorts),
      ]);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([chaosDemo?.stop(), calmDemo?.stop()]);
      await Promise.all([alertmanager?.stop(), prometheus?.stop(), calmPrometheus?.stop()]);
    });

    it('the compressed rule files are valid', async () => {
      const { stdout } = await promisify(execFile)(bins.promtool as string, [
        'check',
        'rules',
        ...ruleFiles,
      ]);
      expect(stdout).toContain('SUCCESS');
    });

    it('each chaos fault fires its alerts; each page is delivered; each recovery resolves; a calm run fires none', async () => {
      const episodes: Episode[] = [];
      const open = new Map<string, Episode>();
      const calmAlerts = new Map<string, PromAlert>();
      let doneAt: number | undefined;
      // One cycle is 120 s; the slowest resolution (the 30 s short window of the slow burn)
      // follows the last fault, which ends at 105 s.
      const deadline = Date.now() + 200_000;
      while (Date.now() < deadline) {
        const now = Date.now();
        const [firing, held, calm] = await Promise.all([
          prometheusAlerts(prometheus.url),
          alertmanagerAlerts(alertmanager.url),
          prometheusAlerts(calmPrometheus.url),
        ]);
        const firingNow = new Set<string>();
        for (const alert of firing) {
          if (alert.state !== 'firing') continue;
          const key = keyOf(alert.labels);
          firingNow.add(key);
          if (open.has(key)) continue;
          const episode: Episode = {
            alertname: alert.labels.alertname as string,
            labels: alert.labels,
            activeAt: Date.parse(alert.activeAt),
            firingSeenAt: now,
          };
          open.set(key, episode);
          episodes.push(episode);
        }
        for (const [key, episode] of open) {
          if (firingNow.has(key)) continue;
          episode.resolvedAt = now;
          open.delete(key);
        }
        for (const alert of held) {
          if (alert.status.state !== 'active') continue;
          const episode = open.get(keyOf(alert.labels));
          if (episode && episode.inAlertmanagerAt === undefined) episode.inAlertmanagerAt = now;
        }
        for (const alert of calm) calmAlerts.set(keyOf(alert.labels), alert);

        doneAt ??= chaosDemo.lines().find((l) => l.text === 'chaos: done')?.at;
        // Finished: the scenario is over, nothing fires, and each resolution had time to page.
        if (doneAt !== undefined && open.size === 0 && now - doneAt > 5_000) {
          const resolvedAll = new Set(
            deliveries(chaosDemo)
              .filter((d) => d.status === 'resolved')
              .map((d) => d.alertname),
          );
          if (episodes.every((e) => resolvedAll.has(e.alertname))) break;
        }
        await new Promise((r) => setTimeout(r, 1_000));
      }

      const windows = faultWindows(chaosDemo);
      const delivered = deliveries(chaosDemo);
      const record = writeRecord(episodes, windows, delivered);

      // Every fault ran, and each fired what it names.
      expect
        .soft(windows.map((w) => w.name).sort())
        .toEqual(DEFAULT_CHAOS_FAULTS.map((f) => f.name).sort());
      const missed: string[] = [];
      for (const fault of DEFAULT_CHAOS_FAULTS) {
        for (const alertname of fault.fires) {
          if (!record.get(fault.name)?.has(alertname)) missed.push(`${fault.name} → ${alertname}`);
        }
      }
      expect
        .soft(missed, `faults that did not fire their alert; record:\n${recordText(record)}`)
        .toEqual([]);
      // Every rule fired.
      const fired = new Set(episodes.map((e) => e.alertname));
      expect.soft(alertRuleNames().filter((name) => !fired.has(name))).toEqual([]);

      for (const alertname of fired) {
        const mine = episodes.filter((e) => e.alertname === alertname);
        // Alertmanager held it, the demo published the page and, after recovery, the resolution.
        expect
          .soft(
            mine.some((e) => e.inAlertmanagerAt !== undefined),
            `${alertname} in Alertmanager`,
          )
          .toBe(true);
        expect
          .soft(
            delivered.some((d) => d.alertname === alertname && d.status === 'firing'),
            `${alertname} page delivered`,
          )
          .toBe(true);
        expect
          .soft(
            delivered.some((d) => d.alertname === alertname && d.status === 'resolved'),
            `${alertname} resolution delivered`,
          )
          .toBe(true);
        expect
          .soft(
            mine.filter((e) => e.resolvedAt === undefined).map((e) => e.labels),
            `${alertname} resolved`,
          )
          .toEqual([]);
      }

      // The calm run: same rules, same traffic, no fault — nothing pending, nothing firing.
      expect
        .soft([...calmAlerts.values()].map((a) => `${a.labels.alertname} ${a.state}`))
        .toEqual([]);
    }, 240_000);
  },
);

/** The faults' windows from the demo's `chaos: start <name> …` / `chaos: end <name>` lines. */
function faultWindows(demo: DemoProcess): FaultWindow[] {
  const windows: FaultWindow[] = [];
  for (const { at, text } of demo.lines()) {
    const start = /^chaos: start (\S+) /.exec(text);
    if (start) windows.push({ name: start[1] as string, start: at, end: at });
    const end = /^chaos: end (\S+)$/.exec(text);
    if (end) {
      const window = windows.findLast((w) => w.name === end[1]);
      if (window) window.end = at;
    }
  }
  return windows;
}

/** Fault name → alert names whose condition started while it was on; written to test-output. */
function writeRecord(
  episodes: readonly Episode[],
  windows: readonly FaultWindow[],
  delivered: ReturnType<typeof deliveries>,
): Map<string, Set<string>> {
  const record = new Map<string, Set<string>>(windows.map((w) => [w.name, new Set<string>()]));
  const t0 = windows.length > 0 ? Math.min(...windows.map((w) => w.start)) : 0;
  const rows: string[] = [];
  for (const episode of episodes) {
    const during = windows.filter(
      (w) =>
        episode.activeAt >= w.start - 1_000 && episode.activeAt <= w.end + ATTRIBUTION_GRACE_MS,
    );
    for (const w of during) record.get(w.name)?.add(episode.alertname);
    const page = delivered.find(
      (d) => d.alertname === episode.alertname && d.status === 'firing' && d.at >= episode.activeAt,
    );
    const s = (t: number | undefined) =>
      t === undefined ? '—' : `${((t - t0) / 1000).toFixed(0)}`;
    const subject =
      episode.labels.target ?? episode.labels.collector ?? episode.labels.priority ?? '';
    rows.push(
      `| ${episode.alertname} | ${subject} | ${during.map((w) => w.name).join(', ') || '(none)'} | ` +
        `${s(episode.activeAt)} | ${s(episode.firingSeenAt)} | ${s(episode.inAlertmanagerAt)} | ` +
        `${page ? `${s(page.at)} → ${page.target}` : '—'} | ${s(episode.resolvedAt)} |`,
    );
  }
  const text = [
    '# Alert loop record (one chaos cycle; seconds from the first fault)',
    '',
    '## Faults',
    '',
    '| fault | from | to | meant to fire | fired |',
    '| --- | --- | --- | --- | --- |',
    ...windows.map((w) => {
      const fault = DEFAULT_CHAOS_FAULTS.find((f) => f.name === w.name);
      return (
        `| ${w.name} | ${((w.start - t0) / 1000).toFixed(0)} | ${((w.end - t0) / 1000).toFixed(0)} | ` +
        `${fault?.fires.join(', ') ?? ''} | ${[...(record.get(w.name) ?? [])].sort().join(', ')} |`
      );
    }),
    '',
    '## Alerts',
    '',
    '| alert | subject | during | active | firing | in Alertmanager | page delivered | resolved |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(join(REPO_ROOT, 'test-output'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'test-output', 'alert-loop-record.md'), text);
  return record;
}

function recordText(record: Map<string, Set<string>>): string {
  return [...record].map(([fault, alerts]) => `${fault}: ${[...alerts].join(', ')}`).join('\n');
}
