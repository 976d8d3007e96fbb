import { diag } from '@opentelemetry/api';
import type { StatsSource } from './aggregator.js';
import { estimateQuantile } from '../snapshot/histogram.js';
import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import { captureState, type CumulativeState } from './deltas.js';
import { RingBuffer } from './ring-buffer.js';
import { leastSquaresSlope, mean, standardDeviation } from './trend-math.js';
import { latencyBoundaries, TARGET_FIELDS, trendPoint, type TrendPoint } from './trend-point.js';

/** Anything that produces snapshots, e.g. a PublishingMetricsCollector. */
export interface SnapshotSource {
  collectAll(): Promise<MetricsSnapshot>;
}

export interface TrendsOptions {
  /** Where `start()` takes snapshots from. */
  source?: SnapshotSource;
  /** Recording interval, milliseconds (default 10 s). */
  intervalMs?: number;
  /** How far back points are kept, milliseconds (default 1 h → 360 points at 10 s). */
  retentionMs?: number;
  /** The recent window compared, milliseconds (default 5 min). */
  shortWindowMs?: number;
  /**
   * The long window, milliseconds (default 30 min, ending now). Its part before the short window
   * is the baseline the short window is compared against.
   */
  longWindowMs?: number;
  /** The window of the "current" error rate of spike detection, milliseconds (default 1 min). */
  spikeWindowMs?: number;
  /** Points older than the short window needed before a trend is reported (default 6). */
  minBaselinePoints?: number;
  /** Finished jobs each window needs for rate and latency trends (default 10). */
  minJobs?: number;
  /** Success-rate change (ratio) within which the trend is stable (default 0.01 = 1 point). */
  successRateTolerance?: number;
  /** Relative p95 change within which latency is stable (default 0.2 = 20 %). */
  latencyTolerance?: number;
  /** Absolute p95 change below which latency is stable, seconds (default 0.01). */
  latencyMinChangeSeconds?: number;
  /** Relative queue-depth change within which the queue is stable (default 0.1). */
  queueTolerance?: number;
  /** Absolute queue-depth change below which the queue is stable, jobs (default 1). */
  queueMinChange?: number;
  /** Standard deviations above the baseline mean that make a spike (default 3). */
  spikeSigmas?: number;
  /** Errors the spike window needs before a spike is reported (default 5). */
  spikeMinErrors?: number;
  /** Baseline intervals with jobs needed for spike detection (default 10). */
  spikeMinBaselinePoints?: number;
}

export type TrendDirection = 'improving' | 'stable' | 'degrading';
export type QueueDirection = 'growing' | 'stable' | 'shrinking';

/** Not enough data: what is missing, how much there is, and how much is needed. */
export interface InsufficientData {
  reason: 'too_few_points' | 'too_few_jobs' | 'no_queue_data';
  /** `points` (recorded intervals) or `jobs` (finished jobs in the window). */
  unit: 'points' | 'jobs';
  have: number;
  needed: number;
}

export type SuccessRateTrend =
  | {
      direction: TrendDirection;
      /** Success ratio over the short window, 0–1. */
      current: number;
      /** Success ratio over the long window before the short one, 0–1. */
      baseline: number;
      /** current − baseline. */
      change: number;
      jobs: { current: number; baseline: number };
    }
  | ({ direction: 'insufficient_data' } & InsufficientData);

export type LatencyTrend =
  | {
      direction: TrendDirection;
      /** p95 over the short window, seconds. */
      currentSeconds: number;
      /** p95 over the long window before the short one, seconds. */
      baselineSeconds: number;
      /** currentSeconds − baselineSeconds. */
      change: number;
      /** change / baselineSeconds (0 when the baseline is 0). */
      relativeChange: number;
    }
  | ({ direction: 'insufficient_data' } & InsufficientData);

export type QueueTrend =
  | {
      direction: QueueDirection;
      /** Mean depth over the short window, jobs. */
      current: number;
      /** Mean depth over the long window before the short one, jobs. */
      baseline: number;
      change: number;
      /** Least-squares slope of depth over the short window, jobs per minute. */
      slopePerMinute: number;
    }
  | ({ direction: 'insufficient_data' } & InsufficientData);

export type ErrorSpike =
  | {
      status: 'spike' | 'normal';
      /** Failed + dead-lettered share of finished jobs in the spike window, 0–1. */
      currentErrorRate: number;
      baselineMean: number;
      baselineStdDev: number;
      /** baselineMean + spikeSigmas · baselineStdDev. */
      threshold: number;
      errors: number;
      jobs: number;
    }
  | ({ status: 'insufficient_data' } & InsufficientData);

export interface TargetTrends {
  successRate: SuccessRateTrend;
  latencyP95: LatencyTrend;
}

export interface TrendsReport {
  /** `local` for this process's recorded snapshots, `prometheus` for a fleet backend's. */
  source: StatsSource;
  /** ISO time of the newest point, null before the first. */
  timestamp: string | null;
  /** Recorded intervals (the first snapshot only sets the baseline and is not counted). */
  points: number;
  capacity: number;
  intervalSeconds: number;
  shortWindowSeconds: number;
  longWindowSeconds: number;
  successRate: SuccessRateTrend;
  latencyP95: LatencyTrend;
  queueDepth: QueueTrend;
  errorSpike: ErrorSpike;
  /** Per target that finished jobs within the long window. */
  targets: Record<string, TargetTrends>;
}

interface Totals {
  succeeded: number;
  failed: number;
  dlq: number;
  latency: number[];
}

const DEFAULTS = {
  intervalMs: 10_000,
  retentionMs: 3_600_000,
  shortWindowMs: 5 * 60_000,
  longWindowMs: 30 * 60_000,
  spikeWindowMs: 60_000,
  minBaselinePoints: 6,
  minJobs: 10,
  successRateTolerance: 0.01,
  latencyTolerance: 0.2,
  latencyMinChangeSeconds: 0.01,
  queueTolerance: 0.1,
  queueMinChange: 1,
  spikeSigmas: 3,
  spikeMinErrors: 5,
  spikeMinBaselinePoints: 10,
};

type Settings = typeof DEFAULTS;

function settings(options: TrendsOptions): Settings {
  const s = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as Array<keyof Settings>) {
    const value = options[key];
    if (value === undefined) continue;
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`${key} must be a non-negative number, got ${value}`);
    }
    s[key] = value;
  }
  for (const key of ['intervalMs', 'retentionMs', 'shortWindowMs', 'longWindowMs'] as const) {
    if (!(s[key] > 0)) throw new RangeError(`${key} must be positive`);
  }
  if (s.longWindowMs <= s.shortWindowMs) {
    throw new RangeError('longWindowMs must be longer than shortWindowMs');
  }
  if (s.spikeWindowMs <= 0 || s.spikeWindowMs >= s.longWindowMs) {
    throw new RangeError('spikeWindowMs must be positive and shorter than longWindowMs');
  }
  return s;
}

/**
 * Records a compact summary of a snapshot every interval into a bounded ring buffer and derives
 * trends by comparing a short recent window with the rest of a long one. Never guesses: with too little data
 * a trend says `insufficient_data` and how much it needs.
 */
export class TrendsDetector {
  private readonly s: Settings;
  private readonly source: SnapshotSource | undefined;
  private readonly buffer: RingBuffer<TrendPoint>;
  private previous: CumulativeState | undefined;
  private boundaries: readonly number[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private recording = false;
  private lastReport: TrendsReport | undefined;
  private readonly listeners = new Set<(snapshot: MetricsSnapshot) => void>();

  constructor(options: TrendsOptions = {}) {
    this.s = settings(options);
    this.source = options.source;
    this.buffer = new RingBuffer(Math.ceil(this.s.retentionMs / this.s.intervalMs));
  }

  /** Maximum points kept (retention / interval). */
  get capacity(): number {
    return this.buffer.capacity;
  }

  /** Points currently kept, the baseline point included. */
  get size(): number {
    return this.buffer.size;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Takes a snapshot now and then every interval. The timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    if (this.source === undefined) throw new Error('TrendsDetector.start() needs a source option');
    this.timer = setInterval(() => void this.tick(), this.s.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Calls `listener` with every snapshot recorded; returns the unsubscribe function. */
  onRecord(listener: (snapshot: MetricsSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds a snapshot (what the timer does). Returns false for a snapshot not newer than the last
   * one recorded, which is ignored.
   */
  record(snapshot: MetricsSnapshot): boolean {
    const current = captureState(snapshot);
    if (this.previous !== undefined && current.at <= this.previous.at) return false;
    this.boundaries ??= latencyBoundaries(current);
    const last = this.buffer.last();
    this.buffer.push(
      trendPoint(snapshot, current, this.previous, this.boundaries, last?.targetNames),
    );
    this.previous = current;
    this.lastReport = undefined;
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (err) {
        diag.warn('otel-publishing-metrics: trends listener failed', err);
      }
    }
    return true;
  }

  /** Drops every point; the next snapshot starts a new baseline. */
  clear(): void {
    this.buffer.clear();
    this.previous = undefined;
    this.lastReport = undefined;
  }

  /** The trends of the recorded points; computed once per recorded point. */
  report(): TrendsReport {
    this.lastReport ??= this.compute();
    return this.lastReport;
  }

  private compute(): TrendsReport {
    const all = this.buffer.toArray();
    const points = all.filter((p) => p.seconds > 0);
    const newest = all[all.length - 1];
    const s = this.s;
    const report: TrendsReport = {
      source: 'local',
      timestamp: newest === undefined ? null : new Date(newest.at).toISOString(),
      points: points.length,
      capacity: this.capacity,
      intervalSeconds: s.intervalMs / 1000,
      shortWindowSeconds: s.shortWindowMs / 1000,
      longWindowSeconds: s.longWindowMs / 1000,
      successRate: { direction: 'insufficient_data', ...this.pointsShortage(0, 0) },
      latencyP95: { direction: 'insufficient_data', ...this.pointsShortage(0, 0) },
      queueDepth: { direction: 'insufficient_data', ...this.pointsShortage(0, 0) },
      errorSpike: {
        status: 'insufficient_data',
        reason: 'too_few_points',
        unit: 'points',
        have: 0,
        needed: s.spikeMinBaselinePoints,
      },
      targets: {},
    };
    if (newest === undefined) return report;

    const longFrom = newest.at - s.longWindowMs;
    const shortFrom = newest.at - s.shortWindowMs;
    const long = points.filter((p) => p.at > longFrom);
    const short = long.filter((p) => p.at > shortFrom);
    const older = long.length - short.length;
    const enough = short.length >= 2 && older >= s.minBaselinePoints;

    report.errorSpike = this.errorSpike(long, newest.at);
    if (!enough) {
      const shortage = this.pointsShortage(points.length, older);
      report.successRate = { direction: 'insufficient_data', ...shortage };
      report.latencyP95 = { direction: 'insufficient_data', ...shortage };
      report.queueDepth = { direction: 'insufficient_data', ...shortage };
      return report;
    }
    // The baseline is the long window before the short one: a p95 over a window that contains
    // the regression is dominated by it as soon as the slow jobs exceed 5 % of the window.
    const before = long.slice(0, older);
    const shortTotals = this.totals(short);
    const beforeTotals = this.totals(before);
    report.successRate = this.successTrend(shortTotals, beforeTotals);
    report.latencyP95 = this.latencyTrend(shortTotals, beforeTotals);
    report.queueDepth = this.queueTrend(short, before);

    const shortByTarget = this.targetTotals(short);
    const beforeByTarget = this.targetTotals(before);
    const names = new Set([...shortByTarget.keys(), ...beforeByTarget.keys()]);
    for (const name of [...names].sort()) {
      const shortTarget = shortByTarget.get(name) ?? this.emptyTotals();
      const beforeTarget = beforeByTarget.get(name) ?? this.emptyTotals();
      report.targets[name] = {
        successRate: this.successTrend(shortTarget, beforeTarget),
        latencyP95: this.latencyTrend(shortTarget, beforeTarget),
      };
    }
    return report;
  }

  private async tick(): Promise<void> {
    // A collection slower than the interval is not stacked up behind itself.
    if (this.recording || this.source === undefined) return;
    this.recording = true;
    try {
      this.record(await this.source.collectAll());
    } catch (err) {
      diag.warn('otel-publishing-metrics: trends could not take a snapshot', err);
    } finally {
      this.recording = false;
    }
  }

  private pointsShortage(have: number, older: number): InsufficientData {
    const s = this.s;
    const perShort = Math.ceil(s.shortWindowMs / s.intervalMs);
    const needed = Math.max(perShort, 2) + s.minBaselinePoints;
    return {
      reason: 'too_few_points',
      unit: 'points',
      have,
      // Recorded off-schedule, the count alone can look sufficient while the span is not.
      needed: Math.max(needed, have + (s.minBaselinePoints - older)),
    };
  }

  private emptyTotals(): Totals {
    const buckets = this.boundaries === undefined ? 0 : this.boundaries.length + 1;
    return { succeeded: 0, failed: 0, dlq: 0, latency: new Array<number>(buckets).fill(0) };
  }

  /** Sums of a window over the whole system. */
  private totals(points: readonly TrendPoint[]): Totals {
    const t = this.emptyTotals();
    const buckets = t.latency.length;
    for (const p of points) {
      t.succeeded += p.succeeded;
      t.failed += p.failed;
      t.dlq += p.dlq;
      if (p.latency.length === buckets) {
        for (let i = 0; i < buckets; i++) t.latency[i]! += p.latency[i]!;
      }
    }
    return t;
  }

  /** Sums of a window per target, in one pass over the packed rows. */
  private targetTotals(points: readonly TrendPoint[]): Map<string, Totals> {
    const out = new Map<string, Totals>();
    for (const p of points) {
      const stride = TARGET_FIELDS + p.latency.length;
      p.targetNames.forEach((name, row) => {
        let t = out.get(name);
        if (t === undefined) {
          t = this.emptyTotals();
          out.set(name, t);
        }
        const base = row * stride;
        t.succeeded += p.targetData[base]!;
        t.failed += p.targetData[base + 1]!;
        t.dlq += p.targetData[base + 2]!;
        if (p.latency.length === t.latency.length) {
          for (let i = 0; i < t.latency.length; i++) {
            t.latency[i]! += p.targetData[base + TARGET_FIELDS + i]!;
          }
        }
      });
    }
    return out;
  }

  private jobsShortage(have: number): InsufficientData {
    return { reason: 'too_few_jobs', unit: 'jobs', have, needed: this.s.minJobs };
  }

  private successTrend(short: Totals, long: Totals): SuccessRateTrend {
    const shortJobs = short.succeeded + short.failed + short.dlq;
    const longJobs = long.succeeded + long.failed + long.dlq;
    const minJobs = Math.max(1, this.s.minJobs);
    if (shortJobs < minJobs || longJobs < minJobs) {
      return {
        direction: 'insufficient_data',
        ...this.jobsShortage(Math.min(shortJobs, longJobs)),
      };
    }
    const current = short.succeeded / shortJobs;
    const baseline = long.succeeded / longJobs;
    const change = current - baseline;
    const tolerance = this.s.successRateTolerance;
    return {
      direction: change > tolerance ? 'improving' : change < -tolerance ? 'degrading' : 'stable',
      current,
      baseline,
      change,
      jobs: { current: shortJobs, baseline: longJobs },
    };
  }

  private p95(latency: number[]): number | undefined {
    if (this.boundaries === undefined) return undefined;
    return estimateQuantile(
      { boundaries: this.boundaries, counts: latency, sum: 0, count: 0 },
      0.95,
    );
  }

  private latencyTrend(short: Totals, long: Totals): LatencyTrend {
    const count = (t: Totals) => t.latency.reduce((a, b) => a + b, 0);
    const shortCount = count(short);
    const longCount = count(long);
    const minJobs = Math.max(1, this.s.minJobs);
    const currentSeconds = this.p95(short.latency);
    const baselineSeconds = this.p95(long.latency);
    if (
      shortCount < minJobs ||
      longCount < minJobs ||
      currentSeconds === undefined ||
      baselineSeconds === undefined
    ) {
      return {
        direction: 'insufficient_data',
        ...this.jobsShortage(Math.min(shortCount, longCount)),
      };
    }
    const change = currentSeconds - baselineSeconds;
    const relativeChange = baselineSeconds > 0 ? change / baselineSeconds : 0;
    const significant =
      Math.abs(change) >= this.s.latencyMinChangeSeconds &&
      (baselineSeconds === 0 || Math.abs(relativeChange) >= this.s.latencyTolerance);
    return {
      direction: !significant ? 'stable' : change > 0 ? 'degrading' : 'improving',
      currentSeconds,
      baselineSeconds,
      change,
      relativeChange,
    };
  }

  private queueTrend(short: readonly TrendPoint[], before: readonly TrendPoint[]): QueueTrend {
    const shortDepths = short.filter((p) => p.queueDepth !== undefined);
    const longDepths = before.filter((p) => p.queueDepth !== undefined);
    if (shortDepths.length < 2 || longDepths.length < this.s.minBaselinePoints) {
      const have = shortDepths.length + longDepths.length;
      return {
        direction: 'insufficient_data',
        reason: 'no_queue_data',
        unit: 'points',
        have,
        needed: Math.max(have + 1, 2 + this.s.minBaselinePoints),
      };
    }
    const current = mean(shortDepths.map((p) => p.queueDepth as number));
    const baseline = mean(longDepths.map((p) => p.queueDepth as number));
    const change = current - baseline;
    const threshold = Math.max(this.s.queueMinChange, this.s.queueTolerance * baseline);
    const first = shortDepths[0]!.at;
    const slopePerMinute = leastSquaresSlope(
      shortDepths.map((p) => (p.at - first) / 60_000),
      shortDepths.map((p) => p.queueDepth as number),
    );
    return {
      direction: change > threshold ? 'growing' : change < -threshold ? 'shrinking' : 'stable',
      current,
      baseline,
      change,
      slopePerMinute,
    };
  }

  /**
   * The error rate (failed + dead-lettered share of finished jobs) of the last spike window
   * against the per-interval rates before it within the long window: a spike exceeds the
   * baseline mean by `spikeSigmas` standard deviations and has at least `spikeMinErrors` errors
   * and `minJobs` jobs, so one failure among three jobs is not a spike.
   */
  private errorSpike(long: readonly TrendPoint[], newestAt: number): ErrorSpike {
    const s = this.s;
    const from = newestAt - s.spikeWindowMs;
    const current = long.filter((p) => p.at > from);
    const baselineRates = long
      .filter((p) => p.at <= from)
      .map((p) => ({ jobs: p.succeeded + p.failed + p.dlq, errors: p.failed + p.dlq }))
      .filter((p) => p.jobs > 0)
      .map((p) => p.errors / p.jobs);
    if (baselineRates.length < s.spikeMinBaselinePoints) {
      return {
        status: 'insufficient_data',
        reason: 'too_few_points',
        unit: 'points',
        have: baselineRates.length,
        needed: s.spikeMinBaselinePoints,
      };
    }
    let jobs = 0;
    let errors = 0;
    for (const p of current) {
      jobs += p.succeeded + p.failed + p.dlq;
      errors += p.failed + p.dlq;
    }
    if (jobs < Math.max(1, s.minJobs)) {
      return { status: 'insufficient_data', ...this.jobsShortage(jobs) };
    }
    const baselineMean = mean(baselineRates);
    const baselineStdDev = standardDeviation(baselineRates);
    const threshold = baselineMean + s.spikeSigmas * baselineStdDev;
    const currentErrorRate = errors / jobs;
    return {
      status: currentErrorRate > threshold && errors >= s.spikeMinErrors ? 'spike' : 'normal',
      currentErrorRate,
      baselineMean,
      baselineStdDev,
      threshold,
      errors,
      jobs,
    };
  }
}
