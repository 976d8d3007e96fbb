/**
 * Jobs that could not be delivered, kept per target for replay. Bounded per target: when full the
 * oldest entry is dropped, since replaying hour-old alerts is worth less than keeping recent ones.
 */
import type { ErrorType } from '../recorders.js';
import type { Job } from './job.js';

export interface DlqEntry {
  job: Job;
  errorType: ErrorType;
  /** Why the last attempt failed. */
  error: string;
  /** Date.now() when the job first landed here. */
  deadAt: number;
  replays: number;
}

export class DeadLetterQueue {
  private readonly byTarget = new Map<string, DlqEntry[]>();
  /** Entries dropped, lifetime: for capacity, or after their last allowed replay. */
  dropped = 0;

  constructor(
    private readonly capacityPerTarget = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(entry: DlqEntry): void {
    const entries = this.entriesOf(entry.job.target);
    entries.push(entry);
    if (entries.length > this.capacityPerTarget) {
      entries.shift();
      this.dropped++;
    }
  }

  /** Removes and returns up to `limit` oldest entries of a target. */
  take(target: string, limit: number): DlqEntry[] {
    const entries = this.byTarget.get(target);
    if (!entries) return [];
    const taken = entries.splice(0, limit);
    if (entries.length === 0) this.byTarget.delete(target);
    return taken;
  }

  /** Puts entries back at the front, oldest first (a replay that stopped early). */
  restore(target: string, entries: readonly DlqEntry[]): void {
    if (entries.length === 0) return;
    const current = this.entriesOf(target);
    current.unshift(...entries);
    const overflow = current.length - this.capacityPerTarget;
    if (overflow > 0) {
      current.splice(0, overflow);
      this.dropped += overflow;
    }
  }

  /** Gives up on an entry already taken out (its replays are used up). */
  discard(): void {
    this.dropped++;
  }

  removeTarget(target: string): void {
    this.byTarget.delete(target);
  }

  targets(): string[] {
    return [...this.byTarget.keys()];
  }

  sizeOf(target: string): number {
    return this.byTarget.get(target)?.length ?? 0;
  }

  sizes(): Record<string, number> {
    const sizes: Record<string, number> = {};
    for (const [target, entries] of this.byTarget) sizes[target] = entries.length;
    return sizes;
  }

  get total(): number {
    let total = 0;
    for (const entries of this.byTarget.values()) total += entries.length;
    return total;
  }

  /** Age of the oldest entry in seconds, 0 when empty. */
  oldestAgeSeconds(): number {
    let oldest = Infinity;
    for (const entries of this.byTarget.values())
      oldest = Math.min(oldest, entries[0]?.deadAt ?? Infinity);
    return oldest === Infinity ? 0 : Math.max(0, (this.now() - oldest) / 1000);
  }

  private entriesOf(target: string): DlqEntry[] {
    let entries = this.byTarget.get(target);
    if (!entries) {
      entries = [];
      this.byTarget.set(target, entries);
    }
    return entries;
  }
}
