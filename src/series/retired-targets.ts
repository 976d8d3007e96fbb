/** What keeps a target's series for its return: the recorders. */
export interface TargetSeriesOwner {
  /** The target's series leave the exports; their values are kept. */
  forgetTarget(target: string): void;
  /** Forgets the kept values of the target's series. */
  dropRetired(target: string): void;
}

/**
 * Default time a removed target's recorder counters and histograms are kept, unexported, for its
 * return: 15 minutes. A target that drops out of discovery for a refresh or two (a failed
 * secret read, a config reload, a health monitor restart) usually returns within minutes; when
 * it does, its counters continue from where they were, so Prometheus `increase()` and `rate()`
 * stay exact. Were they restarted at zero, a return with more events than before (seen by no
 * scrape as zero) reads as a smaller increase: 8 jobs after a return were counted as +5.
 * Fifteen minutes also covers the common `rate(...[5m])` to `[15m]` windows of alert rules.
 */
export const DEFAULT_RETIRED_TARGET_GRACE_MS = 15 * 60_000;

/**
 * Removed targets whose recorder values are kept for their return. Bounded twice: by time (the
 * grace period) and by count (`maxRetired`, by default the target cap: the oldest retired target
 * is forgotten first), so a discovery source that churns names cannot grow memory. A kept
 * target costs its series' values only (~1.5 KB for the queue and one publisher).
 */
export class RetiredTargets {
  /** Retired target → when it was retired (ms), oldest first. */
  private readonly retired = new Map<string, number>();

  constructor(
    readonly graceMs: number,
    readonly maxRetired: number,
  ) {
    if (typeof graceMs !== 'number' || !(graceMs >= 0) || !Number.isFinite(graceMs)) {
      throw new RangeError(
        `retiredTargetGraceMs must be a non-negative finite number of milliseconds, got ${String(graceMs)}`,
      );
    }
  }

  /** Retires `target` in every recorder: its series leave the exports, their values are kept. */
  retire(target: string, recorders: readonly TargetSeriesOwner[], now = Date.now()): void {
    for (const recorder of recorders) recorder.forgetTarget(target);
    this.retired.delete(target);
    this.retired.set(target, now);
    if (this.graceMs === 0) this.drop(target, recorders);
    while (this.retired.size > this.maxRetired) {
      const oldest = this.retired.keys().next().value as string;
      this.drop(oldest, recorders);
    }
  }

  /** Forgets the kept values of every target retired longer than the grace period ago. */
  expire(recorders: readonly TargetSeriesOwner[], now = Date.now()): void {
    for (const [target, at] of this.retired) {
      if (now - at < this.graceMs) break;
      this.drop(target, recorders);
    }
  }

  /** Targets whose values are kept now. */
  get size(): number {
    return this.retired.size;
  }

  private drop(target: string, recorders: readonly TargetSeriesOwner[]): void {
    this.retired.delete(target);
    for (const recorder of recorders) recorder.dropRetired(target);
  }
}
