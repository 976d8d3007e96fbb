import { diag } from '@opentelemetry/api';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { familiesOf } from './families.js';
import { MetricsSnapshot, type CollectorStatus } from './snapshot.js';

/** What a SnapshotReader needs from the registry it serves. */
export interface SnapshotSource {
  readonly namespace: string;
  readonly scopeName: string;
  statuses(): Record<string, CollectorStatus>;
}

/**
 * A MetricReader whose `collectAll()` turns one SDK collection into a {@link MetricsSnapshot}.
 * Register it among a MeterProvider's readers and hand it to the PublishingMetricsCollector,
 * which binds it (withheld stale series, recorder metrics, collector status).
 */
export class SnapshotReader extends MetricReader {
  private source: SnapshotSource | undefined;

  /** Called by PublishingMetricsCollector; a reader serves one registry. */
  bind(source: SnapshotSource): void {
    if (this.source !== undefined && this.source !== source) {
      throw new Error('this SnapshotReader is already bound to another PublishingMetricsCollector');
    }
    this.source = source;
  }

  /** Collects once and returns the snapshot. Prefer `PublishingMetricsCollector.collectAll()`, which shares concurrent calls. */
  async collectAll(): Promise<MetricsSnapshot> {
    const source = this.source;
    if (source === undefined) {
      throw new Error('SnapshotReader is not bound: pass it to a PublishingMetricsCollector first');
    }
    const started = performance.now();
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0)
      diag.warn('otel-publishing-metrics: errors during collection', ...errors);
    const families = familiesOf(resourceMetrics, source.scopeName);
    return new MetricsSnapshot(
      new Date(),
      performance.now() - started,
      families,
      source.statuses(),
      source.namespace,
    );
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
