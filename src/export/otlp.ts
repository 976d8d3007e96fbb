import {
  AggregationTemporality,
  PeriodicExportingMetricReader,
  type MetricProducer,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import type { OtlpProtocol } from '../setup-env.js';
import { deadlineAgentFactory } from './deadline-agent.js';
import { importOptional } from './optional-import.js';
import { ReportingExporter, type TelemetryLogger } from './reporting-exporter.js';

export interface OtlpExportOptions {
  /** Full metrics URL (`…/v1/metrics`). */
  url: string;
  protocol: OtlpProtocol;
  intervalMs: number;
  /** Per export, retries included; clamped to the interval. */
  timeoutMs: number;
  headers?: Record<string, string>;
  logger: TelemetryLogger | undefined;
  /** The producer path: the library's series reach this reader through these. */
  metricProducers?: MetricProducer[];
}

export interface OtlpExport {
  readonly reader: PeriodicExportingMetricReader;
  readonly exporter: ReportingExporter;
  readonly timeoutMs: number;
}

/**
 * At most this many export requests in flight. With the timeout clamped to the interval and every
 * request abandoned at the timeout (deadline agent), a second one only exists while a timed-out
 * request is being torn down; a dead, slow or trickling endpoint therefore holds at most two
 * payloads in memory (the exporter's default is 30).
 */
const CONCURRENCY_LIMIT = 2;

async function loadExporter(protocol: OtlpProtocol) {
  if (protocol === 'http/json') {
    const { OTLPMetricExporter } = await importOptional(
      () => import('@opentelemetry/exporter-metrics-otlp-http'),
      '@opentelemetry/exporter-metrics-otlp-http',
      'OTLP http/json export',
      'otlp: false',
    );
    return OTLPMetricExporter;
  }
  const { OTLPMetricExporter } = await importOptional(
    () => import('@opentelemetry/exporter-metrics-otlp-proto'),
    '@opentelemetry/exporter-metrics-otlp-proto',
    'OTLP http/protobuf export',
    'otlp: false',
  );
  return OTLPMetricExporter;
}

/** A periodic reader pushing OTLP over HTTP in the chosen encoding, failures reported once each. */
export async function createOtlpExport(options: OtlpExportOptions): Promise<OtlpExport> {
  const Exporter = await loadExporter(options.protocol);
  const timeoutMs = Math.min(options.timeoutMs, options.intervalMs);
  const inner: PushMetricExporter = new Exporter({
    url: options.url,
    timeoutMillis: timeoutMs,
    concurrencyLimit: CONCURRENCY_LIMIT,
    // `timeoutMillis` alone is an idle timeout: a trickling endpoint held requests open forever.
    httpAgentOptions: deadlineAgentFactory(timeoutMs),
    // Recorder metrics are cumulative sums kept since start; a delta preference from
    // OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE would mix temporalities in one export.
    temporalityPreference: AggregationTemporality.CUMULATIVE,
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
  });
  const exporter = new ReportingExporter(inner, options.url, options.logger, timeoutMs);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: options.intervalMs,
    exportTimeoutMillis: timeoutMs,
    ...(options.metricProducers !== undefined ? { metricProducers: options.metricProducers } : {}),
  });
  return { reader, exporter, timeoutMs };
}
