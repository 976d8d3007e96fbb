/**
 * The soak runs the demo for minutes and fails when its heap keeps growing. What grew was the fake
 * target servers' record of every request they ever answered; they now keep a bounded window plus
 * lifetime counters. These tests pin the bounds with small caps, and that the Slack publisher
 * starts a new thread when the fake no longer knows the old one, so the soak's 8 minutes are not
 * the only guard.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintOf, type Alert } from '../../examples/alert-publisher/pipeline/alert.js';
import { RootlyIncidents } from '../../examples/alert-publisher/publishers/rootly-incidents.js';
import { SlackMessageCache } from '../../examples/alert-publisher/publishers/slack-message-cache.js';
import { SlackPublisher } from '../../examples/alert-publisher/publishers/slack.js';
import { noopRecorders } from '../../examples/alert-publisher/recorders.js';
import { FakePagerDutyServer } from '../../examples/alert-publisher/targets/pagerduty.js';
import { FakeRootlyServer } from '../../examples/alert-publisher/targets/rootly.js';
import { FakeSlackServer } from '../../examples/alert-publisher/targets/slack.js';
import { FakeWebhookServer } from '../../examples/alert-publisher/targets/webhook.js';
import { fakeServers, sendJson } from '../support/fake-target-servers.js';

const started = fakeServers();

/** The answer's JSON; Rootly incident updates are PATCH. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const method = url.includes('/v1/incidents/') ? 'PATCH' : 'POST';
  return (await sendJson(url, body, headers, { method })).body;
}

const bearer = { authorization: 'Bearer t' };

describe('demo fake servers keep bounded state', () => {
  it('Slack: the last N messages, counters for the rest, the last M threads', async () => {
    const slack = await started(new FakeSlackServer({ keepRecent: 5, keepThreads: 3 }));
    const url = `${slack.origin}/api/chat.postMessage`;
    const parents: string[] = [];
    for (let i = 0; i < 6; i++) {
      parents.push((await post(url, { channel: '#a', text: `firing ${i}` }, bearer)).ts);
      await post(url, { channel: '#a', text: `again ${i}`, thread_ts: parents[i] }, bearer);
    }
    expect(slack.messages).toHaveLength(5);
    expect(slack.messages.at(-1)?.text).toBe('again 5');
    expect([slack.posted, slack.threadReplies]).toEqual([12, 6]);
    // Threads 0-2 aged out; 3-5 are still known.
    const reply = (ts: string | undefined) =>
      post(url, { channel: '#a', text: 'reply', thread_ts: ts }, bearer);
    expect(await reply(parents[2])).toMatchObject({ ok: false, error: 'thread_not_found' });
    expect(await reply(parents[3])).toMatchObject({ ok: true });
    expect(
      await post(url, { channel: '#b', text: 'reply', thread_ts: parents[3] }, bearer),
    ).toMatchObject({ ok: false, error: 'thread_not_found' });
  });

  it('Slack publisher: a thread the server no longer knows is replaced by a new one', async () => {
    const slack = await started(new FakeSlackServer({ keepThreads: 1 }));
    const recorders = noopRecorders();
    const cache = new SlackMessageCache(recorders);
    const publisher = new SlackPublisher(
      {
        name: 'slack-test',
        type: 'slack',
        ref: 'builtin:slack',
        url: slack.origin,
        enabled: true,
        auth: { type: 'bearer', token: 'xoxb-1' },
      },
      {
        recorders,
        requestTimeoutMs: 2_000,
        slackCache: cache,
        rootlyIncidents: new RootlyIncidents(recorders),
      },
    );
    const alertOn = (instance: string): Alert => {
      const labels = { alertname: 'NodeDown', severity: 'critical' as const, instance };
      return {
        status: 'firing',
        labels,
        annotations: { summary: 'down', description: 'down' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus/graph',
        fingerprint: fingerprintOf(labels),
      };
    };
    const first = alertOn('node-01:9100');
    await publisher.publish(first); // thread 1
    await publisher.publish(alertOn('node-02:9100')); // thread 2 pushes thread 1 out
    const stale = cache.lookup('slack-test', first.fingerprint);
    await publisher.publish(first); // its thread is gone: a new top-level message
    const fresh = cache.lookup('slack-test', first.fingerprint);
    expect(fresh?.ts).not.toBe(stale?.ts);
    expect(slack.messages.map((m) => m.threadTs)).toEqual([undefined, undefined, undefined]);
    await publisher.publish(first); // and later notifications thread under the new one
    expect(slack.messages.at(-1)?.threadTs).toBe(fresh?.ts);
  });

  it('Rootly: open incidents and the last N resolved', async () => {
    const rootly = await started(new FakeRootlyServer({ keepRecent: 2, maxIncidents: 6 }));
    const create = async (title: string): Promise<string> =>
      (
        await post(
          `${rootly.origin}/v1/incidents`,
          { data: { type: 'incidents', attributes: { title } } },
          bearer,
        )
      ).data.id;
    const resolve = (id: string) =>
      post(
        `${rootly.origin}/v1/incidents/${id}`,
        { data: { type: 'incidents', attributes: { status: 'resolved' } } },
        bearer,
      );
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await create(`incident ${i}`));
    for (const id of ids.slice(0, 4)) await resolve(id);
    expect(rootly.created).toBe(5);
    expect([...rootly.incidents.keys()]).toEqual([ids[2], ids[3], ids[4]]);
    expect(rootly.openIncidents).toBe(1);
    // Past the hard cap the oldest goes, open or not.
    for (let i = 5; i < 9; i++) ids.push(await create(`incident ${i}`));
    expect(rootly.incidents.size).toBe(6);
    expect(rootly.incidents.has(ids[2]!)).toBe(false);
  });

  it('PagerDuty and webhook: the last N requests, counters for the rest', async () => {
    const pagerduty = await started(new FakePagerDutyServer({ keepRecent: 3 }));
    const webhook = await started(new FakeWebhookServer({ keepRecent: 3 }));
    for (let i = 0; i < 10; i++) {
      await post(`${pagerduty.origin}/v2/enqueue`, {
        routing_key: 'R0UT1NGKEYDEMO000000000000000001',
        event_action: i % 2 === 0 ? 'trigger' : 'resolve',
        dedup_key: `k${i >> 1}`,
        payload: { summary: 's', source: 'n', severity: 'critical' },
      });
      await post(`${webhook.origin}/hook`, { i });
    }
    expect(pagerduty.events.map((e) => e.dedupKey)).toEqual(['k3', 'k4', 'k4']);
    expect([pagerduty.accepted, pagerduty.openAlerts.size]).toEqual([10, 0]);
    expect(webhook.payloadBytes).toEqual([7, 7, 7]);
    expect([webhook.totalReceived, webhook.payloadBytesTotal]).toEqual([10, 7 * 10]);
  });
});
