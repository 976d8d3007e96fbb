import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import { captureState, windowDeltas, type CumulativeState } from './deltas.js';
import { resolveSlo, type Slo, type SloOptions } from './health-score.js';
import { buildSystemStats, type SystemStats } from './system-stats.js';
import { buildTargetStats, windowsByTarget, type TargetStats } from './target-stats.js';

export const DEFAULT_STATS_WINDOW_MS = 5 * 60_000;

/**
 * Kept baselines per window: one per `window / HISTORY_RESOLUTION`, so the oldest baseline inside
 * the window is at most 5 % younger than the window however often snapshots arrive.
 */
const HISTORY_RESOLUTION = 20;

export interface StatsAggregatorOptions {
  /** Window of rates, percentiles and deltas, milliseconds (default 5 minutes). */
  windowMs?: number;
  /** Score thresholds and weights. */
  slo?: SloOptions;
}

/** Which span window figures cover. */
export interface StatsWindow {
  /** The configured window, seconds. */
  requestedSeconds: number;
  /** The span actually compared, seconds; null when no earlier snapshot was in the window. */
  seconds: number | null;
  /** ISO time of the baseline snapshot, null without one. */
  from: string | null;
  to: string;
  /**
   * `window`: newest minus the oldest snapshot kept in the window. `since_start`: no earlier
   * snapshot yet, so counts are everything since the counters started.
   */
  basis: 'window' | 'since_start';
}

/**
 * Where statistics come from: `local`, this process's snapshots; `prometheus`, a
 * Prometheus-compatible query API holding every replica (the fleet).
 */
export type StatsSource = 'local' | 'prometheus';

export interface PublishingStats {
  source: StatsSource;
  /** With `source: 'prometheus'`: how many replicas the backend holds data of. */
  fleet?: { replicas: number };
  /** ISO time of the snapshot the stats come from. */
  timestamp: string;
  window: StatsWindow;
  system: SystemStats;
  /** Every target, sorted by name. */
  targets: TargetStats[];
}

/**
 * Turns snapshots into system and per-target statistics over a sliding window. It keeps a small
 * history of counter states (not whole snapshots) and compares the newest snapshot with the
 * oldest one kept inside the window; counter resets count the later value as the increase.
 */
/**
 * Per-target and system statistics of `snapshot` against `baseline` (the window's start): the
 * one derivation behind local and fleet stats alike.
 */
export function windowStats(
  snapshot: MetricsSnapshot,
  current: CumulativeState,
  baseline: CumulativeState | undefined,
  slo: Slo,
): { targets: TargetStats[]; system: SystemStats } {
  const windows = windowsByTarget(windowDeltas(current, baseline));
  const targets = buildTargetStats(snapshot, windows, slo);
  const system = buildSystemStats({ snapshot, current, baseline, windows, targets, slo });
  return { targets, system };
}

export class StatsAggregator {
  readonly windowMs: number;
  readonly slo: Slo;
  private history: CumulativeState[] = [];

  constructor(options: StatsAggregatorOptions = {}) {
    const windowMs = options.windowMs ?? DEFAULT_STATS_WINDOW_MS;
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new RangeError(`windowMs must be a positive number, got ${windowMs}`);
    }
    this.windowMs = windowMs;
    this.slo = resolveSlo(options.slo);
  }

  /** Remembers a snapshot as a future baseline (e.g. every snapshot a trends detector takes). */
  observe(snapshot: MetricsSnapshot): void {
    this.remember(captureState(snapshot));
  }

  /** Statistics of `snapshot` over the window; the snapshot is remembered as well. */
  compute(snapshot: MetricsSnapshot): PublishingStats {
    const current = captureState(snapshot);
    const baseline = this.baselineFor(current.at);
    this.remember(current);
    const { targets, system } = windowStats(snapshot, current, baseline, this.slo);
    return {
      source: 'local',
      timestamp: snapshot.timestamp.toISOString(),
      window: {
        requestedSeconds: this.windowMs / 1000,
        seconds: baseline === undefined ? null : (current.at - baseline.at) / 1000,
        from: baseline === undefined ? null : new Date(baseline.at).toISOString(),
        to: snapshot.timestamp.toISOString(),
        basis: baseline === undefined ? 'since_start' : 'window',
      },
      system,
      targets,
    };
  }

  /** Baselines currently kept (bounded by the window resolution). */
  get historySize(): number {
    return this.history.length;
  }

  private baselineFor(at: number): CumulativeState | undefined {
    const from = at - this.windowMs;
    return this.history.find((s) => s.at >= from && s.at < at);
  }

  private remember(state: CumulativeState): void {
    const newest = Math.max(state.at, this.history[this.history.length - 1]?.at ?? -Infinity);
    const from = newest - this.windowMs;
    this.history = this.history.filter((s) => s.at >= from);
    if (state.at < from) return;
    // Kept only when far enough from every kept state, which bounds the history at ~21 entries.
    const spacing = this.windowMs / HISTORY_RESOLUTION;
    if (this.history.some((s) => Math.abs(s.at - state.at) < spacing)) return;
    this.history.push(state);
    this.history.sort((a, b) => a.at - b.at);
  }
}
