import { describe, expect, it } from 'vitest';
import {
  DiscoveryCollector,
  HealthCollector,
  OVERFLOW_TARGET,
  PublishingMetricsCollector,
  QueueCollector,
  UNKNOWN_TYPE,
  type QueueStats,
} from '../../src/index.js';
import { targetHealth } from '../support/fakes.js';
import { FakeDiscovery, prometheusReader, queueStats, target } from './fakes.js';

describe('target cardinality cap', () => {
  it('folds targets beyond maxTargets into __overflow__ and counts them', async () => {
    const pm = new PublishingMetricsCollector({ maxTargets: 3 });
    for (const t of ['a', 'b', 'c', 'd', 'e']) {
      pm.queue.recordJob(t, 'high', 'succeeded', 0.1, 0);
      pm.publisher.recordRequest('webhook', t, 200, 0.1);
    }
    pm.queue.recordJob('e', 'high', 'failed', 0.1, 0);
    const snap = await pm.collectAll();
    const targets = new Set(snap.series('jobs_processed_total').map((s) => s.labels['target']));
    expect(targets).toEqual(new Set(['a', 'b', 'c', OVERFLOW_TARGET]));
    expect(snap.get('jobs_processed_total', { target: OVERFLOW_TARGET, state: 'succeeded' })).toBe(
      2,
    );
    expect(snap.get('jobs_processed_total', { target: OVERFLOW_TARGET, state: 'failed' })).toBe(1);
    expect(
      snap.get('publisher_requests_total', {
        publisher: 'webhook',
        target: OVERFLOW_TARGET,
        status: '2xx',
      }),
    ).toBe(2);
    expect(pm.targets.overflowedTargets).toBe(2);
    await pm.shutdown();
  });

  it('shares the cap between port collectors and recorders', async () => {
    const pm = new PublishingMetricsCollector({ maxTargets: 2 });
    pm.registerCollector(
      new QueueCollector({
        getStats: () => queueStats({ dlqSize: { a: 1, b: 2, c: 3, d: 4 }, circuitBreakers: {} }),
      }),
    );
    const snap = await pm.collectAll();
    expect(snap.get('dlq_size', { target: 'a' })).toBe(1);
    expect(snap.get('dlq_size', { target: 'b' })).toBe(2);
    // DLQ sizes of folded targets add up.
    expect(snap.get('dlq_size', { target: OVERFLOW_TARGET })).toBe(7);
    pm.queue.recordDlqWrite('c', 'transient');
    const next = await pm.collectAll();
    expect(next.get('dlq_writes_total', { target: OVERFLOW_TARGET, error_type: 'transient' })).toBe(
      1,
    );
    expect(next.series('dlq_writes_total', { target: 'c' })).toEqual([]);
    await pm.shutdown();
  });

  it('gives a freed place to the next new target', async () => {
    const pm = new PublishingMetricsCollector({ maxTargets: 1 });
    pm.queue.recordRetry('first', 'transient');
    pm.forgetTarget('first');
    pm.queue.recordRetry('second', 'transient');
    const snap = await pm.collectAll();
    expect(snap.get('retry_attempts_total', { target: 'second', error_type: 'transient' })).toBe(1);
    expect(snap.series('retry_attempts_total', { target: OVERFLOW_TARGET })).toEqual([]);
    await pm.shutdown();
  });
});

describe("targetLabel: 'type'", () => {
  function typeMode() {
    const pm = new PublishingMetricsCollector({ targetLabel: 'type', meterProvider: false });
    const prometheus = prometheusReader(pm);
    return { pm, prometheus };
  }

  it('keys queue and publisher series by target type, without any target label', async () => {
    const { pm, prometheus } = typeMode();
    let stats: QueueStats = queueStats({
      dlqSize: { 'slack-a': 1, 'slack-b': 2, hook: 4 },
      circuitBreakers: { 'slack-a': 'closed', 'slack-b': 'open', hook: 'half_open' },
    });
    pm.registerCollector(
      new DiscoveryCollector(
        new FakeDiscovery([
          target('slack-a', 'slack'),
          target('slack-b', 'slack'),
          target('hook', 'webhook'),
        ]),
      ),
    );
    pm.registerCollector(new QueueCollector({ getStats: () => stats }));
    await pm.collectAll(); // learns the types

    pm.queue.recordJob('slack-a', 'high', 'succeeded', 0.1, 0.01);
    pm.queue.recordJob('slack-b', 'high', 'succeeded', 0.3, 0.01);
    pm.queue.recordJob('hook', 'low', 'dlq', 1, 0.5);
    pm.queue.recordRetry('slack-b', 'transient');
    pm.publisher.recordRequest('slack', 'slack-a', 200, 0.1);
    pm.publisher.recordRequest('slack', 'slack-b', 500, 0.1);
    pm.publisher.recordError('slack', 'slack-b', 'serverError');
    pm.publisher.recordWebhookPayload('hook', 300);
    pm.publisher.recordWebhookAuthFailure('hook', 'basic');
    const snap = await pm.collectAll();

    expect(snap.get('jobs_processed_total', { type: 'slack', state: 'succeeded' })).toBe(2);
    expect(snap.get('jobs_processed_total', { type: 'webhook', state: 'dlq' })).toBe(1);
    expect(snap.histogram('job_duration_seconds', { type: 'slack', priority: 'high' })!.count).toBe(
      2,
    );
    expect(snap.get('retry_attempts_total', { type: 'slack', error_type: 'transient' })).toBe(1);
    expect(snap.get('publisher_requests_total', { publisher: 'slack', status: '2xx' })).toBe(1);
    expect(snap.get('publisher_requests_total', { publisher: 'slack', status: '5xx' })).toBe(1);
    expect(snap.get('publisher_errors_total', { publisher: 'slack', reason: 'serverError' })).toBe(
      1,
    );
    expect(
      snap.histogram('publisher_request_duration_seconds', { publisher: 'slack' })!.count,
    ).toBe(2);
    expect(snap.histogram('webhook_payload_size_bytes', { type: 'webhook' })!.sum).toBe(300);
    expect(snap.get('webhook_auth_failures_total', { type: 'webhook', auth_type: 'basic' })).toBe(
      1,
    );
    // Port gauges fold the targets of a type: DLQ sizes add up, the worst breaker state wins.
    expect(snap.get('dlq_size', { type: 'slack' })).toBe(3);
    expect(snap.get('dlq_size', { type: 'webhook' })).toBe(4);
    expect(snap.get('circuit_breaker_state', { type: 'slack' })).toBe(2);
    expect(snap.get('circuit_breaker_state', { type: 'webhook' })).toBe(1);

    for (const family of snap.families.values()) {
      for (const s of family.series) expect(s.labels, family.name).not.toHaveProperty('target');
    }
    const text = await prometheus.text();
    expect(text).not.toMatch(/[{,]target="/);
    expect(text).toMatch(/dlq_size\{type="slack".*\} 3/);

    // A type whose targets all left the queue stops being reported.
    stats = queueStats({ dlqSize: { hook: 4 }, circuitBreakers: { hook: 'half_open' } });
    const after = await pm.collectAll();
    expect(after.get('dlq_size', { type: 'slack' })).toBeUndefined();
    expect(after.get('dlq_size', { type: 'webhook' })).toBe(4);
    // Counters of the type stay: other targets of that type may still deliver.
    expect(after.get('jobs_processed_total', { type: 'slack', state: 'succeeded' })).toBe(2);
    await pm.shutdown();
  });

  it('drops target from health metrics and keeps the worst value per type', async () => {
    const { pm } = typeMode();
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [
          targetHealth('a', { targetType: 'slack', status: 'healthy', successRate: 0.99 }),
          targetHealth('b', {
            targetType: 'slack',
            status: 'unhealthy',
            successRate: 0.5,
            consecutiveFailures: 4,
          }),
        ],
      }),
    );
    const snap = await pm.collectAll();
    expect(snap.get('target_health_status', { type: 'slack' })).toBe(3);
    expect(snap.get('target_success_rate', { type: 'slack' })).toBe(0.5);
    expect(snap.get('target_consecutive_failures', { type: 'slack' })).toBe(4);
    expect(snap.get('targets_by_health', { status: 'unhealthy' })).toBe(1);
    await pm.shutdown();
  });

  it('counts a target of no known type as unknown, and uses the publisher name as a fallback type', async () => {
    const { pm } = typeMode();
    pm.queue.recordJob('mystery', 'medium', 'failed', 0.2, 0.1);
    pm.publisher.recordRequest('pagerduty', 'pd-1', 200, 0.1);
    pm.queue.recordJob('pd-1', 'medium', 'succeeded', 0.2, 0.1);
    const snap = await pm.collectAll();
    expect(snap.get('jobs_processed_total', { type: UNKNOWN_TYPE, state: 'failed' })).toBe(1);
    expect(snap.get('jobs_processed_total', { type: 'pagerduty', state: 'succeeded' })).toBe(1);
    await pm.shutdown();
  });

  it('rejects an unknown targetLabel option', () => {
    expect(() => new PublishingMetricsCollector({ targetLabel: 'name' as never })).toThrow(
      /targetLabel/,
    );
  });
});
