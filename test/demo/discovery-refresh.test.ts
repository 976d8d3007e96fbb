/**
 * Live target changes: editing a copy of targets.json removes or adds targets everywhere the
 * library looks (discovery, health, queue stats) after the refresh the file change triggers, with
 * fs.watch and with the polling fallback. A broken file keeps the last good targets.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTargets, startPipeline, waitFor, type Fixture } from './pipeline-fixture.js';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const names = (list: readonly { name?: string; targetName?: string }[]) =>
  list.map((t) => t.name ?? t.targetName).sort();

describe.each([
  { mode: 'watch', forcePolling: false },
  { mode: 'poll', forcePolling: true },
])('targets file refresh ($mode)', ({ mode, forcePolling }) => {
  it('a target removed from targets.json disappears from listTargets(), getHealth() and queue stats', async () => {
    const targets = await defaultTargets();
    fixture = await startPipeline(targets, {
      refresh: { intervalMs: 60_000, debounceMs: 50, pollIntervalMs: 100, forcePolling },
    });
    const { pipeline } = fixture;
    expect(pipeline.refresh.changeDetection).toBe(mode);
    await waitFor(
      () => pipeline.health.getHealth().every((h) => h.status === 'healthy'),
      5_000,
      'all healthy',
    );
    expect(names(pipeline.discovery.listTargets())).toContain('webhook-audit');

    await fixture.writeTargets(targets.filter((target) => target.name !== 'webhook-audit'));
    // A save can fire several change events, so a second refresh may follow the first: wait for quiet.
    await waitFor(
      () =>
        !names(pipeline.discovery.listTargets()).includes('webhook-audit') &&
        pipeline.refresh.getStatus().state === 'success',
      5_000,
      'webhook-audit gone from discovery',
    );

    const expected = [
      'pagerduty-primary',
      'rootly-incidents',
      'slack-alerts',
      'slack-oncall',
      'webhook-ticketing',
    ];
    expect(names(pipeline.discovery.listTargets())).toEqual(expected);
    expect(names(pipeline.health.getHealth())).toEqual(expected);
    const stats = pipeline.queueStats();
    expect(Object.keys(stats.circuitBreakers).sort()).toEqual(expected);
    expect(Object.keys(stats.dlqSize).sort()).toEqual(expected);
    expect(pipeline.refresh.getStatus()).toMatchObject({
      state: 'success',
      targetsDiscovered: 5,
      targetsValid: 5,
      targetsInvalid: 0,
      consecutiveFailures: 0,
    });
    expect(pipeline.discovery.getStats()).toMatchObject({ totalTargets: 5, validTargets: 5 });
    expect(fixture.logs).toContain('target removed: webhook-audit (webhook)');
  });
});

describe('targets file refresh', () => {
  it('an added target shows up unknown, then healthy once probed', async () => {
    const targets = await defaultTargets();
    fixture = await startPipeline(targets.slice(0, 2));
    const { pipeline } = fixture;
    await fixture.writeTargets([
      ...targets.slice(0, 2),
      { name: 'webhook-new', type: 'webhook', url: 'builtin:webhook/new' },
    ]);
    await waitFor(
      () => names(pipeline.discovery.listTargets()).includes('webhook-new'),
      5_000,
      'webhook-new discovered',
    );
    expect(pipeline.discovery.listTargets().find((t) => t.name === 'webhook-new')).toMatchObject({
      type: 'webhook',
      enabled: true,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/webhook-new$/),
    });
    await waitFor(
      () => pipeline.health.statusOf('webhook-new')?.status === 'healthy',
      5_000,
      'webhook-new healthy',
    );
  });

  it('a broken file fails the refresh and keeps the last good targets', async () => {
    const targets = await defaultTargets();
    fixture = await startPipeline(targets);
    const { pipeline, recorders } = fixture;
    await writeFile(fixture.file, '{"targets": [ { "name": "half-written"');
    await waitFor(() => pipeline.refresh.getStatus().state === 'failed', 5_000, 'refresh failed');
    expect(pipeline.refresh.getStatus()).toMatchObject({ consecutiveFailures: 1, targetsValid: 6 });
    expect(pipeline.refresh.getStatus().error).toMatch(/is not JSON/);
    expect(pipeline.discovery.listTargets()).toHaveLength(6);
    expect(pipeline.discovery.getStats().discoveryErrors).toBe(1);
    expect(recorders.count('discovery.recordError', 'parse')).toBe(1);

    // An invalid entry is skipped and counted; the valid ones stay.
    await fixture.writeTargets([...targets, { name: 'bad', type: 'fax', url: 'builtin:fax' }]);
    await waitFor(
      () => pipeline.refresh.getStatus().state === 'success',
      5_000,
      'refresh recovered',
    );
    expect(pipeline.discovery.getStats()).toMatchObject({
      totalTargets: 7,
      validTargets: 6,
      invalidTargets: 1,
    });
    expect(recorders.count('discovery.recordError', 'validation')).toBe(1);
    expect(fixture.logs).toContain('invalid target skipped: bad: unknown type "fax"');
  });
});

describe('health monitor', () => {
  it('marks a slow target degraded and a refusing one degraded, then unhealthy after 3 failed probes', async () => {
    fixture = await startPipeline([
      { name: 'slow', type: 'webhook', url: 'builtin:webhook/slow' },
      { name: 'dead', type: 'webhook', url: 'builtin:webhook/dead' },
    ]);
    const { pipeline } = fixture;
    await waitFor(
      () => pipeline.health.getHealth().every((h) => h.status === 'healthy'),
      5_000,
      'both healthy',
    );
    fixture.server('slow').setLatency(300); // degraded threshold 250 ms, probe timeout 500 ms
    await fixture.server('dead').goDown();

    await waitFor(
      () => pipeline.health.statusOf('dead')?.consecutiveFailures === 1,
      5_000,
      'first failure',
    );
    expect(pipeline.health.statusOf('dead')?.status).toBe('degraded');
    await waitFor(
      () => (pipeline.health.statusOf('dead')?.consecutiveFailures ?? 0) >= 3,
      5_000,
      'third failure',
    );
    const dead = pipeline.health.statusOf('dead');
    expect(dead?.status).toBe('unhealthy');
    expect(dead?.errorMessage).toBe('ECONNREFUSED');
    expect(dead?.totalFailures).toBe(dead?.consecutiveFailures);
    expect(dead?.successRate).toBeCloseTo(
      (dead?.totalSuccesses ?? 0) / (dead?.totalChecks ?? 1),
      10,
    );

    await waitFor(
      () => pipeline.health.statusOf('slow')?.status === 'degraded',
      5_000,
      'slow degraded',
    );
    expect(pipeline.health.statusOf('slow')?.latencyMs).toBeGreaterThan(250);
    expect(pipeline.health.statusOf('slow')?.consecutiveFailures).toBe(0);
  });
});
