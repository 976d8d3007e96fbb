import { describe, expect, it } from 'vitest';
import { PublishingMetricsCollector } from '../../src/index.js';

/**
 * Hosts pass recorder methods around as callbacks (`const { recordJob } = collector.queue`,
 * `queue.on('done', collector.queue.recordJob)`): each must work without its object.
 */
describe('recorder methods work detached from their recorder', () => {
  it('every public queue, publisher, refresh and discovery method records when called detached', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const {
      recordSubmission,
      recordJob,
      recordRetry,
      recordCircuitTransition,
      recordDlqWrite,
      recordDlqReplay,
    } = pm.queue;
    const {
      recordRequest,
      recordError,
      recordRateLimitHit,
      recordSlackCacheLookup,
      recordSlackThreadReply,
      setSlackCacheSize,
      recordRootlyIncident,
      setRootlyActiveIncidents,
      recordPagerDutyEvent,
      recordWebhookPayload,
      recordWebhookAuthFailure,
    } = pm.publisher;
    const { recordRefresh } = pm.refresh;
    const {
      recordDiscovery,
      recordError: recordDiscoveryError,
      recordSecret,
      recordLookup,
    } = pm.discovery;

    recordSubmission('high', 'accepted');
    recordJob('hook', 'high', 'succeeded', 0.2, 0.01);
    recordRetry('hook', 'transient');
    recordCircuitTransition('hook', 'closed', 'open');
    recordDlqWrite('hook', 'permanent');
    recordDlqReplay('hook', 'success');
    recordRequest('webhook', 'hook', 503, 0.3);
    recordError('webhook', 'hook', 'serverError');
    recordRateLimitHit('webhook', 'hook');
    recordSlackCacheLookup(true);
    recordSlackThreadReply();
    setSlackCacheSize(12);
    recordRootlyIncident('created');
    setRootlyActiveIncidents(2);
    recordPagerDutyEvent('trigger');
    recordWebhookPayload('hook', 2048);
    recordWebhookAuthFailure('hook', 'bearer');
    recordRefresh('success', 1.5);
    recordDiscovery('load', 0.05);
    recordDiscoveryError('parse');
    recordSecret('found');
    recordLookup('get', 'found');

    const snap = await pm.collectAll();
    const hook = { target: 'hook' };
    expect(snap.get('queue_submissions_total', { priority: 'high', result: 'accepted' })).toBe(1);
    expect(snap.get('jobs_processed_total', { ...hook, state: 'succeeded' })).toBe(1);
    expect(snap.histogram('job_duration_seconds', { ...hook, priority: 'high' })!.count).toBe(1);
    expect(snap.get('retry_attempts_total', { ...hook, error_type: 'transient' })).toBe(1);
    expect(snap.get('circuit_breaker_trips_total', hook)).toBe(1);
    expect(snap.get('dlq_writes_total', { ...hook, error_type: 'permanent' })).toBe(1);
    expect(snap.get('dlq_replays_total', { ...hook, result: 'success' })).toBe(1);
    const pub = { publisher: 'webhook', target: 'hook' };
    expect(snap.get('publisher_requests_total', { ...pub, status: '5xx' })).toBe(1);
    expect(snap.get('publisher_errors_total', { ...pub, reason: 'serverError' })).toBe(1);
    expect(snap.get('publisher_rate_limit_hits_total', pub)).toBe(1);
    expect(snap.get('slack_cache_hits_total')).toBe(1);
    expect(snap.get('slack_thread_replies_total')).toBe(1);
    expect(snap.get('slack_cache_size')).toBe(12);
    expect(snap.get('rootly_incidents_total', { action: 'created' })).toBe(1);
    expect(snap.get('rootly_active_incidents')).toBe(2);
    expect(snap.get('pagerduty_events_total', { action: 'trigger' })).toBe(1);
    expect(snap.histogram('webhook_payload_size_bytes', hook)!.count).toBe(1);
    expect(snap.get('webhook_auth_failures_total', { ...hook, auth_type: 'bearer' })).toBe(1);
    expect(snap.get('refresh_total', { status: 'success' })).toBe(1);
    expect(snap.histogram('discovery_duration_seconds', { operation: 'load' })!.count).toBe(1);
    expect(snap.get('discovery_errors_total', { error_type: 'parse' })).toBe(1);
    expect(snap.get('discovery_secrets_total', { status: 'found' })).toBe(1);
    expect(snap.get('target_lookups_total', { operation: 'get', status: 'found' })).toBe(1);
    expect(snap.sum('recorder_rejected_total')).toBe(0);
    await pm.shutdown();
  });
});
