import { afterAll, describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  RefreshCollector,
  type RefreshStatus,
  type TargetHealthStatus,
} from '../../src/index.js';
import { never, refreshStatus, targetHealth } from '../support/fakes.js';
import { settledHeapUsed } from '../support/gc.js';
import { ms, writeFigures, type Figure } from './support/figures.js';

const TIMEOUT_MS = 50;
// Scheduling slack on a shared, loaded 2-core machine; a hang would exceed any bound.
const EPSILON_MS = 400;

type Fault = [
  name: string,
  getStatus: () => unknown,
  reason: 'error' | 'timeout' | 'ok-with-invalid',
];

const faults: Fault[] = [
  [
    'throws',
    () => {
      throw new Error('boom');
    },
    'error',
  ],
  ['rejects', () => Promise.reject(new Error('nope')), 'error'],
  ['rejects with a non-Error', () => Promise.reject('a string'), 'error'],
  ['never resolves', () => never(), 'timeout'],
  [
    'resolves after 2x the timeout',
    () => new Promise((r) => setTimeout(() => r(refreshStatus()), TIMEOUT_MS * 2)),
    'timeout',
  ],
  ['returns null', () => null, 'error'],
  ['returns a string', () => 'idle', 'error'],
  [
    'returns NaN, Infinity and negatives',
    () =>
      refreshStatus({
        intervalMs: Number.NaN,
        refreshDurationMs: Infinity,
        consecutiveFailures: -1,
        targetsValid: -Infinity,
      }),
    'ok-with-invalid',
  ],
  [
    'returns strings where numbers belong',
    () => refreshStatus({ intervalMs: '300000' as unknown as number }),
    'ok-with-invalid',
  ],
];

function registry(getStatus: () => unknown, timeoutMs = TIMEOUT_MS) {
  const health: TargetHealthStatus[] = [targetHealth('slack-a'), targetHealth('webhook-b')];
  const pm = new PublishingMetricsCollector({ collectorTimeoutMs: timeoutMs });
  pm.registerCollector(new HealthCollector({ getHealth: () => health }));
  pm.registerCollector(new RefreshCollector({ getStatus: getStatus as () => RefreshStatus }));
  return pm;
}

const figures: Record<string, Figure> = { faultKinds: faults.map(([name]) => name) };
const slowestMs: Record<string, number> = {};
afterAll(() => writeFigures('subsystem-faults', { ...figures, slowestCollectionMs: slowestMs }));

describe('subsystem faults', () => {
  for (const [name, getStatus, outcome] of faults) {
    it(`a refresh port that ${name}: collection completes in time, attributed, others exact`, async () => {
      const pm = registry(getStatus);
      const started = performance.now();
      const snapshot = await pm.collectAll();
      slowestMs[name] = ms(performance.now() - started);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + EPSILON_MS);

      const status = snapshot.collectors['refresh']!;
      if (outcome === 'ok-with-invalid') {
        expect(status.ok).toBe(true);
        expect(status.invalidValues).toBeGreaterThan(0);
        expect(snapshot.get('refresh_interval_seconds')).toBeUndefined();
      } else {
        expect(status.ok).toBe(false);
        expect(
          snapshot.get('collection_errors_total', { collector: 'refresh', reason: outcome }),
        ).toBe(1);
        expect(snapshot.get('collector_up', { collector: 'refresh' })).toBe(0);
      }
      expect(snapshot.collectors['health']).toMatchObject({ ok: true });
      expect(snapshot.get('target_success_rate', { target: 'slack-a' })).toBe(0.9);
      expect(snapshot.get('targets_by_health', { status: 'healthy' })).toBe(2);
      await pm.shutdown();
    });
  }

  it('a port that changes shape between calls fails only those calls', async () => {
    let call = 0;
    const shapes = [
      () => refreshStatus(),
      () => [1, 2, 3],
      () => refreshStatus({ intervalMs: 60_000 }),
    ];
    const pm = registry(() => shapes[call++ % shapes.length]!());
    expect((await pm.collectAll()).get('refresh_interval_seconds')).toBe(300);
    const broken = await pm.collectAll();
    // An array is an object: its fields are simply missing, so nothing valid is observed.
    expect(broken.get('refresh_interval_seconds')).toBeUndefined();
    expect((await pm.collectAll()).get('refresh_interval_seconds')).toBe(60);
    await pm.shutdown();
  });

  it('1,000 collections against a hung port: bounded time each, abandoned calls not retained, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // Every call into the hung port is tracked by the garbage collector: a call the library kept
    // referencing after abandoning it could never be collected.
    let collected = 0;
    const registry_ = new FinalizationRegistry<void>(() => collected++);
    let calls = 0;
    const pm = registry(() => {
      calls++;
      const call = never();
      registry_.register(call, undefined);
      return call;
    }, 5);
    let slowest = 0;
    for (let i = 0; i < 50; i++) await pm.collectAll(); // warm-up
    const handlesBefore = process.getActiveResourcesInfo().length;
    const heapBefore = settledHeapUsed();
    for (let i = 0; i < 1000; i++) {
      const started = performance.now();
      await pm.collectAll();
      slowest = Math.max(slowest, performance.now() - started);
    }
    const handlesAfter = process.getActiveResourcesInfo().length;
    // Finalizers run after a collection, on a later turn of the event loop.
    for (let i = 0; i < 20 && collected < calls - 1; i++) {
      settledHeapUsed();
      await new Promise((r) => setTimeout(r, 10));
    }
    const heapAfter = settledHeapUsed();
    const callsMeasured = calls;
    process.off('unhandledRejection', onUnhandled);
    const snapshot = await pm.collectAll();

    figures['hungPort'] = {
      collections: 1051,
      timeoutMs: 5,
      slowestCollectionMs: ms(slowest),
      portCalls: callsMeasured,
      abandonedCallsCollected: collected,
      heapGrowthBytes: heapAfter - heapBefore,
      handlesBefore,
      handlesAfter,
      unhandledRejections: unhandled.length,
    };
    expect(slowest).toBeLessThan(5 + EPSILON_MS);
    expect(handlesAfter).toBeLessThanOrEqual(handlesBefore);
    expect(callsMeasured).toBe(1050);
    // All but the newest call (still referenced as in flight) were freed.
    expect(collected).toBeGreaterThanOrEqual(callsMeasured - 1);
    expect(unhandled).toEqual([]);
    expect(
      snapshot.get('collection_errors_total', { collector: 'refresh', reason: 'timeout' }),
    ).toBe(1051);
    expect(snapshot.get('target_success_rate', { target: 'webhook-b' })).toBe(0.9);
    await pm.shutdown();
  }, 120_000);
});
