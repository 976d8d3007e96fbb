/**
 * A short pipeline run over real HTTP: alerts reach every kind of target, and what the pipeline
 * reports through the recorders matches what the fake targets actually received.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlertGenerator } from '../../examples/alert-publisher/pipeline/alert-generator.js';
import type { FakePagerDutyServer } from '../../examples/alert-publisher/targets/pagerduty.js';
import type { FakeRootlyServer } from '../../examples/alert-publisher/targets/rootly.js';
import type { FakeSlackServer } from '../../examples/alert-publisher/targets/slack.js';
import type { FakeWebhookServer } from '../../examples/alert-publisher/targets/webhook.js';
import { defaultTargets, startPipeline, waitFor, type Fixture } from './pipeline-fixture.js';
import { RecordingRecorders } from './recording-recorders.js';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

describe('pipeline run', () => {
  it('delivers to slack, rootly, pagerduty and webhooks and reports every delivery', async () => {
    fixture = await startPipeline(await defaultTargets());
    const { pipeline, recorders: rec } = fixture;
    // ~60 alerts fan out to ~250 jobs: enough for threads, incidents and resolves, light enough
    // for a 2-core runner that hosts client and servers in one process next to other test files.
    const generator = new AlertGenerator(
      { ratePerSecond: 40, seed: 7, maxActive: 12, renotifyShare: 0.15 },
      (alert) => pipeline.submit(alert),
    );
    generator.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    generator.stop();
    expect(await pipeline.workers.drain(8_000)).toBe(true);

    // Every accepted submission became exactly one succeeded job.
    const accepted = rec.count('queue.recordSubmission');
    expect(generator.emitted).toBeGreaterThanOrEqual(50);
    expect(rec.named('queue.recordSubmission').every((call) => call.args[1] === 'accepted')).toBe(
      true,
    );
    expect(rec.count('queue.recordJob')).toBe(accepted);
    expect(rec.named('queue.recordJob').every((call) => call.args[2] === 'succeeded')).toBe(true);
    expect(pipeline.totals).toEqual({ succeeded: accepted, failed: 0, dlq: 0 });
    expect(rec.count('discovery.recordLookup', 'get', 'found')).toBe(accepted);
    const jobsFor = (target: string) => rec.count('queue.recordJob', target);

    // Slack: one message per job; re-notifications and resolutions thread under the first message.
    const slack = fixture.server('slack-alerts') as FakeSlackServer;
    const oncall = fixture.server('slack-oncall') as FakeSlackServer;
    expect(slack.messages).toHaveLength(jobsFor('slack-alerts'));
    expect(oncall.messages).toHaveLength(jobsFor('slack-oncall'));
    const threadReplies = slack.threadReplies + oncall.threadReplies;
    expect(threadReplies).toBeGreaterThan(0);
    expect(rec.count('publisher.recordSlackThreadReply')).toBe(threadReplies);
    expect(rec.count('publisher.recordSlackCacheLookup', true)).toBe(threadReplies);
    expect(rec.count('publisher.recordSlackCacheLookup')).toBe(
      jobsFor('slack-alerts') + jobsFor('slack-oncall'),
    );
    expect(rec.count('publisher.recordRequest', 'slack', 'slack-alerts', 200)).toBe(
      jobsFor('slack-alerts'),
    );

    // Rootly: one incident per firing alert seen, resolved ones marked resolved on the server.
    const rootly = fixture.server('rootly-incidents') as FakeRootlyServer;
    const incidents = [...rootly.incidents.values()];
    expect(incidents.length).toBeGreaterThan(0);
    expect(rec.count('publisher.recordRootlyIncident', 'created')).toBe(incidents.length);
    expect(rec.count('publisher.recordRootlyIncident', 'resolved')).toBe(
      incidents.filter((i) => i.status === 'resolved').length,
    );
    expect(rec.last('publisher.setRootlyActiveIncidents')).toBe(rootly.openIncidents);

    // PagerDuty (critical only): trigger and resolve events, 202 each.
    const pagerduty = fixture.server('pagerduty-primary') as FakePagerDutyServer;
    const actions = pagerduty.events.map((event) => event.action);
    expect(actions.length).toBe(jobsFor('pagerduty-primary'));
    expect(rec.count('publisher.recordPagerDutyEvent', 'trigger')).toBe(
      actions.filter((a) => a === 'trigger').length,
    );
    expect(rec.count('publisher.recordPagerDutyEvent', 'resolve')).toBe(
      actions.filter((a) => a === 'resolve').length,
    );
    expect(rec.count('publisher.recordPagerDutyEvent', 'resolve')).toBeGreaterThan(0);
    expect(rec.count('publisher.recordRequest', 'pagerduty', 'pagerduty-primary', 202)).toBe(
      actions.length,
    );

    // Webhooks: the receiver saw every payload, byte for byte; basic auth accepted.
    for (const name of ['webhook-audit', 'webhook-ticketing']) {
      const webhook = fixture.server(name) as FakeWebhookServer;
      const recorded = rec
        .named('publisher.recordWebhookPayload', name)
        .map((call) => call.args[1] as number);
      expect(recorded.length).toBe(jobsFor(name));
      expect(webhook.totalReceived).toBe(recorded.length);
      expect(recorded.reduce((a, b) => a + b, 0)).toBe(
        webhook.payloadBytes.reduce((a, b) => a + b, 0),
      );
    }
    expect(rec.count('publisher.recordWebhookAuthFailure')).toBe(0);
    expect(rec.count('publisher.recordError')).toBe(0);

    // The ports agree.
    const stats = pipeline.ports.queue.getStats() as ReturnType<typeof pipeline.queueStats>;
    expect(stats.priorities).toEqual({
      high: { size: 0, capacity: 500 },
      medium: { size: 0, capacity: 1_000 },
      low: { size: 0, capacity: 2_000 },
    });
    expect([stats.workersActive, stats.workersIdle]).toEqual([0, 8]);
    expect(Object.values(stats.circuitBreakers)).toEqual(Array(6).fill('closed'));
    expect(Object.values(stats.dlqSize)).toEqual(Array(6).fill(0));
    expect(pipeline.discovery.getStats()).toMatchObject({
      totalTargets: 6,
      validTargets: 6,
      invalidTargets: 0,
      discoveryErrors: 0,
    });
    expect(rec.count('discovery.recordSecret', 'inline')).toBe(5);
    await waitFor(
      () => pipeline.health.getHealth().every((h) => h.status === 'healthy'),
      5_000,
      'all targets healthy',
    );
  });

  it('a target that goes down opens its circuit and fills its DLQ; replay delivers after recovery', async () => {
    fixture = await startPipeline(
      [{ name: 'hook', type: 'webhook', url: 'builtin:webhook/down' }],
      { workers: 1 },
    );
    const { pipeline, recorders: rec } = fixture;
    const webhook = fixture.server('hook') as FakeWebhookServer;
    await webhook.goDown();
    const generator = new AlertGenerator({ ratePerSecond: 0, seed: 3 }, () => undefined);
    for (let i = 0; i < 5; i++) pipeline.submit(generator.next());
    expect(await pipeline.workers.drain(5_000)).toBe(true);

    // First job: 3 refused attempts (2 retries) open the breaker; the other 4 fail fast without a request.
    expect(rec.count('publisher.recordRequest', 'webhook', 'hook', 'error')).toBe(3);
    expect(rec.count('publisher.recordError', 'webhook', 'hook', 'network')).toBe(3);
    expect(rec.count('queue.recordRetry', 'hook', 'transient')).toBe(2);
    expect(rec.named('queue.recordCircuitTransition').map((call) => call.args)).toEqual([
      ['hook', 'closed', 'open'],
    ]);
    expect(rec.count('queue.recordDlqWrite', 'hook', 'transient')).toBe(5);
    expect(rec.named('queue.recordJob').map((call) => call.args[2])).toEqual([
      'dlq',
      'dlq',
      'dlq',
      'dlq',
      'dlq',
    ]);
    const stats = pipeline.queueStats();
    expect(stats.circuitBreakers).toEqual({ hook: 'open' });
    expect(stats.dlqSize).toEqual({ hook: 5 });
    await waitFor(
      () => pipeline.health.statusOf('hook')?.status === 'unhealthy',
      5_000,
      'hook unhealthy',
    );
    expect(pipeline.health.statusOf('hook')?.consecutiveFailures).toBeGreaterThanOrEqual(3);

    await webhook.comeUp();
    await new Promise((resolve) => setTimeout(resolve, 320)); // breaker cool-down
    await pipeline.replayDlq();
    expect(rec.count('queue.recordDlqReplay', 'hook', 'success')).toBe(5);
    expect(webhook.totalReceived).toBe(5);
    expect(pipeline.queueStats()).toMatchObject({
      circuitBreakers: { hook: 'closed' },
      dlqSize: { hook: 0 },
      dlqOldestEntryAgeSeconds: 0,
    });
    expect(rec.named('queue.recordCircuitTransition').map((call) => call.args.slice(1))).toEqual([
      ['closed', 'open'],
      ['open', 'half_open'],
      ['half_open', 'closed'],
    ]);
    await waitFor(
      () => pipeline.health.statusOf('hook')?.status === 'healthy',
      5_000,
      'hook healthy again',
    );
  });

  it('rejected credentials park jobs in the DLQ as permanent and count webhook auth failures', async () => {
    fixture = await startPipeline(
      [
        {
          name: 'secured',
          type: 'webhook',
          url: 'builtin:webhook/auth',
          auth: { type: 'bearer', token: 'right' },
        },
      ],
      { workers: 1 },
    );
    const { pipeline, recorders: rec } = fixture;
    fixture.server('secured').setFailure({ kind: 'auth_failure', status: 403 });
    const generator = new AlertGenerator({ ratePerSecond: 0, seed: 4 }, () => undefined);
    pipeline.submit(generator.next());
    pipeline.submit(generator.next());
    expect(await pipeline.workers.drain(3_000)).toBe(true);
    expect(rec.count('publisher.recordRequest', 'webhook', 'secured', 403)).toBe(2);
    expect(rec.count('publisher.recordWebhookAuthFailure', 'secured', 'bearer')).toBe(2);
    expect(rec.count('queue.recordRetry')).toBe(0);
    expect(rec.count('queue.recordDlqWrite', 'secured', 'permanent')).toBe(2);
    // An answer, even a refusal, means the target is up: the breaker stays closed.
    expect(pipeline.queueStats().circuitBreakers).toEqual({ secured: 'closed' });

    // instrument() swaps the recorders every component reports through (how telemetry gets wired).
    const wired = new RecordingRecorders();
    pipeline.instrument(wired);
    pipeline.submit(generator.next());
    expect(await pipeline.workers.drain(3_000)).toBe(true);
    expect(wired.count('queue.recordDlqWrite', 'secured', 'permanent')).toBe(1);
    expect(wired.count('publisher.recordWebhookAuthFailure', 'secured', 'bearer')).toBe(1);
    expect(rec.count('queue.recordDlqWrite')).toBe(2);
  });
});
