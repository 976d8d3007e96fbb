import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import type { PublishingMetricsCollector } from '../../src/index.js';

/**
 * A Prometheus exporter (no server of its own) that reads `collector` through the producer path
 * (`metricProducers`), registered on a MeterProvider of its own as a host would register it.
 */
export function prometheusExporterFor(
  collector: PublishingMetricsCollector,
  options: ConstructorParameters<typeof PrometheusExporter>[0] = {},
): PrometheusExporter {
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    ...options,
    metricProducers: [collector.producer],
  });
  registerReader(exporter);
  return exporter;
}

const providers = new WeakMap<MetricReader, MeterProvider>();

/** Registers a reader on a MeterProvider of its own (a reader collects only once registered). */
export function registerReader(reader: MetricReader): MeterProvider {
  const provider = new MeterProvider({ readers: [reader] });
  providers.set(reader, provider);
  return provider;
}

/** The MeterProvider `registerReader` registered `reader` on. */
export function providerOf(reader: MetricReader): MeterProvider {
  const provider = providers.get(reader);
  if (provider === undefined) throw new Error('reader was not registered by registerReader');
  return provider;
}
