/**
 * Real alerts in: a real Alertmanager 0.25 (`collector-config/alertmanager.yml`) notifies the demo's
 * webhook intake, and the demo publishes each alert to its fake Slack, Rootly, PagerDuty and webhook
 * targets. The counts a user would compare — Alertmanager's notifications, the demo's intake
 * requests, queue submissions and jobs by target — agree; repeats thread, update and dedup;
 * resolutions resolve. Bad requests get a JSON 4xx, are counted, and lose nothing queued.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, prometheusName } from '../../src/index.js';
import {
  REPO_ROOT,
  requireBackend,
  startAlertmanager,
  type RunningBackend,
} from '../support/backends.js';
import {
  ALERTMANAGER_CONFIG,
  alertmanagerConfigFor,
  alertmanagerMetric,
} from './alertmanager-config.js';
import { deliveries, sampleSum, startDemoProcess, type DemoProcess } from './demo-process.js';

const amtool = requireBackend('amtool');
const alertmanagerBin = requireBackend('alertmanager');

const metric = (name: string): string => {
  const def = CATALOG.find((d) => d.name === name);
  if (!def) throw new Error(`${name} is not in the catalog`);
  return prometheusName(def);
};
const INTAKE_REQUESTS = 'alert_publisher_demo_intake_requests_total';

type Severity = 'critical' | 'warning' | 'info';
const targetsFile = JSON.parse(
  readFileSync(join(REPO_ROOT, 'examples/alert-publisher/targets.json'), 'utf8'),
) as { targets: Array<{ name: string; type: string; severities?: Severity[] }> };
// The file keeps one entry of an unsupported type on purpose: discovery rejects it.
const liveTargets = targetsFile.targets.filter((t) => t.type !== 'msteams');
const receiving = (severity: Severity) =>
  liveTargets.filter((t) => t.severities === undefined || t.severities.includes(severity));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!amtool)('collector-config/alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await promisify(execFile)(amtool as string, [
      'check-config',
      ALERTMANAGER_CONFIG,
    ]);
    expect(stdout).toContain('SUCCESS');
    expect(stdout).toContain('1 receivers');
  });
});

describe('the intake refuses bad requests and keeps what it queued', () => {
  let demo: DemoProcess;
  beforeAll(async () => {
    demo = await startDemoProcess(['--generator', 'off', '--log-deliveries', '.']);
  }, 120_000);
  afterAll(() => demo?.stop());

  it('answers JSON 4xx by kind, counts each, and still delivers the good notification', async () => {
    const post = async (body: string, method = 'POST') => {
      const response = await fetch(demo.intakeUrl, {
        method,
        ...(method === 'POST' && { body }),
        headers: { 'Content-Type': 'application/json' },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const good = {
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'alert-publisher',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://127.0.0.1:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1:9100' },
          annotations: { summary: 'Disk full on db-1' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://127.0.0.1:9090/graph',
          fingerprint: '1c2d3e4f5a6b7c8d',
        },
      ],
    };
    const accepted = await post(JSON.stringify(good));
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      status: 'accepted',
      alerts: 1,
      jobs: { accepted: receiving('critical').length, rejected: 0 },
    });

    const malformed = await post('{"version": "4", "alerts": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^malformed JSON/);

    const wrongShape = await post(
      JSON.stringify({
        ...good,
        alerts: [{ ...good.alerts[0], labels: { severity: 'critical' } }],
      }),
    );
    expect(wrongShape.status).toBe(422);
    expect(wrongShape.body.error).toBe('alerts[0].labels.alertname is required');
    const wrongVersion = await post(JSON.stringify({ ...good, version: '3' }));
    expect(wrongVersion.status).toBe(422);

    const oversized = await post(' '.repeat(1024 * 1024 + 1));
    expect(oversized.status).toBe(413);
    expect(oversized.body.error).toBe('body over 1048576 bytes');

    const get = await post('', 'GET');
    expect(get.status).toBe(405);

    const elsewhere = await fetch(demo.intakeUrl.replace('/webhook/alertmanager', '/webhook'), {
      method: 'POST',
      body: '{}',
    });
    expect(elsewhere.status).toBe(404);
    await elsewhere.arrayBuffer();

    // The one good alert reached every target that takes critical alerts, exactly once.
    const delivered = await until(
      'the good alert delivered to every critical target',
      async () => {
        const lines = deliveries(demo).filter((d) => d.alertname === 'DiskFull');
        return lines.length >= receiving('critical').length ? lines : undefined;
      },
      15_000,
    );
    expect(delivered.map((d) => d.target).sort()).toEqual(
      receiving('critical')
        .map((t) => t.name)
        .sort(),
    );
    const body = await demo.metrics();
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'accepted' })).toBe(1);
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'malformed_json' })).toBe(1);
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'invalid_payload' })).toBe(2);
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'too_large' })).toBe(1);
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'method_not_allowed' })).toBe(1);
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'not_found' })).toBe(1);
    expect(sampleSum(body, metric('queue_submissions_total'), { result: 'accepted' })).toBe(
      receiving('critical').length,
    );
  }, 40_000);
});

describe.skipIf(!alertmanagerBin)('Alertmanager → the demo → its targets', () => {
  let demo: DemoProcess;
  let alertmanager: RunningBackend;

  beforeAll(async () => {
    demo = await startDemoProcess(['--generator', 'off', '--log-deliveries', '.']);
    alertmanager = await startAlertmanager({
      // Repeats every 3 s so the test sees re-notifications of a still-firing alert.
      config: alertmanagerConfigFor(demo.intakeUrl, {
        groupWait: '1s',
        groupInterval: '1s',
        repeatInterval: '3s',
      }),
    });
  }, 120_000);
  afterAll(async () => {
    await alertmanager?.stop();
    await demo?.stop();
  });

  it('each group notification is published once per target; repeats thread, update and dedup; resolutions resolve', async () => {
    const startsAt = new Date().toISOString();
    const alerts = [
      { alertname: 'DatabaseDown', severity: 'critical' as const, instance: 'db-1:9187' },
      { alertname: 'HighLatency', severity: 'warning' as const, instance: 'api-2:8080' },
      { alertname: 'CertExpiring', severity: 'info' as const, instance: 'edge-3:443' },
    ];
    const postAlerts = async (endsAt?: string) => {
      const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(
          alerts.map((labels) => ({
            labels: { ...labels, job: 'loop-test' },
            annotations: { summary: `${labels.alertname} on ${labels.instance}` },
            startsAt,
            ...(endsAt !== undefined && { endsAt }),
            generatorURL: 'http://127.0.0.1:9090/graph',
          })),
        ),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    };
    await postAlerts();

    // First notifications, then at least one repeat of each group (repeat_interval 3 s).
    const firingTo = (alertname: string) =>
      deliveries(demo).filter((d) => d.alertname === alertname && d.status === 'firing');
    await until(
      'a repeat of every alert at every target',
      async () =>
        alerts.every((a) => firingTo(a.alertname).length >= 2 * receiving(a.severity).length) ||
        undefined,
      20_000,
    );

    // Resolve them all: Alertmanager sends resolved notifications (send_resolved: true).
    await postAlerts(new Date().toISOString());
    const resolvedTo = (alertname: string) =>
      deliveries(demo).filter((d) => d.alertname === alertname && d.status === 'resolved');
    await until(
      'the resolution of every alert at every target',
      async () =>
        alerts.every((a) => resolvedTo(a.alertname).length >= receiving(a.severity).length) ||
        undefined,
      20_000,
    );
    // Let a straggling notification land before comparing totals.
    const settled = async () => {
      const sent =
        (await alertmanagerMetric(alertmanager.url, 'alertmanager_notifications_total', {
          integration: 'webhook',
        })) -
        (await alertmanagerMetric(alertmanager.url, 'alertmanager_notifications_failed_total', {
          integration: 'webhook',
        }));
      const body = await demo.metrics();
      const jobs = sampleSum(body, metric('jobs_processed_total'));
      const submitted = sampleSum(body, metric('queue_submissions_total'));
      return sampleSum(body, INTAKE_REQUESTS, { outcome: 'accepted' }) === sent &&
        jobs === submitted
        ? { sent, body }
        : undefined;
    };
    const { sent, body } = await until('intake and Alertmanager agree', settled, 10_000);

    // One notification per group per send: 3 groups, each sent at least firing, repeat, resolved.
    expect(sent).toBeGreaterThanOrEqual(9);
    expect(sampleSum(body, INTAKE_REQUESTS, { outcome: 'accepted' })).toBe(sent);
    const lines = deliveries(demo);
    // Every delivered alert is one succeeded job of its target, and nothing failed.
    for (const target of liveTargets) {
      expect(
        sampleSum(body, metric('jobs_processed_total'), {
          target: target.name,
          state: 'succeeded',
        }),
        target.name,
      ).toBe(lines.filter((d) => d.target === target.name).length);
    }
    expect(sampleSum(body, metric('jobs_processed_total'), { state: 'failed' })).toBe(0);
    expect(sampleSum(body, metric('jobs_processed_total'), { state: 'dlq' })).toBe(0);
    expect(sampleSum(body, metric('queue_submissions_total'), { result: 'accepted' })).toBe(
      lines.length,
    );
    expect(sampleSum(body, metric('queue_submissions_total'), { result: 'rejected' })).toBe(0);

    // Notifications of one alert carry one fingerprint: PagerDuty's dedup key, Slack's thread and
    // Rootly's incident follow it.
    for (const a of alerts) {
      const prints = new Set(
        lines.filter((d) => d.alertname === a.alertname).map((d) => d.fingerprint),
      );
      expect(prints.size, a.alertname).toBe(1);
    }
    const notifications = (a: (typeof alerts)[number], target: string) =>
      lines.filter(
        (d) => d.alertname === a.alertname && d.target === target && d.status === 'firing',
      ).length;
    const [critical, warning] = alerts as [(typeof alerts)[0], (typeof alerts)[1]];
    // PagerDuty takes critical only: a trigger per notification (one dedup key), one resolve.
    expect(sampleSum(body, metric('pagerduty_events_total'), { action: 'trigger' })).toBe(
      notifications(critical, 'pagerduty-primary'),
    );
    expect(sampleSum(body, metric('pagerduty_events_total'), { action: 'resolve' })).toBe(1);
    // Rootly takes critical and warning: one incident each, updated on every repeat, resolved once.
    expect(sampleSum(body, metric('rootly_incidents_total'), { action: 'created' })).toBe(2);
    expect(sampleSum(body, metric('rootly_incidents_total'), { action: 'updated' })).toBe(
      notifications(critical, 'rootly-incidents') -
        1 +
        notifications(warning, 'rootly-incidents') -
        1,
    );
    expect(sampleSum(body, metric('rootly_incidents_total'), { action: 'resolved' })).toBe(2);
    expect(sampleSum(body, metric('rootly_active_incidents'))).toBe(0);
    // Slack: the first notification opens a thread; repeats and the resolution reply in it.
    const slackTargets = liveTargets.filter((t) => t.type === 'slack');
    let replies = 0;
    for (const t of slackTargets)
      for (const a of alerts) {
        const sent = lines.filter((d) => d.alertname === a.alertname && d.target === t.name).length;
        if (sent > 0) replies += sent - 1;
      }
    expect(replies).toBeGreaterThan(0);
    expect(sampleSum(body, metric('slack_thread_replies_total'))).toBe(replies);
  }, 60_000);
});
