import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import type { PublishingStats, StatsAggregator } from '../stats/aggregator.js';
import type { SnapshotSource } from '../stats/trends-report.js';
import { AnswerMemo } from './answer-memo.js';

/** One snapshot, its statistics (computed on first use) and its encoded answers. */
export class CachedStats extends AnswerMemo {
  private statsValue: PublishingStats | undefined;

  constructor(
    readonly snapshot: MetricsSnapshot,
    private readonly aggregator: StatsAggregator,
    /** performance.now() when the snapshot arrived. */
    readonly fetchedAt: number,
  ) {
    super();
  }

  /** Statistics of this snapshot, computed once on first use. */
  get stats(): PublishingStats {
    this.statsValue ??= this.aggregator.compute(this.snapshot);
    return this.statsValue;
  }
}

/**
 * A short-lived snapshot shared by every request: within the TTL requests reuse it, and
 * concurrent requests after it expires await one `collectAll()`, so request load never
 * multiplies collection work. A failed collection is not cached.
 */
export class StatsCache {
  private current: CachedStats | undefined;
  private inflight: Promise<CachedStats> | undefined;

  constructor(
    private readonly source: SnapshotSource,
    private readonly aggregator: StatsAggregator,
    private readonly ttlMs: number,
  ) {}

  get(): Promise<CachedStats> {
    const current = this.current;
    if (current !== undefined && performance.now() - current.fetchedAt < this.ttlMs) {
      return Promise.resolve(current);
    }
    if (this.inflight !== undefined) return this.inflight;
    const run = Promise.resolve()
      .then(() => this.source.collectAll())
      .then((snapshot) => {
        const entry = new CachedStats(snapshot, this.aggregator, performance.now());
        this.current = entry;
        return entry;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    this.inflight = run;
    return run;
  }
}
