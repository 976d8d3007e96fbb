import {
  AggregationTemporality,
  AggregationType,
  MetricReader,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/**
 * The reader behind a Prometheus endpoint: cumulative temporality and the default aggregation
 * for every instrument (what Prometheus expects and what exporter-prometheus configures), and no
 * server or registry of its own. The endpoint pulls with `collect()` per scrape and serializes
 * with `PrometheusTextSerializer`, so there is nothing to flush or stop. The options object is
 * the one `MetricReader` takes in sdk-metrics 2.x and 3.x alike.
 */
export class PrometheusReader extends MetricReader {
  constructor(metricProducers?: MetricProducer[]) {
    super({
      aggregationSelector: () => ({ type: AggregationType.DEFAULT }),
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      ...(metricProducers !== undefined ? { metricProducers } : {}),
    });
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
