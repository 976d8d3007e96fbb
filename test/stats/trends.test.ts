import { afterEach, describe, expect, it } from 'vitest';
import { TrendsDetector, type MetricsSnapshot } from '../../src/index.js';
import { pipelineSnapshot, times, type TargetData } from './snapshots.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const STEP = 10_000;

interface Interval {
  succeeded?: number;
  failed?: number;
  dlq?: number;
  /** Duration of every job finished in the interval, seconds. */
  latency?: number;
  queue?: number;
}

/** Accumulates per-interval outcomes into the cumulative counters a snapshot holds. */
class Pipeline {
  private readonly totals = new Map<
    string,
    { succeeded: number; failed: number; dlq: number; durations: number[] }
  >();
  private step = 0;

  snapshot(perTarget: Record<string, Interval>, queue?: number): MetricsSnapshot {
    const targets: Record<string, TargetData> = {};
    for (const [name, i] of Object.entries(perTarget)) {
      let t = this.totals.get(name);
      if (t === undefined) {
        t = { succeeded: 0, failed: 0, dlq: 0, durations: [] };
        this.totals.set(name, t);
      }
      t.succeeded += i.succeeded ?? 0;
      t.failed += i.failed ?? 0;
      t.dlq += i.dlq ?? 0;
      const finished = (i.succeeded ?? 0) + (i.failed ?? 0) + (i.dlq ?? 0);
      if (i.latency !== undefined) t.durations.push(...times(finished, i.latency));
      targets[name] = { jobs: { ...t }, durations: t.durations };
    }
    return pipelineSnapshot({
      at: T0 + this.step++ * STEP,
      targets,
      ...(queue !== undefined ? { queue: { high: { size: queue, capacity: 1000 } } } : {}),
    });
  }

  /** Restarts the counters of a target, as a process restart would. */
  reset(name: string): void {
    this.totals.delete(name);
  }
}

/** Records `n` intervals of one target `a`. */
function run(
  detector: TrendsDetector,
  pipeline: Pipeline,
  n: number,
  interval: (i: number) => Interval,
): void {
  for (let i = 0; i < n; i++) {
    const iv = interval(i);
    detector.record(pipeline.snapshot({ a: iv }, iv.queue));
  }
}

/** Deterministic PRNG (mulberry32) for noisy series. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binomial(n, p) draw. */
function binomial(random: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

describe('insufficient data', () => {
  it('says insufficient_data with how many points are needed instead of a made-up stable', () => {
    const detector = new TrendsDetector();
    const empty = detector.report();
    expect(empty.points).toBe(0);
    expect(empty.successRate).toEqual({
      direction: 'insufficient_data',
      reason: 'too_few_points',
      unit: 'points',
      have: 0,
      needed: 36, // 5 min at 10 s (30) + 6 older points
    });
    run(detector, new Pipeline(), 11, () => ({ succeeded: 100, latency: 0.1, queue: 5 }));
    const early = detector.report();
    expect(early.points).toBe(10); // the first snapshot only sets the baseline
    expect(early.successRate).toMatchObject({
      direction: 'insufficient_data',
      have: 10,
      needed: 36,
    });
    expect(early.latencyP95).toMatchObject({ direction: 'insufficient_data', have: 10 });
    expect(early.queueDepth).toMatchObject({ direction: 'insufficient_data' });
    expect(early.errorSpike).toMatchObject({
      status: 'insufficient_data',
      reason: 'too_few_points',
    });
  });

  it('says insufficient_data in jobs when the windows hold too few jobs', () => {
    const detector = new TrendsDetector();
    run(detector, new Pipeline(), 50, (i) => ({ succeeded: i % 20 === 0 ? 1 : 0, queue: 0 }));
    const report = detector.report();
    expect(report.successRate).toMatchObject({
      direction: 'insufficient_data',
      unit: 'jobs',
      needed: 10,
    });
    expect(report.queueDepth.direction).toBe('stable');
  });
});

describe('success-rate, latency and queue trends', () => {
  it('reports stable for a steady pipeline', () => {
    const detector = new TrendsDetector();
    run(detector, new Pipeline(), 60, () => ({
      succeeded: 95,
      failed: 5,
      latency: 0.1,
      queue: 20,
    }));
    const report = detector.report();
    expect(report.successRate).toMatchObject({
      direction: 'stable',
      current: 0.95,
      baseline: 0.95,
    });
    expect(report.latencyP95).toMatchObject({ direction: 'stable', change: 0 });
    expect(report.queueDepth).toMatchObject({
      direction: 'stable',
      current: 20,
      slopePerMinute: 0,
    });
    expect(report.errorSpike).toMatchObject({ status: 'normal', currentErrorRate: 0.05 });
  });

  it('reports a success rate degrading in the last 5 minutes against the last 30', () => {
    const detector = new TrendsDetector();
    run(detector, new Pipeline(), 200, (i) =>
      i < 170 ? { succeeded: 99, failed: 1 } : { succeeded: 80, failed: 20 },
    );
    const report = detector.report();
    // Short window: the last 30 intervals at 80 %; baseline: the 150 before them within 30 min.
    const baseline = 0.99;
    expect(report.successRate).toMatchObject({
      direction: 'degrading',
      jobs: { current: 3000, baseline: 15_000 },
    });
    if (report.successRate.direction === 'insufficient_data') throw new Error('unexpected');
    expect(report.successRate.current).toBeCloseTo(0.8, 12);
    expect(report.successRate.baseline).toBeCloseTo(baseline, 12);
    expect(report.successRate.change).toBeCloseTo(0.8 - baseline, 12);
  });

  it('reports an improving success rate and a degrading, then improving p95 latency', () => {
    const detector = new TrendsDetector();
    run(detector, new Pipeline(), 100, (i) =>
      i < 60 ? { succeeded: 70, failed: 30, latency: 0.1 } : { succeeded: 100, latency: 2 },
    );
    const report = detector.report();
    expect(report.successRate.direction).toBe('improving');
    expect(report.latencyP95).toMatchObject({ direction: 'degrading' });
    if (report.latencyP95.direction === 'insufficient_data') throw new Error('unexpected');
    // Short window: every job at 2 s in (1, 2.5] → p95 = 1 + 1.5·0.95.
    expect(report.latencyP95.currentSeconds).toBeCloseTo(2.425, 12);
    expect(report.latencyP95.change).toBeGreaterThan(0);

    const recovering = new TrendsDetector();
    run(recovering, new Pipeline(), 100, (i) => ({ succeeded: 100, latency: i < 60 ? 2 : 0.1 }));
    expect(recovering.report().latencyP95.direction).toBe('improving');
  });

  it('reports a growing queue with its least-squares slope per minute, and a shrinking one', () => {
    const detector = new TrendsDetector();
    // Flat at 10 jobs, then +2 jobs every 10 s (12 per minute) for the last 5 minutes.
    run(detector, new Pipeline(), 80, (i) => ({
      succeeded: 10,
      queue: i < 50 ? 10 : 10 + 2 * (i - 49),
    }));
    const report = detector.report();
    expect(report.queueDepth).toMatchObject({ direction: 'growing' });
    if (report.queueDepth.direction === 'insufficient_data') throw new Error('unexpected');
    expect(report.queueDepth.slopePerMinute).toBeCloseTo(12, 9);
    expect(report.queueDepth.change).toBeGreaterThan(0);

    const draining = new TrendsDetector();
    run(draining, new Pipeline(), 80, (i) => ({
      succeeded: 10,
      queue: i < 50 ? 400 : 400 - 10 * (i - 49),
    }));
    const drained = draining.report();
    expect(drained.queueDepth).toMatchObject({ direction: 'shrinking' });
    if (drained.queueDepth.direction === 'insufficient_data') throw new Error('unexpected');
    expect(drained.queueDepth.slopePerMinute).toBeCloseTo(-60, 9);
  });

  it('keeps a counter reset from faking a trend', () => {
    const detector = new TrendsDetector();
    const pipeline = new Pipeline();
    run(detector, pipeline, 40, () => ({ succeeded: 95, failed: 5, latency: 0.1 }));
    pipeline.reset('a');
    run(detector, pipeline, 30, () => ({ succeeded: 95, failed: 5, latency: 0.1 }));
    const report = detector.report();
    expect(report.successRate).toMatchObject({
      direction: 'stable',
      current: 0.95,
      baseline: 0.95,
      change: 0,
    });
    expect(report.latencyP95).toMatchObject({ direction: 'stable', change: 0 });
  });

  it('reports trends per target', () => {
    const detector = new TrendsDetector();
    const pipeline = new Pipeline();
    for (let i = 0; i < 100; i++) {
      detector.record(
        pipeline.snapshot({
          failing: i < 60 ? { succeeded: 20 } : { succeeded: 10, failed: 10 },
          steady: { succeeded: 20, latency: 0.2 },
        }),
      );
    }
    const { targets } = detector.report();
    expect(Object.keys(targets)).toEqual(['failing', 'steady']);
    expect(targets['failing']!.successRate.direction).toBe('degrading');
    expect(targets['failing']!.latencyP95).toMatchObject({
      direction: 'insufficient_data',
      unit: 'jobs',
    });
    expect(targets['steady']!.successRate).toMatchObject({ direction: 'stable', current: 1 });
    expect(targets['steady']!.latencyP95.direction).toBe('stable');
  });
});

describe('error spikes', () => {
  /** 100 jobs an interval with ~5 % binomial errors, then `last` for the final minute. */
  function noisy(seed: number, lastErrorRate: number): TrendsDetector {
    const random = prng(seed);
    const detector = new TrendsDetector();
    run(detector, new Pipeline(), 120, (i) => {
      const failed = binomial(random, 100, i >= 114 ? lastErrorRate : 0.05);
      return { succeeded: 100 - failed, failed };
    });
    return detector;
  }

  it('flags an error rate above baseline mean + 3σ', () => {
    const spike = noisy(7, 0.4).report().errorSpike;
    expect(spike.status).toBe('spike');
    if (spike.status === 'insufficient_data') throw new Error('unexpected');
    expect(spike.baselineMean).toBeGreaterThan(0.03);
    expect(spike.baselineMean).toBeLessThan(0.07);
    expect(spike.threshold).toBeCloseTo(spike.baselineMean + 3 * spike.baselineStdDev, 12);
    expect(spike.currentErrorRate).toBeGreaterThan(0.3);
    expect(spike.jobs).toBe(600);
  });

  it('does not flag a noisy but normal series', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const spike = noisy(seed, 0.05).report().errorSpike;
      expect(spike.status, `seed ${seed}`).toBe('normal');
    }
  });

  it('needs a minimum volume: two errors out of three jobs are not a spike', () => {
    const detector = new TrendsDetector();
    run(detector, new Pipeline(), 60, (i) =>
      i < 54 ? { succeeded: 100 } : { succeeded: i === 59 ? 1 : 0, failed: i === 59 ? 2 : 0 },
    );
    expect(detector.report().errorSpike).toMatchObject({
      status: 'insufficient_data',
      unit: 'jobs',
      have: 3,
    });
    const few = new TrendsDetector({ minJobs: 1 });
    run(few, new Pipeline(), 60, (i) =>
      i < 54 ? { succeeded: 100 } : { succeeded: i === 59 ? 1 : 0, failed: i === 59 ? 2 : 0 },
    );
    // Above the threshold but under the 5-error minimum.
    expect(few.report().errorSpike).toMatchObject({ status: 'normal', errors: 2 });
  });
});

describe('recording', () => {
  let detector: TrendsDetector | undefined;
  afterEach(() => detector?.stop());

  it('keeps at most retention / interval points however long it runs', () => {
    detector = new TrendsDetector();
    expect(detector.capacity).toBe(360);
    run(detector, new Pipeline(), 1000, () => ({ succeeded: 1 }));
    expect(detector.size).toBe(360);
    expect(detector.report().points).toBe(360);
  });

  it('ignores a snapshot that is not newer than the last one', () => {
    detector = new TrendsDetector();
    const pipeline = new Pipeline();
    const first = pipeline.snapshot({ a: { succeeded: 1 } });
    expect(detector.record(first)).toBe(true);
    expect(detector.record(first)).toBe(false);
    expect(detector.size).toBe(1);
  });

  it("records snapshots from its source on an unref'd interval until stopped", async () => {
    const pipeline = new Pipeline();
    let calls = 0;
    detector = new TrendsDetector({
      intervalMs: 20,
      source: { collectAll: async () => (calls++, pipeline.snapshot({ a: { succeeded: 5 } })) },
    });
    const seen: number[] = [];
    detector.onRecord((s) => seen.push(s.timestamp.getTime()));
    detector.start();
    expect(detector.running).toBe(true);
    // The timer must not keep a host process alive on its own.
    expect((detector as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    detector.stop();
    const recorded = detector.size;
    expect(recorded).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(recorded);
    await new Promise((r) => setTimeout(r, 60));
    expect(detector.size).toBe(recorded);
    expect(calls).toBe(recorded);
  });

  it('survives a failing source and keeps recording', async () => {
    const pipeline = new Pipeline();
    let calls = 0;
    detector = new TrendsDetector({
      intervalMs: 10,
      source: {
        collectAll: async () => {
          if (++calls % 2 === 0) throw new Error('port down');
          return pipeline.snapshot({ a: { succeeded: 1 } });
        },
      },
    });
    detector.start();
    await new Promise((r) => setTimeout(r, 120));
    detector.stop();
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(detector.size).toBeGreaterThanOrEqual(2);
  });

  it('rejects windows that cannot be compared', () => {
    expect(() => new TrendsDetector({ shortWindowMs: 60_000, longWindowMs: 60_000 })).toThrow(
      RangeError,
    );
    expect(() => new TrendsDetector({ intervalMs: 0 })).toThrow(RangeError);
    expect(() => new TrendsDetector().start()).toThrow(/source/);
  });
});
