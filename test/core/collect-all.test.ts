import { describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  RefreshCollector,
  type TargetHealthStatus,
} from '../../src/index.js';
import { refreshStatus, targetHealth } from '../support/fakes.js';

const NS = 'alert_history_publishing';

describe('collectAll', () => {
  it('reports both collectors of a registry with their values and status', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [targetHealth('slack-ops', { targetType: 'slack' })],
      }),
    );
    pm.registerCollector(new RefreshCollector({ getStatus: async () => refreshStatus() }));

    const snapshot = await pm.collectAll();

    expect(snapshot.get(`${NS}_target_health_status`, { target: 'slack-ops', type: 'slack' })).toBe(
      1,
    );
    expect(snapshot.get('target_success_rate', { target: 'slack-ops' })).toBe(0.9);
    expect(snapshot.get('target_check_latency_seconds', { target: 'slack-ops' })).toBe(0.025);
    expect(snapshot.get('target_last_check_timestamp_seconds', { target: 'slack-ops' })).toBe(
      1767225600,
    );
    expect(snapshot.get('refresh_interval_seconds')).toBe(300);
    expect(snapshot.get('refresh_last_duration_seconds')).toBe(1.5);
    expect(snapshot.get('refresh_targets', { validity: 'invalid' })).toBe(1);
    expect(snapshot.get('refresh_next_timestamp_seconds')).toBe(1767225900);
    expect(snapshot.collectors['health']).toMatchObject({ available: true, ok: true });
    expect(snapshot.collectors['refresh']).toMatchObject({ available: true, ok: true });
    expect(snapshot.get('collector_up', { collector: 'health' })).toBe(1);
    expect(snapshot.metrics.get(`${NS}_targets_by_health{status="healthy"}`)).toBe(1);
    expect(snapshot.metrics.get(`${NS}_targets_by_health{status="unhealthy"}`)).toBe(0);
    await pm.shutdown();
  });

  it('maps every health status to its documented gauge value', async () => {
    const statuses: Array<[TargetHealthStatus['status'], number]> = [
      ['unknown', 0],
      ['healthy', 1],
      ['degraded', 2],
      ['unhealthy', 3],
    ];
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => statuses.map(([status]) => targetHealth(status, { status })),
      }),
    );
    const snapshot = await pm.collectAll();
    for (const [status, value] of statuses) {
      expect(snapshot.get('target_health_status', { target: status, type: 'webhook' })).toBe(value);
      expect(snapshot.get('targets_by_health', { status })).toBe(1);
    }
    await pm.shutdown();
  });

  it('shows refresh_in_progress 1 only while a refresh runs', async () => {
    let state: 'in_progress' | 'idle' = 'in_progress';
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(new RefreshCollector({ getStatus: () => refreshStatus({ state }) }));
    expect((await pm.collectAll()).get('refresh_in_progress')).toBe(1);
    state = 'idle';
    expect((await pm.collectAll()).get('refresh_in_progress')).toBe(0);
    await pm.shutdown();
  });

  it('counts finished refreshes by outcome from the refresh recorder, zeros included', async () => {
    const pm = new PublishingMetricsCollector();
    pm.refresh.recordRefresh('success', 0.2);
    pm.refresh.recordRefresh('success', 0.3);
    pm.refresh.recordRefresh('failed', 4);
    const snapshot = await pm.collectAll();
    expect(snapshot.get('refresh_total', { status: 'success' })).toBe(2);
    expect(snapshot.get('refresh_total', { status: 'failed' })).toBe(1);
    const h = snapshot.histogram('refresh_duration_seconds', { status: 'success' });
    expect(h?.count).toBe(2);
    expect(h?.sum).toBeCloseTo(0.5);
    expect(h?.buckets.find((b) => b.le === '0.25')?.count).toBe(1);
    expect(h?.buckets.find((b) => b.le === '0.5')?.count).toBe(2);
    await pm.shutdown();
  });

  it('registers and unregisters collectors, removing their series', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth('a')] }));
    pm.registerCollector(new RefreshCollector({ getStatus: () => refreshStatus() }));
    expect(pm.collectorNames).toEqual(['health', 'refresh']);
    expect(() => pm.registerCollector(new HealthCollector({ getHealth: () => [] }))).toThrow(
      /already registered/,
    );
    expect((await pm.collectAll()).get('refresh_interval_seconds')).toBe(300);

    expect(pm.unregisterCollector('refresh')).toBe(true);
    expect(pm.unregisterCollector('refresh')).toBe(false);
    const snapshot = await pm.collectAll();
    expect(pm.collectorNames).toEqual(['health']);
    expect(snapshot.get('refresh_interval_seconds')).toBeUndefined();
    expect(snapshot.get('collector_up', { collector: 'refresh' })).toBeUndefined();
    expect(snapshot.collectors['refresh']).toBeUndefined();
    expect(snapshot.get('target_health_status', { target: 'a', type: 'webhook' })).toBe(1);

    // Registering again brings the series back.
    pm.registerCollector(
      new RefreshCollector({ getStatus: () => refreshStatus({ intervalMs: 60_000 }) }),
    );
    expect((await pm.collectAll()).get('refresh_interval_seconds')).toBe(60);
    await pm.shutdown();
  });

  it('marks a collector whose subsystem is absent as unavailable, not failed', async () => {
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(new RefreshCollector(undefined));
    const snapshot = await pm.collectAll();
    expect(snapshot.collectors['refresh']).toEqual({ available: false, ok: true, durationMs: 0 });
    expect(snapshot.get('refresh_interval_seconds')).toBeUndefined();
    await pm.shutdown();
  });

  it('shares one collection between 10 concurrent callers', async () => {
    let reads = 0;
    const pm = new PublishingMetricsCollector();
    pm.registerCollector(
      new HealthCollector({
        getHealth: async () => {
          reads++;
          await new Promise((r) => setTimeout(r, 20));
          return [targetHealth('a')];
        },
      }),
    );
    const snapshots = await Promise.all(Array.from({ length: 10 }, () => pm.collectAll()));
    expect(reads).toBe(1);
    expect(new Set(snapshots).size).toBe(1);
    expect(
      snapshots[0]!.histogram('collection_duration_seconds', { collector: 'health' })?.count,
    ).toBe(1);
    // The next call after they settled is a new collection.
    await pm.collectAll();
    expect(reads).toBe(2);
    await pm.shutdown();
  });

  it('rejects invalid options with a clear message', () => {
    expect(() => new PublishingMetricsCollector({ collectorTimeoutMs: 0 })).toThrow(
      /collectorTimeoutMs/,
    );
    expect(() => new PublishingMetricsCollector({ maxTargets: -1 })).toThrow(/maxTargets/);
    expect(() => new PublishingMetricsCollector({ namespace: 'bad-name' })).toThrow(/namespace/);
  });

  it('uses a custom namespace for every series', async () => {
    const pm = new PublishingMetricsCollector({ namespace: 'acme' });
    pm.registerCollector(new RefreshCollector({ getStatus: () => refreshStatus() }));
    const snapshot = await pm.collectAll();
    expect(snapshot.metrics.get('acme_refresh_interval_seconds')).toBe(300);
    expect([...snapshot.metrics.keys()].every((k) => k.startsWith('acme_'))).toBe(true);
    await pm.shutdown();
  });
});
