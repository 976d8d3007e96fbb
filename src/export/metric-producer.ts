import type {
  CollectionResult,
  MetricCollectOptions,
  MetricData,
  MetricProducer,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SeriesStore } from '../series/series-store.js';
import { SCOPE_NAME, SCOPE_VERSION } from '../version.js';
import { storeMetricData } from './store-metric-data.js';

/** What the producer needs from the registry it serves. */
export interface ProducerSource {
  /**
   * Runs the collectors once (sharing a run in progress) within `timeoutMs` when given; after
   * the registry's shutdown it resolves at once and the final values stay.
   */
  prepare(timeoutMs: number | undefined): Promise<void>;
  /** Every store whose series are exported now. */
  stores(): readonly SeriesStore[];
}

/** Producers' resources are ignored: the reader keeps its MeterProvider's resource. */
const IGNORED_RESOURCE = resourceFromAttributes({});

/**
 * The producer path: the library's series handed to OTel readers through the specification's
 * `MetricProducer` (`metricProducers` of `MetricReader`, `PeriodicExportingMetricReader`,
 * `PrometheusExporter`). Each `collect()` runs the collectors under their own timeouts (sharing
 * a run in progress with every other reader and `collectAll()`) and returns the stores' series
 * directly, so a removed target or a failed collector's stale values are simply absent and no
 * per-instrument cardinality limit applies.
 */
export class PublishingMetricProducer implements MetricProducer {
  constructor(private readonly source: ProducerSource) {}

  async collect(options?: MetricCollectOptions): Promise<CollectionResult> {
    await this.source.prepare(options?.timeoutMillis);
    const now = Date.now();
    const metrics: MetricData[] = [];
    for (const store of this.source.stores()) {
      const data = storeMetricData(store, now);
      if (data !== undefined) metrics.push(data);
    }
    const scope: ScopeMetrics = { scope: { name: SCOPE_NAME, version: SCOPE_VERSION }, metrics };
    return { resourceMetrics: { resource: IGNORED_RESOURCE, scopeMetrics: [scope] }, errors: [] };
  }
}
