/**
 * The public shapes of trend detection: its options and the report `GET /trends` answers. Kept
 * apart from the detector so a consumer of the report (a dashboard, the fleet view) reads the
 * contract without the ring buffer and window arithmetic.
 */
import type { StatsSource } from './aggregator.js';
import type { MetricsSnapshot } from '../snapshot/snapshot.js';

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
