/**
 * The embedded fake targets over real loopback HTTP: each kind's API in the normal case, and every
 * failure mode the pipeline is exercised with (5xx burst, 429 + Retry-After, auth failure, hung
 * request, slow answer, refused connection).
 */
import { describe, expect, it } from 'vitest';
import { FakePagerDutyServer } from '../../examples/alert-publisher/targets/pagerduty.js';
import { FakeRootlyServer } from '../../examples/alert-publisher/targets/rootly.js';
import { FakeSlackServer } from '../../examples/alert-publisher/targets/slack.js';
import { FakeWebhookServer } from '../../examples/alert-publisher/targets/webhook.js';
import { fakeServers, sendJson } from '../support/fake-target-servers.js';

const started = fakeServers();
const post = sendJson;

const slackAuth = { authorization: 'Bearer xoxb-test' };

describe('fake Slack', () => {
  it('posts a message and threads a reply under it', async () => {
    const slack = await started(new FakeSlackServer());
    const first = await post(
      `${slack.origin}/api/chat.postMessage`,
      { channel: '#alerts', text: 'firing' },
      slackAuth,
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: true, channel: '#alerts' });
    expect(first.body.ts).toMatch(/^\d+\.\d{6}$/);

    const reply = await post(
      `${slack.origin}/api/chat.postMessage`,
      { channel: '#alerts', text: 'resolved', thread_ts: first.body.ts },
      slackAuth,
    );
    expect(reply.body.ok).toBe(true);
    expect(reply.body.message.thread_ts).toBe(first.body.ts);
    expect(slack.messages).toHaveLength(2);
    expect(slack.threadReplies).toBe(1);
  });

  it('reports application errors as 200 {ok:false}, like Slack', async () => {
    const slack = await started(new FakeSlackServer());
    expect(
      (await post(`${slack.origin}/api/chat.postMessage`, { channel: '#a', text: 'x' })).body,
    ).toEqual({
      ok: false,
      error: 'not_authed',
    });
    const orphan = await post(
      `${slack.origin}/api/chat.postMessage`,
      { channel: '#a', text: 'x', thread_ts: '1.000009' },
      slackAuth,
    );
    expect(orphan).toMatchObject({ status: 200, body: { ok: false, error: 'thread_not_found' } });
  });

  it('answers a 429 storm with Retry-After and recovers when the storm ends', async () => {
    const slack = await started(new FakeSlackServer());
    slack.setFailure({ kind: 'rate_limited', retryAfterSeconds: 7, remaining: 2 });
    const url = `${slack.origin}/api/chat.postMessage`;
    const limited = await post(url, { channel: '#a', text: 'x' }, slackAuth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    expect((await post(url, { channel: '#a', text: 'x' }, slackAuth)).status).toBe(429);
    expect((await post(url, { channel: '#a', text: 'x' }, slackAuth)).status).toBe(200);
  });
});

describe('fake Rootly', () => {
  it('creates (201 with id), updates and resolves an incident', async () => {
    const rootly = await started(new FakeRootlyServer());
    const auth = { authorization: 'Bearer rootly-key' };
    const created = await post(
      `${rootly.origin}/v1/incidents`,
      { data: { type: 'incidents', attributes: { title: 'NodeDown', severity: 'sev1' } } },
      auth,
    );
    expect(created.status).toBe(201);
    const id: string = created.body.data.id;
    expect(created.body.data.attributes).toEqual({
      title: 'NodeDown',
      severity: 'sev1',
      status: 'started',
    });
    expect(rootly.openIncidents).toBe(1);

    const resolved = await post(
      `${rootly.origin}/v1/incidents/${id}`,
      { data: { type: 'incidents', attributes: { status: 'resolved' } } },
      auth,
      { method: 'PATCH' },
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body.data.attributes.status).toBe('resolved');
    expect(rootly.openIncidents).toBe(0);

    expect(
      (
        await post(
          `${rootly.origin}/v1/incidents/nope`,
          { data: { type: 'incidents', attributes: {} } },
          auth,
          {
            method: 'PATCH',
          },
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await post(
          `${rootly.origin}/v1/incidents`,
          { data: { type: 'incidents', attributes: {} } },
          auth,
        )
      ).status,
    ).toBe(422);
  });

  it('fails a 5xx burst of exactly N requests', async () => {
    const rootly = await started(new FakeRootlyServer());
    rootly.setFailure({ kind: 'server_error', status: 503, remaining: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await fetch(`${rootly.origin}/v1/incidents`, { headers: { authorization: 'Bearer k' } }))
          .status,
      );
    expect(statuses).toEqual([503, 503, 503, 200, 200]);
    expect(rootly.responsesByStatus.get(503)).toBe(3);
  });
});

describe('fake PagerDuty', () => {
  const routingKey = 'R0UT1NGKEYTEST00000000000000000A';

  it('accepts trigger and resolve with 202 and the dedup key', async () => {
    const pagerduty = await started(new FakePagerDutyServer());
    const url = `${pagerduty.origin}/v2/enqueue`;
    const trigger = await post(url, {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: 'abc',
      payload: { summary: 'Node down', source: 'node-01', severity: 'critical' },
    });
    expect(trigger).toMatchObject({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: 'abc' },
    });
    expect(pagerduty.openAlerts.has('abc')).toBe(true);
    const resolve = await post(url, {
      routing_key: routingKey,
      event_action: 'resolve',
      dedup_key: 'abc',
    });
    expect(resolve).toMatchObject({ status: 202, body: { dedup_key: 'abc' } });
    expect(pagerduty.openAlerts.size).toBe(0);
    expect(pagerduty.events.map((event) => event.action)).toEqual(['trigger', 'resolve']);
  });

  it('rejects an invalid event with 400 and a 401/403 auth failure when told to', async () => {
    const pagerduty = await started(new FakePagerDutyServer());
    const url = `${pagerduty.origin}/v2/enqueue`;
    const invalid = await post(url, { routing_key: 'short', event_action: 'explode' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([
      'Invalid routing key',
      'Invalid event_action',
      'dedup_key is required',
    ]);

    pagerduty.setFailure({ kind: 'auth_failure', status: 403 });
    expect(
      (await post(url, { routing_key: routingKey, event_action: 'resolve', dedup_key: 'x' }))
        .status,
    ).toBe(403);
    pagerduty.setFailure({ kind: 'auth_failure', status: 401 });
    expect(
      (await post(url, { routing_key: routingKey, event_action: 'resolve', dedup_key: 'x' }))
        .status,
    ).toBe(401);
  });
});

describe('fake webhook receiver', () => {
  it('checks bearer and basic credentials per path', async () => {
    const webhook = await started(new FakeWebhookServer());
    webhook.expectAuth('/bearer', { type: 'bearer', token: 's3cret' });
    webhook.expectAuth('/basic', { type: 'basic', username: 'am', password: 'pw' });
    expect((await post(`${webhook.origin}/bearer`, { a: 1 })).status).toBe(401);
    expect(
      (await post(`${webhook.origin}/bearer`, { a: 1 }, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    expect(
      (await post(`${webhook.origin}/bearer`, { a: 1 }, { authorization: 'Bearer s3cret' })).status,
    ).toBe(200);
    const basic = `Basic ${Buffer.from('am:pw').toString('base64')}`;
    expect((await post(`${webhook.origin}/basic`, { a: 1 }, { authorization: basic })).status).toBe(
      200,
    );
    expect((await post(`${webhook.origin}/open`, { a: 1 })).status).toBe(200);
    expect(webhook.received).toEqual(
      new Map([
        ['/bearer', 1],
        ['/basic', 1],
        ['/open', 1],
      ]),
    );
    expect(webhook.payloadBytes).toEqual([7, 7, 7]);
  });

  it('never answers in no_answer mode: the client times out', async () => {
    const webhook = await started(new FakeWebhookServer());
    webhook.setFailure({ kind: 'no_answer' });
    const started_ = performance.now();
    const error = await post(
      `${webhook.origin}/x`,
      {},
      {},
      { signal: AbortSignal.timeout(300) },
    ).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(performance.now() - started_).toBeGreaterThanOrEqual(290);
    expect(webhook.requestCount).toBe(1);
  });

  it('answers after the configured latency', async () => {
    const webhook = await started(new FakeWebhookServer());
    webhook.setLatency(400);
    const t0 = performance.now();
    expect((await post(`${webhook.origin}/x`, { a: 1 })).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
  });

  it('refuses connections while down and comes back on the same port', async () => {
    const webhook = await started(new FakeWebhookServer());
    const port = webhook.port;
    await webhook.goDown();
    const error = await post(`${webhook.origin}/x`, { a: 1 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('fetch failed');
    expect(((error as Error).cause as { code: string }).code).toBe('ECONNREFUSED');
    await webhook.comeUp();
    expect(webhook.port).toBe(port);
    expect((await post(`${webhook.origin}/x`, { a: 1 })).status).toBe(200);
  });
});
