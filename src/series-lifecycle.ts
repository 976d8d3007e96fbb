import type { Attributes } from '@opentelemetry/api';
import type { MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { CollectorRun } from './collectors/port-collector.js';
import { seriesKey } from './snapshot/series-key.js';

interface CollectorState {
  failed: boolean;
  observed: ReadonlyMap<string, readonly Attributes[]>;
  targets: ReadonlySet<string>;
}

const NOTHING = new Map<string, readonly Attributes[]>();

/**
 * Decides which observed series a reader may export. The OTel SDK (sdk-metrics 2.x) keeps
 * re-exporting every attribute set an asynchronous instrument ever observed, and re-exports the
 * last values of a callback that failed, with nothing marking them stale — contrary to the OTel
 * spec ("MetricReader.Collect MUST only receive data points with measurements recorded since the
 * previous collection"). This withholds:
 * - series a collector's last successful run did not observe (removed targets, absent values),
 * - all series of a collector whose last run failed or timed out (stale values are not fresh),
 * - series of instruments whose collector was unregistered.
 */
export class SeriesLifecycle {
  private readonly owners = new Map<string, string>();
  private readonly states = new Map<string, CollectorState>();

  /** Declares the instruments a registered collector owns. */
  own(collector: string, instruments: readonly string[]): void {
    for (const name of instruments) this.owners.set(name, collector);
  }

  /** Forgets a collector: its instruments' series are withheld until it registers again. */
  disown(collector: string): void {
    for (const [name, owner] of this.owners) if (owner === collector) this.owners.delete(name);
    this.states.delete(collector);
  }

  /** Records a run; returns the targets the previous successful run reported and this one not. */
  onRun(collector: string, run: CollectorRun): string[] {
    const previous = this.states.get(collector);
    if (!run.ok) {
      // A failed run says nothing about which targets exist: keep them, withhold the values.
      this.states.set(collector, {
        failed: true,
        observed: previous?.observed ?? NOTHING,
        targets: previous?.targets ?? new Set(),
      });
      return [];
    }
    const targets = run.targets ?? new Set<string>();
    this.states.set(collector, { failed: false, observed: run.observed ?? NOTHING, targets });
    const vanished: string[] = [];
    if (previous !== undefined)
      for (const t of previous.targets) if (!targets.has(t)) vanished.push(t);
    return vanished;
  }

  /** True when any collector's last run still reports `target`. */
  isReported(target: string): boolean {
    for (const state of this.states.values()) if (state.targets.has(target)) return true;
    return false;
  }

  /** A copy of our instrumentation scope without withheld series (the input is not modified). */
  prune(scope: ScopeMetrics): ScopeMetrics {
    const metrics: MetricData[] = [];
    for (const metric of scope.metrics) {
      const name = metric.descriptor.name;
      const owner = this.owners.get(name);
      const state = owner === undefined ? undefined : this.states.get(owner);
      if (state === undefined || state.failed) continue;
      const observed = state.observed.get(name);
      if (observed === undefined) continue;
      const points = metric.dataPoints as ReadonlyArray<{ attributes: Attributes }>;
      // The SDK exports what was observed plus what it remembers: equal counts mean nothing stale,
      // which spares building keys in the common case.
      if (points.length <= observed.length) {
        metrics.push(metric);
        continue;
      }
      const live = new Set(observed.map((a) => seriesKey('', a as Record<string, string>)));
      const kept = points.filter((p) =>
        live.has(seriesKey('', p.attributes as Record<string, string>)),
      );
      if (kept.length > 0) metrics.push({ ...metric, dataPoints: kept } as MetricData);
    }
    return { ...scope, metrics };
  }
}
