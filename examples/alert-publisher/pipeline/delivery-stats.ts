/**
 * Recent delivery outcomes per target (a ring of the last N jobs) for the live view: success ratio
 * and p95 over recent jobs, not lifetime averages that hide a target that just broke.
 */

export interface DeliverySummary {
  jobs: number;
  /** 0–1 over the window; undefined before any job. */
  successRate: number | undefined;
  /** Seconds; undefined before any job. */
  p95Seconds: number | undefined;
}

class OutcomeRing {
  private readonly ok: Uint8Array;
  private readonly seconds: Float64Array;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.ok = new Uint8Array(capacity);
    this.seconds = new Float64Array(capacity);
  }

  push(succeeded: boolean, durationSeconds: number): void {
    this.ok[this.next] = succeeded ? 1 : 0;
    this.seconds[this.next] = durationSeconds;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  summary(): DeliverySummary {
    if (this.count === 0) return { jobs: 0, successRate: undefined, p95Seconds: undefined };
    let succeeded = 0;
    for (let i = 0; i < this.count; i++) succeeded += this.ok[i] ?? 0;
    const sorted = this.seconds.slice(0, this.count).sort();
    const p95 = sorted[Math.min(this.count - 1, Math.ceil(this.count * 0.95) - 1)];
    return { jobs: this.count, successRate: succeeded / this.count, p95Seconds: p95 };
  }
}

export class DeliveryStats {
  private readonly rings = new Map<string, OutcomeRing>();

  constructor(private readonly window = 200) {}

  record(target: string, succeeded: boolean, durationSeconds: number): void {
    let ring = this.rings.get(target);
    if (!ring) {
      ring = new OutcomeRing(this.window);
      this.rings.set(target, ring);
    }
    ring.push(succeeded, durationSeconds);
  }

  summary(target: string): DeliverySummary {
    return (
      this.rings.get(target)?.summary() ?? {
        jobs: 0,
        successRate: undefined,
        p95Seconds: undefined,
      }
    );
  }

  removeTarget(target: string): void {
    this.rings.delete(target);
  }
}
