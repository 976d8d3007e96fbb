import { describe, expect, it } from 'vitest';
import {
  DiscoveryCollector,
  OTHER_LABEL_VALUE,
  PublishingMetricsCollector,
  QueueCollector,
} from '../../src/index.js';
import { FakeDiscovery, prometheusReader, queueStats, sample, target } from './fakes.js';

describe('discovery collector', () => {
  it('counts discovered targets by type and enabled flag, and reports the last discovery time', async () => {
    const discovery = new FakeDiscovery([
      target('slack-ops', 'slack'),
      target('slack-dev', 'slack', false),
      target('pd-primary', 'pagerduty'),
      target('hook-a', 'webhook'),
      target('hook-b', 'webhook'),
      target('hook-c', 'webhook'),
    ]);
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    pm.registerCollector(new DiscoveryCollector(discovery));
    const snap = await pm.collectAll();

    expect(snap.get('discovery_targets', { type: 'slack', enabled: 'true' })).toBe(1);
    expect(snap.get('discovery_targets', { type: 'slack', enabled: 'false' })).toBe(1);
    expect(snap.get('discovery_targets', { type: 'pagerduty', enabled: 'true' })).toBe(1);
    expect(snap.get('discovery_targets', { type: 'webhook', enabled: 'true' })).toBe(3);
    expect(snap.series('discovery_targets')).toHaveLength(4);
    const lastDiscovery = Date.parse('2026-01-02T03:04:05Z') / 1000;
    expect(snap.get('discovery_last_success_timestamp_seconds')).toBe(lastDiscovery);

    const text = await prometheus.text();
    expect(
      sample(text, 'alert_history_publishing_discovery_targets', {
        type: 'webhook',
        enabled: 'true',
      }),
    ).toBe(3);
    expect(sample(text, 'alert_history_publishing_discovery_last_success_timestamp_seconds')).toBe(
      lastDiscovery,
    );
    await pm.shutdown();
  });

  it('reports 0 for a type whose targets all left, instead of its last count', async () => {
    const discovery = new FakeDiscovery([target('slack-ops', 'slack'), target('hook', 'webhook')]);
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(new DiscoveryCollector(discovery));
    expect(
      (await pm.collectAll()).get('discovery_targets', { type: 'webhook', enabled: 'true' }),
    ).toBe(1);

    discovery.targets = [target('slack-ops', 'slack')];
    const snap = await pm.collectAll();
    expect(snap.get('discovery_targets', { type: 'webhook', enabled: 'true' })).toBe(0);
    expect(snap.get('discovery_targets', { type: 'slack', enabled: 'true' })).toBe(1);
    await pm.shutdown();
  });

  it('omits the last-success timestamp until a discovery has succeeded', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new DiscoveryCollector(new FakeDiscovery([], { lastDiscovery: undefined })),
    );
    const snap = await pm.collectAll();
    expect(snap.get('discovery_last_success_timestamp_seconds')).toBeUndefined();
    expect(snap.collectors['discovery']).toMatchObject({ ok: true });
    await pm.shutdown();
  });

  it('retires the recorder series of a target that left discovery and no other port reports', async () => {
    const discovery = new FakeDiscovery([target('slack-ops', 'slack'), target('hook', 'webhook')]);
    let stats = queueStats({ dlqSize: { hook: 1 }, circuitBreakers: {} });
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(new DiscoveryCollector(discovery));
    pm.registerCollector(new QueueCollector({ getStats: () => stats }));
    pm.queue.recordJob('slack-ops', 'high', 'succeeded', 0.2, 0.1);
    pm.publisher.recordRequest('webhook', 'hook', 500, 0.2);
    pm.queue.recordJob('hook', 'high', 'failed', 0.2, 0.1);
    await pm.collectAll();

    // Gone from discovery, but the queue still holds DLQ entries for it: kept.
    discovery.targets = [target('slack-ops', 'slack')];
    let snap = await pm.collectAll();
    expect(snap.get('jobs_processed_total', { target: 'hook', state: 'failed' })).toBe(1);
    expect(snap.get('dlq_size', { target: 'hook' })).toBe(1);

    // Gone everywhere: its series leave.
    stats = queueStats({ dlqSize: {}, circuitBreakers: {} });
    snap = await pm.collectAll();
    expect([...snap.metrics.keys()].filter((k) => k.includes('"hook"'))).toEqual([]);
    expect(snap.get('jobs_processed_total', { target: 'slack-ops', state: 'succeeded' })).toBe(1);
    await pm.shutdown();
  });

  it('zero-initialises the queue and publisher series of a discovered target', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new DiscoveryCollector(new FakeDiscovery([target('pd-primary', 'pagerduty')])),
    );
    const snap = await pm.collectAll();
    expect(snap.get('jobs_processed_total', { target: 'pd-primary', state: 'failed' })).toBe(0);
    expect(snap.get('dlq_writes_total', { target: 'pd-primary', error_type: 'permanent' })).toBe(0);
    expect(
      snap.get('publisher_errors_total', {
        publisher: 'pagerduty',
        target: 'pd-primary',
        reason: 'timeout',
      }),
    ).toBe(0);
    expect(snap.series('publisher_requests_total', { target: 'pd-primary' })).toHaveLength(5);
    await pm.shutdown();
  });

  it('fails only itself when the port returns something that is not a target list', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new DiscoveryCollector({ listTargets: () => 'nope' as never, getStats: () => ({}) as never }),
    );
    const snap = await pm.collectAll();
    expect(snap.collectors['discovery']).toMatchObject({ ok: false });
    expect(snap.get('collector_up', { collector: 'discovery' })).toBe(0);
    await pm.shutdown();
  });
});

describe('discovery recorder', () => {
  it('records operation durations, errors, secrets and lookups with the labels given', async () => {
    const pm = new PublishingMetricsCollector();
    const d = pm.discovery;
    d.recordDiscovery('load', 0.02);
    d.recordDiscovery('load', 0.3);
    d.recordDiscovery('resolve', 1.5);
    d.recordError('parse');
    d.recordError('parse');
    d.recordError('read');
    d.recordSecret('found');
    d.recordSecret('missing');
    d.recordLookup('get', 'found');
    d.recordLookup('get', 'found');
    d.recordLookup('get', 'not_found');
    d.recordLookup('list', 'found');
    const snap = await pm.collectAll();

    const load = snap.histogram('discovery_duration_seconds', { operation: 'load' })!;
    expect(load.count).toBe(2);
    expect(load.sum).toBeCloseTo(0.32, 12);
    expect(load.buckets.find((b) => b.le === '0.025')!.count).toBe(1);
    expect(snap.histogram('discovery_duration_seconds', { operation: 'resolve' })!.sum).toBe(1.5);
    expect(snap.get('discovery_errors_total', { error_type: 'parse' })).toBe(2);
    expect(snap.get('discovery_errors_total', { error_type: 'read' })).toBe(1);
    expect(snap.get('discovery_secrets_total', { status: 'found' })).toBe(1);
    expect(snap.get('discovery_secrets_total', { status: 'missing' })).toBe(1);
    expect(snap.get('target_lookups_total', { operation: 'get', status: 'found' })).toBe(2);
    expect(snap.get('target_lookups_total', { operation: 'get', status: 'not_found' })).toBe(1);
    expect(snap.get('target_lookups_total', { operation: 'list', status: 'found' })).toBe(1);
    await pm.shutdown();
  });

  it('keeps the first 64 values of an open label and folds later ones into other', async () => {
    const pm = new PublishingMetricsCollector();
    for (let i = 0; i < 100; i++) pm.discovery.recordError(`kind-${i}`);
    pm.discovery.recordError('kind-3');
    const snap = await pm.collectAll();
    expect(snap.series('discovery_errors_total')).toHaveLength(65);
    expect(snap.get('discovery_errors_total', { error_type: 'kind-3' })).toBe(2);
    expect(snap.get('discovery_errors_total', { error_type: 'kind-63' })).toBe(1);
    expect(snap.get('discovery_errors_total', { error_type: 'kind-64' })).toBeUndefined();
    expect(snap.get('discovery_errors_total', { error_type: OTHER_LABEL_VALUE })).toBe(36);
    await pm.shutdown();
  });

  it('rejects empty or non-string labels and invalid durations without throwing', async () => {
    const pm = new PublishingMetricsCollector();
    pm.discovery.recordDiscovery('', 1);
    pm.discovery.recordDiscovery('load', Number.NaN);
    pm.discovery.recordDiscovery('load', -0.5);
    pm.discovery.recordError(undefined as never);
    pm.discovery.recordLookup('get', 42 as never);
    expect(pm.discovery.rejectedValues).toBe(5);
    const snap = await pm.collectAll();
    expect(snap.histogram('discovery_duration_seconds', { operation: 'load' })!.count).toBe(0);
    expect(snap.series('discovery_errors_total')).toEqual([]);
    await pm.shutdown();
  });
});
