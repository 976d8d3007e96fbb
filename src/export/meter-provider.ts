import { createNoopMeter, type MeterProvider } from '@opentelemetry/api';

const NOOP_METER = createNoopMeter().constructor;

/**
 * True for the API's no-op provider, which `metrics.getMeterProvider()` returns while nothing is
 * registered globally: its meters (and so every instrument on them) record nothing.
 */
export function isNoopMeterProvider(provider: MeterProvider): boolean {
  return provider.getMeter('otel-publishing-metrics').constructor === NOOP_METER;
}
