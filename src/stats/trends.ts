import { diag } from '@opentelemetry/api';
import { estimateQuantile } from '../snapshot/histogram.js';
import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import { captureState, type CumulativeState } from './deltas.js';
import { RingBuffer } from './ring-buffer.js';
import { emptyTotals, targetWindowTotals, windowTotals, type Totals } from './trend-totals.js';
import { trendSettings, type TrendSettings } from './trend-settings.js';
import { leastSquaresSlope, mean, standardDeviation } from './trend-math.js';
import { latencyBoundaries, trendPoint, type TrendPoint } from './trend-point.js';
import type {
  SnapshotSource,
  TrendsOptions,
  InsufficientData,
  SuccessRateTrend,
  LatencyTrend,
  QueueTrend,
  ErrorSpike,
  TrendsReport,
} from './trends-report.js';

/**
 * Records a compact summary of a snapshot every interval into a bounded ring buffer and derives
 * trends by comparing a short recent window with the rest of a long one. Never guesses: with too little data
 * a trend says `insufficient_data` and how much it needs.
 */
export class TrendsDetector {
  private readonly s: TrendSettings;
  private readonly source: SnapshotSource | undefined;
  private readonly buffer: RingBuffer<TrendPoint>;
  private previous: CumulativeState | undefined;
  private boundaries: readonly number[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private recording = false;
  private lastReport: TrendsReport | undefined;
  private readonly listeners = new Set<(snapshot: MetricsSnapshot) => void>();

  constructor(options: TrendsOptions = {}) {
    this.s = trendSettings(options);
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
    const shortTotals = windowTotals(short, this.boundaries);
    const beforeTotals = windowTotals(before, this.boundaries);
    report.successRate = this.successTrend(shortTotals, beforeTotals);
    report.latencyP95 = this.latencyTrend(shortTotals, beforeTotals);
    report.queueDepth = this.queueTrend(short, before);

    const shortByTarget = targetWindowTotals(short, this.boundaries);
    const beforeByTarget = targetWindowTotals(before, this.boundaries);
    const names = new Set([...shortByTarget.keys(), ...beforeByTarget.keys()]);
    for (const name of [...names].sort()) {
      const shortTarget = shortByTarget.get(name) ?? emptyTotals(this.boundaries);
      const beforeTarget = beforeByTarget.get(name) ?? emptyTotals(this.boundaries);
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
