/**
 * Where each firing alert was posted in Slack (fingerprint → message ts), so its re-notifications
 * and its resolution are threaded under the first message instead of flooding the channel. Shared by
 * all Slack publishers (keyed per target) so the cache-size gauge is the process total. Bounded:
 * the oldest entry goes first, and entries older than the TTL count as misses.
 */
import type { Recorders } from '../recorders.js';

export interface SlackThread {
  channel: string;
  ts: string;
}

interface Entry extends SlackThread {
  storedAt: number;
}

export class SlackMessageCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly recorders: Recorders,
    private readonly capacity = 10_000,
    private readonly ttlMs = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The thread of an alert, counted as a cache hit or miss. */
  lookup(target: string, fingerprint: string): SlackThread | undefined {
    const key = cacheKey(target, fingerprint);
    const entry = this.entries.get(key);
    const fresh = entry !== undefined && this.now() - entry.storedAt < this.ttlMs;
    if (entry && !fresh) this.delete(target, fingerprint);
    this.recorders.publisher.recordSlackCacheLookup(fresh);
    return fresh ? { channel: entry.channel, ts: entry.ts } : undefined;
  }

  store(target: string, fingerprint: string, thread: SlackThread): void {
    const key = cacheKey(target, fingerprint);
    this.entries.delete(key);
    this.entries.set(key, { ...thread, storedAt: this.now() });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.recorders.publisher.setSlackCacheSize(this.entries.size);
  }

  delete(target: string, fingerprint: string): void {
    if (this.entries.delete(cacheKey(target, fingerprint)))
      this.recorders.publisher.setSlackCacheSize(this.entries.size);
  }

  /** Forget a removed target's threads. */
  deleteTarget(target: string): void {
    const prefix = cacheKey(target, '');
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
    this.recorders.publisher.setSlackCacheSize(this.entries.size);
  }
}

function cacheKey(target: string, fingerprint: string): string {
  return `${target}\u0000${fingerprint}`;
}
