import type { MetricsSnapshot } from '../snapshot/snapshot.js';
import type { PublishingStats, StatsAggregator } from '../stats/aggregator.js';
import type { SnapshotSource } from '../stats/trends-report.js';
import type { EncodedJson } from './respond.js';

/** Encoded answers kept per snapshot; bounded so varied query strings cannot grow it. */
const MAX_BODIES = 64;

export class CachedStats {
  private statsValue: PublishingStats | undefined;
  /**
   * Keyed by endpoint and parsed query. Answers live and die with this snapshot, so an answer is
   * never served for another snapshot, and a new snapshot (after the TTL) renders afresh.
   */
  private readonly bodies = new Map<string, EncodedJson>();

  constructor(
    readonly snapshot: MetricsSnapshot,
    private readonly aggregator: StatsAggregator,
    /** performance.now() when the snapshot arrived. */
    readonly fetchedAt: number,
  ) {}

  /** Statistics of this snapshot, computed once on first use. */
  get stats(): PublishingStats {
    this.statsValue ??= this.aggregator.compute(this.snapshot);
    return this.statsValue;
  }

  /** The answer for `key` from this snapshot, rendered and encoded once per key. */
  memo(key: string, make: () => EncodedJson): EncodedJson {
    const kept = this.bodies.get(key);
    if (kept !== undefined) return kept;
    const value = make();
    if (this.bodies.size < MAX_BODIES) this.bodies.set(key, value);
    return value;
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
