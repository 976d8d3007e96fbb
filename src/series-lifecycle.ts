import type { ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { CollectorRun } from './collectors/port-collector.js';

/**
 * Decides which observed series a reader may export. The OTel SDK (sdk-metrics 2.x) keeps
 * re-exporting every attribute set an asynchronous instrument ever observed, and re-exports the
 * last values of a callback that failed, with nothing marking them stale. This withholds:
 * - series of targets a collector no longer reports (removed targets disappear),
 * - all series of a collector whose last run failed or timed out (stale values are not fresh),
 * - series of instruments whose collector was unregistered.
 */
export class SeriesLifecycle {
  private readonly owners = new Map<string, string>();
  private readonly failed = new Set<string>();
  private readonly retired = new Map<string, Set<string>>();
  private readonly current = new Map<string, ReadonlySet<string>>();

  /** Declares the instruments a registered collector owns. */
  own(collector: string, instruments: readonly string[]): void {
    for (const name of instruments) this.owners.set(name, collector);
  }

  /** Forgets a collector: its instruments' series are withheld until it registers again. */
  disown(collector: string): void {
    for (const [name, owner] of this.owners) if (owner === collector) this.owners.delete(name);
    this.failed.delete(collector);
    this.retired.delete(collector);
    this.current.delete(collector);
  }

  /**
   * Records a run. Returns the targets that this collector reported last time and not now.
   */
  onRun(collector: string, run: CollectorRun): string[] {
    if (!run.ok || run.targets === undefined) {
      if (!run.ok) this.failed.add(collector);
      return [];
    }
    this.failed.delete(collector);
    const previous = this.current.get(collector);
    this.current.set(collector, run.targets);
    let retired = this.retired.get(collector);
    const vanished: string[] = [];
    if (previous !== undefined) {
      for (const t of previous) if (!run.targets.has(t)) vanished.push(t);
    }
    if (vanished.length > 0 && retired === undefined) {
      retired = new Set();
      this.retired.set(collector, retired);
    }
    for (const t of vanished) retired!.add(t);
    // A target that came back is live again.
    if (retired !== undefined) {
      for (const t of run.targets) retired.delete(t);
      if (retired.size === 0) this.retired.delete(collector);
    }
    return vanished;
  }

  /** True when any running collector still reports `target`. */
  isReported(target: string): boolean {
    for (const targets of this.current.values()) if (targets.has(target)) return true;
    return false;
  }

  /** A copy of our instrumentation scope without withheld series (the input is not modified). */
  prune(scope: ScopeMetrics): ScopeMetrics {
    const metrics: ScopeMetrics['metrics'] = [];
    for (const metric of scope.metrics) {
      const name = metric.descriptor.name;
      const owner = this.owners.get(name);
      if (owner === undefined || this.failed.has(owner)) continue;
      const retired = this.retired.get(owner);
      if (retired === undefined) {
        metrics.push(metric);
        continue;
      }
      const dataPoints = (
        metric.dataPoints as Array<{ attributes: Record<string, unknown> }>
      ).filter((p) => !retired.has(p.attributes['target'] as string));
      if (dataPoints.length > 0) metrics.push({ ...metric, dataPoints } as typeof metric);
    }
    return { ...scope, metrics };
  }
}
