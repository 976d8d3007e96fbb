/**
 * The Alertmanager intake on its own: what it reads from a v4 notification, what it refuses (with
 * the field named), and the generator's client keeping order and a bounded backlog while the
 * intake is slow or gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IntakeClient } from '../../examples/alert-publisher/intake/intake-client.js';
import {
  IntakeServer,
  type SubmitResult,
} from '../../examples/alert-publisher/intake/intake-server.js';
import {
  InvalidPayloadError,
  parseWebhookNotification,
} from '../../examples/alert-publisher/intake/webhook-payload.js';
import type { Alert } from '../../examples/alert-publisher/pipeline/alert.js';

const alert = (labels: Record<string, string>, status = 'firing') => ({
  status,
  labels,
  annotations: {},
  startsAt: '2026-12-01T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: 'a1b2c3d4e5f60718',
});
const notification = (alerts: unknown[]) => ({
  version: '4',
  groupKey: '{}:{alertname="X"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'alert-publisher',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});

describe('parseWebhookNotification', () => {
  it('keeps labels and annotations, filling what the targets need', () => {
    const { alerts } = parseWebhookNotification(
      notification([
        alert({ alertname: 'PublishingCircuitOpen', severity: 'warning', target: 'slack-a' }),
        alert({ alertname: 'Custom', severity: 'page', job: 'api', instance: 'api-1:80' }),
      ]),
    );
    // No instance: shown as from its job, else from the receiver (PagerDuty needs a source).
    expect(alerts[0]?.labels).toEqual({
      alertname: 'PublishingCircuitOpen',
      severity: 'warning',
      target: 'slack-a',
      instance: 'alert-publisher',
    });
    expect(alerts[0]?.annotations).toEqual({ summary: 'PublishingCircuitOpen', description: '' });
    // An unknown severity is handled as warning (medium priority).
    expect(alerts[1]?.labels.severity).toBe('warning');
    expect(alerts[1]?.labels.instance).toBe('api-1:80');
  });

  it.each([
    [[], 'body must be a JSON object'],
    [
      { ...notification([]), version: 3 },
      'version must be "4" (Alertmanager webhook payload), got 3',
    ],
    [{ ...notification([]), alerts: {} }, 'alerts must be an array'],
    [notification([alert({ severity: 'critical' })]), 'alerts[0].labels.alertname is required'],
    [
      notification([alert({ alertname: 'X', n: 1 } as never)]),
      'alerts[0].labels.n must be a string',
    ],
    [
      notification([alert({ alertname: 'X' }, 'pending')]),
      'alerts[0].status must be "firing" or "resolved", got "pending"',
    ],
    [
      notification([{ ...alert({ alertname: 'X' }), fingerprint: '' }]),
      'alerts[0].fingerprint must not be empty',
    ],
  ])('refuses %j: %s', (body, message) => {
    expect(() => parseWebhookNotification(body)).toThrow(new InvalidPayloadError(message));
  });
});

describe('IntakeClient against a slow intake', () => {
  let server: IntakeServer | undefined;
  afterEach(() => server?.close());

  it('sends one request at a time, in order, batching what arrives meanwhile', async () => {
    const received: string[] = [];
    const submit = (a: Alert): SubmitResult => {
      received.push(`${a.labels.instance} ${a.status}`);
      return { accepted: 1, rejected: 0, open: true };
    };
    server = new IntakeServer({ port: 0, submit });
    await server.listen();
    const client = new IntakeClient({ url: () => (server as IntakeServer).url });
    const make = (i: number, status: 'firing' | 'resolved') =>
      ({ ...alert({ alertname: 'X', severity: 'info', instance: `n${i}` }, status) }) as Alert;
    for (let i = 0; i < 50; i++) {
      client.post(make(i, 'firing'));
      client.post(make(i, 'resolved'));
    }
    await client.flush();
    expect(received).toEqual(
      Array.from({ length: 50 }, (_, i) => [`n${i} firing`, `n${i} resolved`]).flat(),
    );
    // The first request carried one alert, the rest went in the next (batched while in flight).
    expect(client.sent).toEqual({ ok: 2, failed: 0 });
    expect(server.counts.accepted).toBe(2);
  });

  it('drops the oldest alerts past its backlog bound when the intake is gone, and says so once', async () => {
    const lines: string[] = [];
    const client = new IntakeClient({
      url: () => 'http://127.0.0.1:1/webhook/alertmanager',
      maxPending: 10,
      log: (line) => lines.push(line),
    });
    for (let i = 0; i < 100; i++)
      client.post(alert({ alertname: 'X', severity: 'info', instance: `n${i}` }) as Alert);
    await client.flush();
    expect(client.dropped).toBe(89);
    expect(client.sent.ok).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^generator: intake unreachable/);
  });
});

describe('IntakeServer when nothing can be queued', () => {
  let server: IntakeServer | undefined;
  afterEach(() => server?.close());

  it.each([
    [{ accepted: 0, rejected: 6, open: true }, 503, 'queue_full', 'queue full, retry later'],
    [
      { accepted: 0, rejected: 0, open: false },
      503,
      'unavailable',
      'not accepting alerts (stopping)',
    ],
    [{ accepted: 2, rejected: 4, open: true }, 200, 'accepted', undefined],
  ] as const)('submit %j answers %i (%s)', async (result, status, outcome, error) => {
    const outcomes: string[] = [];
    server = new IntakeServer({
      port: 0,
      submit: () => result,
      onOutcome: (o) => outcomes.push(o),
    });
    await server.listen();
    const response = await fetch(server.url, {
      method: 'POST',
      body: JSON.stringify(notification([alert({ alertname: 'X', severity: 'critical' })])),
    });
    const body = (await response.json()) as { error?: string };
    expect(response.status).toBe(status);
    expect(body.error).toBe(error);
    expect(outcomes).toEqual([outcome]);
  });
});
