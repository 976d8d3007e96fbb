import { MetricReader } from '@opentelemetry/sdk-metrics';
import { MetricsSnapshot, type CollectorStatus, type MetricFamily } from './snapshot.js';

/** What a SnapshotReader needs from the registry it serves. */
export interface SnapshotSource {
  readonly namespace: string;
  statuses(): Record<string, CollectorStatus>;
  /** Runs the collectors and returns every family of the library's metrics. */
  collectFamilies(): Promise<ReadonlyMap<string, MetricFamily>>;
}

/**
 * A MetricReader whose `collectAll()` returns a {@link MetricsSnapshot} of the library's metrics
 * (port collectors run, recorder series, collector status). Register it among a MeterProvider's
 * readers and hand it to the PublishingMetricsCollector, which binds it. As a plain reader its
 * `collect()` returns what every attached reader exports.
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
    const families = await source.collectFamilies();
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
