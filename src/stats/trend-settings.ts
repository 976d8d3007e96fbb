/**
 * Trend detection's settings: the defaults (10 s points kept for an hour, a 5 min window against
 * the 30 min before it) and the validation that turns bad options into a clear RangeError at
 * construction instead of a detector that never reports.
 */
import type { TrendsOptions } from './trends-report.js';

export const TREND_DEFAULTS = {
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

export type TrendSettings = typeof TREND_DEFAULTS;

export function trendSettings(options: TrendsOptions): TrendSettings {
  const s = { ...TREND_DEFAULTS };
  for (const key of Object.keys(TREND_DEFAULTS) as Array<keyof TrendSettings>) {
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
