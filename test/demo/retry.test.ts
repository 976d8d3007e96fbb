/**
 * Retries over real HTTP: a 429's Retry-After is honoured, a Retry-After beyond the cap ends the
 * retries, permanent errors are not retried, and backoff doubles.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf, type Alert } from '../../examples/alert-publisher/pipeline/alert.js';
import {
  backoffDelayMs,
  withRetries,
  type RetryPolicy,
} from '../../examples/alert-publisher/pipeline/retry.js';
import { PublishError } from '../../examples/alert-publisher/publishers/publish-error.js';
import { RootlyIncidents } from '../../examples/alert-publisher/publishers/rootly-incidents.js';
import { SlackMessageCache } from '../../examples/alert-publisher/publishers/slack-message-cache.js';
import { SlackPublisher } from '../../examples/alert-publisher/publishers/slack.js';
import { FakeSlackServer } from '../../examples/alert-publisher/targets/slack.js';
import { RecordingRecorders } from './recording-recorders.js';

const policy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
  random: () => 0.5,
};

const labels = { alertname: 'NodeDown', severity: 'critical' as const, instance: 'node-01:9100' };
const alert: Alert = {
  status: 'firing',
  labels,
  annotations: { summary: 'down', description: 'down' },
  startsAt: new Date().toISOString(),
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: fingerprintOf(labels),
};

let slack: FakeSlackServer;
afterEach(() => slack.stop());

async function setup() {
  slack = await new FakeSlackServer().start();
  const recorders = new RecordingRecorders();
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
      slackCache: new SlackMessageCache(recorders),
      rootlyIncidents: new RootlyIncidents(recorders),
    },
  );
  const retries: { errorType: string; delayMs: number }[] = [];
  const publish = () =>
    withRetries(
      () => publisher.publish(alert),
      policy,
      (error, delayMs) => retries.push({ errorType: error.errorType, delayMs }),
    );
  return { recorders, publish, retries };
}

describe('retries', () => {
  it('waits for Retry-After (1 s) after a 429 before the next attempt', async () => {
    const { recorders, publish, retries } = await setup();
    slack.setFailure({ kind: 'rate_limited', retryAfterSeconds: 1, remaining: 1 });
    const t0 = performance.now();
    await publish();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(3_000); // no second Retry-After wait or backoff on top
    expect(retries).toEqual([{ errorType: 'transient', delayMs: 1_000 }]);
    expect(slack.requestCount).toBe(2);
    expect(slack.messages).toHaveLength(1);
    expect(recorders.count('publisher.recordRateLimitHit', 'slack', 'slack-test')).toBe(1);
    expect(recorders.count('publisher.recordError', 'slack', 'slack-test', 'rateLimited')).toBe(1);
    expect(recorders.named('publisher.recordRequest').map((call) => call.args[2])).toEqual([
      429, 200,
    ]);
  });

  it('gives up at once when Retry-After exceeds the cap', async () => {
    const { publish, retries } = await setup();
    slack.setFailure({ kind: 'rate_limited', retryAfterSeconds: 60, remaining: Infinity });
    const error = await publish().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).reason).toBe('rateLimited');
    expect((error as PublishError).retryAfterMs).toBe(60_000);
    expect(retries).toEqual([]);
    expect(slack.requestCount).toBe(1);
  });

  it('does not retry a permanent (auth) error', async () => {
    const { recorders, publish } = await setup();
    slack.setFailure({ kind: 'auth_failure', status: 401 });
    const error = (await publish().catch((e: unknown) => e)) as PublishError;
    expect([error.reason, error.errorType]).toEqual(['authError', 'permanent']);
    expect(slack.requestCount).toBe(1);
    expect(recorders.count('publisher.recordError', 'slack', 'slack-test', 'authError')).toBe(1);
  });

  it('retries a 5xx burst with doubling backoff until the attempts run out', async () => {
    const { publish, retries } = await setup();
    slack.setFailure({ kind: 'server_error', status: 502, remaining: 5 });
    const error = (await publish().catch((e: unknown) => e)) as PublishError;
    expect([error.reason, error.status]).toEqual(['serverError', 502]);
    expect(retries).toEqual([
      { errorType: 'transient', delayMs: 10 },
      { errorType: 'transient', delayMs: 20 },
    ]);
    expect(slack.requestCount).toBe(3);
    expect(backoffDelayMs({ ...policy, baseDelayMs: 400 }, 4)).toBe(1_000); // 3 200 ms capped at maxDelayMs
  });
});
