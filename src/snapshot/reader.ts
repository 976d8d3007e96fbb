import {
  MetricReader,
  type MetricProducer,
  type MetricReaderOptions,
} from '@opentelemetry/sdk-metrics';
import { DEFAULT_NAMESPACE } from '../catalog.js';
import { familiesFromResourceMetrics } from './from-metric-data.js';
import { MetricsSnapshot, type CollectorStatus } from './snapshot.js';

/** The registry a SnapshotReader takes collector statuses and the namespace from. */
export interface CollectorStatusSource {
  readonly namespace: string;
  readonly producer: MetricProducer;
  statuses(): Record<string, CollectorStatus>;
}

export interface SnapshotReaderOptions extends MetricReaderOptions {
  /**
   * A PublishingMetricsCollector on the producer path: its series are collected with the
   * provider's own instruments and its collector statuses go into every snapshot.
   */
  collector?: CollectorStatusSource;
}

/**
 * A real MetricReader: register it on any MeterProvider and `collectAll()` turns what that
 * provider collects — the host's own instruments, the library's instruments on the instrument
 * path, or the library's series through the producer path (`collector`) — into a
 * {@link MetricsSnapshot}, names as the Prometheus exporter gives them. For the library's
 * metrics alone no reader is needed: `PublishingMetricsCollector.collectAll()`.
 */
export class SnapshotReader extends MetricReader {
  private readonly collector: CollectorStatusSource | undefined;

  constructor(options: SnapshotReaderOptions = {}) {
    const { collector, ...readerOptions } = options;
    super({
      ...readerOptions,
      metricProducers: [
        ...(readerOptions.metricProducers ?? []),
        ...(collector !== undefined ? [collector.producer] : []),
      ],
    });
    this.collector = collector;
  }

  /** Collects once through the provider this reader is registered on, as a snapshot. */
  async collectAll(options: { timeoutMs?: number } = {}): Promise<MetricsSnapshot> {
    const started = performance.now();
    const { resourceMetrics, errors } = await this.collect(
      options.timeoutMs !== undefined ? { timeoutMillis: options.timeoutMs } : {},
    );
    const statuses: Record<string, CollectorStatus> = { ...this.collector?.statuses() };
    if (errors.length > 0) {
      statuses['sdk'] = {
        available: true,
        ok: false,
        durationMs: performance.now() - started,
        error: errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '),
      };
    }
    return new MetricsSnapshot(
      new Date(),
      performance.now() - started,
      familiesFromResourceMetrics(resourceMetrics),
      statuses,
      this.collector?.namespace ?? DEFAULT_NAMESPACE,
    );
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
