import { describe, expect, it } from 'vitest';
import {
  DELIVERY_BUCKETS,
  HealthCollector,
  PAYLOAD_BUCKETS,
  PUBLISHER_ERROR_REASONS,
  PublishingMetricsCollector,
  classifyPublishError,
  type PublisherErrorReason,
} from '../../src/index.js';
import { targetHealth } from '../support/fakes.js';
import { prometheusReader, sample } from './fakes.js';

const NS = 'alert_history_publishing';

function errorWith(props: Record<string, unknown>, message = 'failed'): Error {
  return Object.assign(new Error(message), props);
}

describe('publisher error reasons', () => {
  const table: Array<[string, unknown, PublisherErrorReason | undefined]> = [
    ['200', 200, undefined],
    ['204', 204, undefined],
    ['301', 301, undefined],
    ['400', 400, 'clientError'],
    ['401', 401, 'authError'],
    ['403', 403, 'authError'],
    ['404', 404, 'clientError'],
    ['413', 413, 'clientError'],
    ['429', 429, 'rateLimited'],
    ['500', 500, 'serverError'],
    ['502', 502, 'serverError'],
    ['503', 503, 'serverError'],
    ['NaN', Number.NaN, undefined],
    ['AbortError', errorWith({ name: 'AbortError' }), 'timeout'],
    ['TimeoutError', errorWith({ name: 'TimeoutError' }), 'timeout'],
    ['ETIMEDOUT', errorWith({ code: 'ETIMEDOUT' }), 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', errorWith({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', errorWith({ code: 'UND_ERR_CONNECT_TIMEOUT' }), 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', errorWith({ code: 'UND_ERR_BODY_TIMEOUT' }), 'timeout'],
    ['ECONNREFUSED', errorWith({ code: 'ECONNREFUSED' }), 'network'],
    ['ECONNRESET', errorWith({ code: 'ECONNRESET' }), 'network'],
    ['ENOTFOUND', errorWith({ code: 'ENOTFOUND' }), 'network'],
    ['EAI_AGAIN', errorWith({ code: 'EAI_AGAIN' }), 'network'],
    ['EPIPE', errorWith({ code: 'EPIPE' }), 'network'],
    ['socket hang up', new Error('socket hang up'), 'network'],
    [
      'fetch failed caused by ECONNREFUSED',
      new TypeError('fetch failed', { cause: errorWith({ code: 'ECONNREFUSED' }) }),
      'network',
    ],
    [
      'fetch failed caused by a connect timeout',
      new TypeError('fetch failed', { cause: errorWith({ code: 'UND_ERR_CONNECT_TIMEOUT' }) }),
      'timeout',
    ],
    ['SyntaxError', new SyntaxError('Unexpected token < in JSON at position 0'), 'format'],
    ['JSON message', new Error('invalid JSON in response body'), 'format'],
    ['error with HTTP status', errorWith({ statusCode: 403 }), 'authError'],
    ['anything else thrown', new Error('boom'), 'network'],
    ['a thrown string', 'boom', 'network'],
    ['undefined', undefined, undefined],
    ['null', null, undefined],
  ];
  it.each(table)('%s → %s', (_name, input, reason) => {
    expect(classifyPublishError(input)).toBe(reason);
  });
});

describe('publisher recorder', () => {
  it('counts requests by status class and times them', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    const p = pm.publisher;
    p.recordRequest('slack', 'slack-ops', 200, 0.1);
    p.recordRequest('slack', 'slack-ops', 201, 0.2);
    p.recordRequest('slack', 'slack-ops', 302, 0.05);
    p.recordRequest('slack', 'slack-ops', 404, 0.05);
    p.recordRequest('slack', 'slack-ops', 503, 2);
    p.recordRequest('slack', 'slack-ops', 'error', 30);
    const snap = await pm.collectAll();
    const labels = { publisher: 'slack', target: 'slack-ops' };
    expect(snap.get('publisher_requests_total', { ...labels, status: '2xx' })).toBe(2);
    expect(snap.get('publisher_requests_total', { ...labels, status: '3xx' })).toBe(1);
    expect(snap.get('publisher_requests_total', { ...labels, status: '4xx' })).toBe(1);
    expect(snap.get('publisher_requests_total', { ...labels, status: '5xx' })).toBe(1);
    expect(snap.get('publisher_requests_total', { ...labels, status: 'error' })).toBe(1);
    const h = snap.histogram('publisher_request_duration_seconds', labels)!;
    expect(h.boundaries).toEqual(DELIVERY_BUCKETS);
    expect(h.count).toBe(6);
    expect(h.sum).toBeCloseTo(32.4, 12);
    expect(h.buckets.find((b) => b.le === '0.1')!.count).toBe(3);
    expect(h.buckets.find((b) => b.le === '30')!.count).toBe(6);

    const text = await prometheus.text();
    expect(sample(text, `${NS}_publisher_requests_total`, { ...labels, status: '2xx' })).toBe(2);
    expect(sample(text, `${NS}_publisher_request_duration_seconds_count`, labels)).toBe(6);
    await pm.shutdown();
  });

  it('counts errors by reason and rate-limit hits, every reason starting at 0', async () => {
    const pm = new PublishingMetricsCollector();
    const p = pm.publisher;
    p.recordError('rootly', 'rootly-prod', 'serverError');
    p.recordError('rootly', 'rootly-prod', 'rateLimited');
    p.recordRateLimitHit('rootly', 'rootly-prod');
    p.recordError('rootly', 'rootly-prod', classifyPublishError(401)!);
    const snap = await pm.collectAll();
    const labels = { publisher: 'rootly', target: 'rootly-prod' };
    const byReason = Object.fromEntries(
      PUBLISHER_ERROR_REASONS.map((reason) => [
        reason,
        snap.get('publisher_errors_total', { ...labels, reason }),
      ]),
    );
    expect(byReason).toEqual({
      clientError: 0,
      serverError: 1,
      authError: 1,
      rateLimited: 1,
      timeout: 0,
      network: 0,
      format: 0,
    });
    expect(snap.get('publisher_rate_limit_hits_total', labels)).toBe(1);
    // All status classes exist from the first event on.
    expect(snap.get('publisher_requests_total', { ...labels, status: '5xx' })).toBe(0);
    await pm.shutdown();
  });

  it('records Slack cache, thread replies and cache size', async () => {
    const pm = new PublishingMetricsCollector();
    const p = pm.publisher;
    p.recordSlackCacheLookup(true);
    p.recordSlackCacheLookup(true);
    p.recordSlackCacheLookup(false);
    p.recordSlackThreadReply();
    p.setSlackCacheSize(17);
    const snap = await pm.collectAll();
    expect(snap.get('slack_cache_hits_total')).toBe(2);
    expect(snap.get('slack_cache_misses_total')).toBe(1);
    expect(snap.get('slack_thread_replies_total')).toBe(1);
    expect(snap.get('slack_cache_size')).toBe(17);
    p.setSlackCacheSize(3);
    expect((await pm.collectAll()).get('slack_cache_size')).toBe(3);
    await pm.shutdown();
  });

  it('records Rootly incidents and PagerDuty events by action, all actions starting at 0', async () => {
    const pm = new PublishingMetricsCollector();
    const p = pm.publisher;
    expect((await pm.collectAll()).get('rootly_incidents_total', { action: 'resolved' })).toBe(0);
    p.recordRootlyIncident('created');
    p.recordRootlyIncident('created');
    p.recordRootlyIncident('resolved');
    p.setRootlyActiveIncidents(1);
    p.recordPagerDutyEvent('trigger');
    p.recordPagerDutyEvent('resolve');
    p.recordPagerDutyEvent('resolve');
    const snap = await pm.collectAll();
    expect(snap.get('rootly_incidents_total', { action: 'created' })).toBe(2);
    expect(snap.get('rootly_incidents_total', { action: 'updated' })).toBe(0);
    expect(snap.get('rootly_incidents_total', { action: 'resolved' })).toBe(1);
    expect(snap.get('rootly_active_incidents')).toBe(1);
    expect(snap.get('pagerduty_events_total', { action: 'trigger' })).toBe(1);
    expect(snap.get('pagerduty_events_total', { action: 'resolve' })).toBe(2);
    expect(snap.get('pagerduty_events_total', { action: 'acknowledge' })).toBe(0);
    expect(snap.get('pagerduty_events_total', { action: 'change' })).toBe(0);
    await pm.shutdown();
  });

  it('records webhook payload sizes and auth failures per target', async () => {
    const pm = new PublishingMetricsCollector();
    const p = pm.publisher;
    for (const bytes of [100, 1000, 5000, 2_000_000]) p.recordWebhookPayload('audit', bytes);
    p.recordWebhookAuthFailure('audit', 'bearer');
    p.recordWebhookAuthFailure('audit', 'bearer');
    p.recordWebhookAuthFailure('audit', 'hmac');
    const snap = await pm.collectAll();
    const h = snap.histogram('webhook_payload_size_bytes', { target: 'audit' })!;
    expect(h.boundaries).toEqual(PAYLOAD_BUCKETS);
    expect(h.count).toBe(4);
    expect(h.sum).toBe(2_006_100);
    expect(h.buckets.map((b) => b.count)).toEqual([1, 2, 2, 3, 3, 3, 3, 4]);
    expect(snap.get('webhook_auth_failures_total', { target: 'audit', auth_type: 'bearer' })).toBe(
      2,
    );
    expect(snap.get('webhook_auth_failures_total', { target: 'audit', auth_type: 'hmac' })).toBe(1);
    await pm.shutdown();
  });

  it('counts invalid statuses, reasons, actions and sizes as rejected', async () => {
    const pm = new PublishingMetricsCollector();
    const p = pm.publisher;
    p.recordRequest('slack', 'a', 102, 0.1);
    p.recordRequest('slack', 'a', 700, 0.1);
    p.recordRequest('slack', 'a', 200, Number.POSITIVE_INFINITY); // counted, duration rejected
    p.recordRequest('', 'a', 200, 0.1);
    p.recordError('slack', 'a', 'gremlins' as never);
    p.recordRootlyIncident('deleted' as never);
    p.recordPagerDutyEvent('snooze' as never);
    p.recordWebhookPayload('a', -1);
    p.setSlackCacheSize(Number.NaN);
    expect(p.rejectedValues).toBe(9);
    const snap = await pm.collectAll();
    expect(snap.sum('publisher_requests_total', { target: 'a' })).toBe(1);
    expect(
      snap.histogram('publisher_request_duration_seconds', { publisher: 'slack', target: 'a' })!
        .count,
    ).toBe(0);
    expect(snap.sum('publisher_errors_total')).toBe(0);
    await pm.shutdown();
  });

  it('zero-initialises a target reported by the health monitor, with publisher = its type', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [
          targetHealth('hook', { targetType: 'webhook' }),
          targetHealth('ops', { targetType: 'slack' }),
        ],
      }),
    );
    const snap = await pm.collectAll();
    expect(
      snap.get('publisher_requests_total', { publisher: 'slack', target: 'ops', status: '2xx' }),
    ).toBe(0);
    expect(
      snap.series('publisher_errors_total', { publisher: 'webhook', target: 'hook' }),
    ).toHaveLength(7);
    expect(snap.histogram('webhook_payload_size_bytes', { target: 'hook' })!.count).toBe(0);
    expect(snap.histogram('webhook_payload_size_bytes', { target: 'ops' })).toBeUndefined();
    expect(snap.get('retry_attempts_total', { target: 'ops', error_type: 'transient' })).toBe(0);
    await pm.shutdown();
  });

  it('removes a target publisher series once no port reports it', async () => {
    let health = [
      targetHealth('ops', { targetType: 'slack' }),
      targetHealth('old', { targetType: 'slack' }),
    ];
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    pm.registerCollector(new HealthCollector({ getHealth: () => health }));
    pm.publisher.recordRequest('slack', 'old', 200, 0.1);
    pm.publisher.recordRequest('slack', 'ops', 200, 0.1);
    await pm.collectAll();
    expect(await prometheus.text()).toContain('target="old"');

    health = [health[0]!];
    const snap = await pm.collectAll();
    expect(snap.series('publisher_requests_total', { target: 'old' })).toEqual([]);
    expect(snap.histograms('publisher_request_duration_seconds', { target: 'old' })).toEqual([]);
    expect(
      snap.get('publisher_requests_total', { publisher: 'slack', target: 'ops', status: '2xx' }),
    ).toBe(1);
    expect(await prometheus.text()).not.toContain('target="old"');
    await pm.shutdown();
  });
});
