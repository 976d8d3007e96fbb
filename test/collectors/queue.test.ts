import { describe, expect, it } from 'vitest';
import {
  CIRCUIT_STATE_VALUE,
  DELIVERY_BUCKETS,
  PublishingMetricsCollector,
  QueueCollector,
  type QueueStats,
} from '../../src/index.js';
import { prometheusReader, queueStats, sample } from './fakes.js';

const NS = 'alert_history_publishing';

function wired(stats: () => QueueStats) {
  const pm = new PublishingMetricsCollector({ meterProvider: false });
  const prometheus = prometheusReader(pm);
  pm.registerCollector(new QueueCollector({ getStats: stats }));
  return { pm, prometheus };
}

describe('queue collector', () => {
  it('reports depth, capacity, utilization, workers, DLQ and breakers in the snapshot and on /metrics', async () => {
    const { pm, prometheus } = wired(() => queueStats());
    const snap = await pm.collectAll();
    const text = await prometheus.text();

    const expected: Array<[string, Record<string, string>, number]> = [
      ['queue_size', { priority: 'high' }, 3],
      ['queue_size', { priority: 'medium' }, 50],
      ['queue_size', { priority: 'low' }, 0],
      ['queue_capacity', { priority: 'high' }, 100],
      ['queue_capacity', { priority: 'medium' }, 200],
      ['queue_capacity', { priority: 'low' }, 0],
      ['queue_capacity_utilization', { priority: 'high' }, 0.03],
      ['queue_capacity_utilization', { priority: 'medium' }, 0.25],
      // No capacity at all reads as 0, not NaN or a missing series.
      ['queue_capacity_utilization', { priority: 'low' }, 0],
      ['workers_active', {}, 4],
      ['workers_idle', {}, 6],
      ['dlq_size', { target: 'slack-ops' }, 2],
      ['dlq_size', { target: 'webhook-audit' }, 5],
      ['circuit_breaker_state', { target: 'slack-ops' }, 0],
      ['circuit_breaker_state', { target: 'webhook-audit' }, 2],
      ['dlq_oldest_entry_age_seconds', {}, 42],
    ];
    for (const [name, labels, value] of expected) {
      expect(snap.get(name, labels), `${name} ${JSON.stringify(labels)}`).toBe(value);
      expect(sample(text, `${NS}_${name}`, labels), `/metrics ${name}`).toBe(value);
    }
    expect(snap.collectors['queue']).toMatchObject({ ok: true });
    await pm.shutdown();
  });

  it('maps circuit states with the one documented enum: closed 0, half-open 1, open 2', async () => {
    const { pm } = wired(() =>
      queueStats({ circuitBreakers: { a: 'closed', b: 'half_open', c: 'open' }, dlqSize: {} }),
    );
    const snap = await pm.collectAll();
    expect(snap.get('circuit_breaker_state', { target: 'a' })).toBe(CIRCUIT_STATE_VALUE.closed);
    expect(snap.get('circuit_breaker_state', { target: 'b' })).toBe(1);
    expect(snap.get('circuit_breaker_state', { target: 'c' })).toBe(2);
    await pm.shutdown();
  });

  it('reports a DLQ age of 0 when the queue omits it, and drops an unknown circuit state as invalid', async () => {
    const { pm } = wired(() => ({
      ...queueStats({ circuitBreakers: { a: 'melted' as never } }),
      dlqOldestEntryAgeSeconds: undefined,
    }));
    const snap = await pm.collectAll();
    expect(snap.get('dlq_oldest_entry_age_seconds')).toBe(0);
    expect(snap.get('circuit_breaker_state', { target: 'a' })).toBeUndefined();
    expect(snap.collectors['queue']).toMatchObject({ ok: true, invalidValues: 1 });
    await pm.shutdown();
  });

  it('removes the DLQ and breaker series of a target the queue no longer reports', async () => {
    let stats = queueStats();
    const { pm, prometheus } = wired(() => stats);
    pm.queue.recordJob('webhook-audit', 'low', 'failed', 2, 1);
    await pm.collectAll();
    expect(await prometheus.text()).toContain('webhook-audit');

    stats = queueStats({ dlqSize: { 'slack-ops': 2 }, circuitBreakers: { 'slack-ops': 'closed' } });
    const snap = await pm.collectAll();
    const text = await prometheus.text();
    expect([...snap.metrics.keys()].filter((k) => k.includes('webhook-audit'))).toEqual([]);
    expect(text).not.toContain('webhook-audit');
    expect(snap.get('dlq_size', { target: 'slack-ops' })).toBe(2);
    expect(snap.get('jobs_processed_total', { target: 'slack-ops', state: 'succeeded' })).toBe(0);
    await pm.shutdown();
  });
});

describe('queue recorder', () => {
  it('counts submissions by priority and result, starting every combination at 0', async () => {
    const pm = new PublishingMetricsCollector();
    pm.queue.recordSubmission('high', 'accepted');
    pm.queue.recordSubmission('high', 'accepted');
    pm.queue.recordSubmission('low', 'rejected');
    const snap = await pm.collectAll();
    expect(snap.get('queue_submissions_total', { priority: 'high', result: 'accepted' })).toBe(2);
    expect(snap.get('queue_submissions_total', { priority: 'low', result: 'rejected' })).toBe(1);
    expect(snap.get('queue_submissions_total', { priority: 'medium', result: 'accepted' })).toBe(0);
    expect(snap.series('queue_submissions_total')).toHaveLength(6);
    await pm.shutdown();
  });

  it('records finished jobs with duration and wait histograms whose buckets, sum and count match', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    const durations = [0.004, 0.04, 0.3, 0.3, 12, 90];
    for (const d of durations) pm.queue.recordJob('slack-ops', 'high', 'succeeded', d, d / 2);
    pm.queue.recordJob('slack-ops', 'medium', 'failed', 1, 0.5);
    pm.queue.recordJob('slack-ops', 'low', 'dlq', 5, 0.5);

    const snap = await pm.collectAll();
    expect(snap.get('jobs_processed_total', { target: 'slack-ops', state: 'succeeded' })).toBe(6);
    expect(snap.get('jobs_processed_total', { target: 'slack-ops', state: 'failed' })).toBe(1);
    expect(snap.get('jobs_processed_total', { target: 'slack-ops', state: 'dlq' })).toBe(1);

    const h = snap.histogram('job_duration_seconds', { target: 'slack-ops', priority: 'high' })!;
    expect(h.boundaries).toEqual(DELIVERY_BUCKETS);
    expect(h.count).toBe(6);
    expect(h.sum).toBeCloseTo(102.644, 9);
    const cumulative = Object.fromEntries(h.buckets.map((b) => [b.le, b.count]));
    expect(cumulative['0.005']).toBe(1);
    expect(cumulative['0.05']).toBe(2);
    expect(cumulative['0.25']).toBe(2);
    expect(cumulative['0.5']).toBe(4);
    expect(cumulative['15']).toBe(5);
    expect(cumulative['60']).toBe(5);
    expect(cumulative['+Inf']).toBe(6);

    const wait = snap.histogram('job_wait_time_seconds', { priority: 'high' })!;
    expect(wait.count).toBe(6);
    expect(wait.sum).toBeCloseTo(102.644 / 2, 9);
    expect(snap.histogram('job_wait_time_seconds', { priority: 'medium' })!.sum).toBe(0.5);

    const text = await prometheus.text();
    const labels = { target: 'slack-ops', priority: 'high' };
    expect(sample(text, `${NS}_job_duration_seconds_count`, labels)).toBe(6);
    expect(sample(text, `${NS}_job_duration_seconds_bucket`, { ...labels, le: '0.5' })).toBe(4);
    expect(sample(text, `${NS}_job_duration_seconds_bucket`, { ...labels, le: '+Inf' })).toBe(6);
    expect(sample(text, `${NS}_jobs_processed_total`, { target: 'slack-ops', state: 'dlq' })).toBe(
      1,
    );
    await pm.shutdown();
  });

  it('counts retries, DLQ writes and replays per target, all types and results starting at 0', async () => {
    const pm = new PublishingMetricsCollector();
    pm.queue.recordRetry('pd', 'transient');
    pm.queue.recordRetry('pd', 'transient');
    pm.queue.recordRetry('pd', 'permanent');
    pm.queue.recordDlqWrite('pd', 'permanent');
    pm.queue.recordDlqReplay('pd', 'success');
    pm.queue.recordDlqReplay('pd', 'failure');
    pm.queue.recordDlqReplay('pd', 'failure');
    const snap = await pm.collectAll();
    expect(snap.get('retry_attempts_total', { target: 'pd', error_type: 'transient' })).toBe(2);
    expect(snap.get('retry_attempts_total', { target: 'pd', error_type: 'permanent' })).toBe(1);
    expect(snap.get('retry_attempts_total', { target: 'pd', error_type: 'unknown' })).toBe(0);
    expect(snap.get('dlq_writes_total', { target: 'pd', error_type: 'permanent' })).toBe(1);
    expect(snap.get('dlq_writes_total', { target: 'pd', error_type: 'transient' })).toBe(0);
    expect(snap.get('dlq_replays_total', { target: 'pd', result: 'success' })).toBe(1);
    expect(snap.get('dlq_replays_total', { target: 'pd', result: 'failure' })).toBe(2);
    // The first event of a target creates all its series, the untouched ones at 0.
    expect(snap.get('jobs_processed_total', { target: 'pd', state: 'succeeded' })).toBe(0);
    expect(snap.get('circuit_breaker_trips_total', { target: 'pd' })).toBe(0);
    await pm.shutdown();
  });

  it('counts a trip on every transition into open and a recovery on every return to closed', async () => {
    const pm = new PublishingMetricsCollector();
    const q = pm.queue;
    q.recordCircuitTransition('rootly', 'closed', 'open');
    q.recordCircuitTransition('rootly', 'open', 'half_open');
    q.recordCircuitTransition('rootly', 'half_open', 'open');
    q.recordCircuitTransition('rootly', 'open', 'half_open');
    q.recordCircuitTransition('rootly', 'half_open', 'closed');
    q.recordCircuitTransition('rootly', 'closed', 'open');
    q.recordCircuitTransition('rootly', 'open', 'closed');
    q.recordCircuitTransition('rootly', 'closed', 'closed');
    const snap = await pm.collectAll();
    expect(snap.get('circuit_breaker_trips_total', { target: 'rootly' })).toBe(3);
    expect(snap.get('circuit_breaker_recoveries_total', { target: 'rootly' })).toBe(2);
    await pm.shutdown();
  });

  it('keeps counters monotonic across collections', async () => {
    const pm = new PublishingMetricsCollector();
    const seen: number[] = [];
    for (let round = 1; round <= 4; round++) {
      for (let i = 0; i < round; i++) pm.queue.recordJob('a', 'high', 'succeeded', 0.1, 0.01);
      const snap = await pm.collectAll();
      seen.push(snap.get('jobs_processed_total', { target: 'a', state: 'succeeded' })!);
      expect(snap.histogram('job_duration_seconds', { target: 'a', priority: 'high' })!.count).toBe(
        seen.at(-1),
      );
    }
    expect(seen).toEqual([1, 3, 6, 10]);
    await pm.shutdown();
  });

  it('counts invalid values as rejected instead of throwing or recording them', async () => {
    const pm = new PublishingMetricsCollector();
    const q = pm.queue;
    q.recordJob('a', 'urgent' as never, 'succeeded', 1, 1); // unknown priority: nothing recorded
    q.recordJob('a', 'high', 'vanished' as never, 1, 1); // unknown state
    q.recordJob('a', 'high', 'succeeded', Number.NaN, -1); // counted, durations rejected
    q.recordJob('', 'high', 'succeeded', 1, 1); // no target
    q.recordRetry('a', 'cosmic' as never);
    q.recordSubmission('high', 'maybe' as never);
    q.recordCircuitTransition('a', 'closed', 'ajar' as never);
    q.recordDlqWrite(undefined as never, 'transient');
    q.recordDlqReplay('a', 'partial' as never);
    expect(q.rejectedValues).toBe(10);
    const snap = await pm.collectAll();
    expect(snap.get('jobs_processed_total', { target: 'a', state: 'succeeded' })).toBe(1);
    expect(snap.histogram('job_duration_seconds', { target: 'a', priority: 'high' })!.count).toBe(
      0,
    );
    expect(snap.sum('retry_attempts_total')).toBe(0);
    expect(snap.sum('queue_submissions_total')).toBe(0);
    await pm.shutdown();
  });

  it('frees a target series when the target is forgotten', async () => {
    const pm = new PublishingMetricsCollector();
    pm.queue.recordDlqWrite('gone', 'transient');
    pm.queue.recordDlqWrite('stays', 'transient');
    expect(
      (await pm.collectAll()).get('dlq_writes_total', { target: 'gone', error_type: 'transient' }),
    ).toBe(1);
    pm.forgetTarget('gone');
    const snap = await pm.collectAll();
    expect(snap.series('dlq_writes_total', { target: 'gone' })).toEqual([]);
    expect(snap.get('dlq_writes_total', { target: 'stays', error_type: 'transient' })).toBe(1);
    // A target that returns within the grace period continues from its kept values.
    pm.queue.recordDlqWrite('gone', 'permanent');
    const back = await pm.collectAll();
    expect(back.get('dlq_writes_total', { target: 'gone', error_type: 'transient' })).toBe(1);
    expect(back.get('dlq_writes_total', { target: 'gone', error_type: 'permanent' })).toBe(1);
    await pm.shutdown();
  });

  it('starts a returning target from zero when no grace period is configured', async () => {
    const pm = new PublishingMetricsCollector({ retiredTargetGraceMs: 0 });
    pm.queue.recordDlqWrite('gone', 'transient');
    pm.forgetTarget('gone');
    pm.queue.recordDlqWrite('gone', 'permanent');
    const back = await pm.collectAll();
    expect(back.get('dlq_writes_total', { target: 'gone', error_type: 'transient' })).toBe(0);
    expect(back.get('dlq_writes_total', { target: 'gone', error_type: 'permanent' })).toBe(1);
    await pm.shutdown();
  });
});
