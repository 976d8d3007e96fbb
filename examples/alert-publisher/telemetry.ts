/**
 * The one place the demo meets the library, through its public API only: one-call setup
 * (MeterProvider, Prometheus on 127.0.0.1:9464, OTLP when the standard OTEL_EXPORTER_OTLP_* variables
 * are set), the hot-path recorders handed to the pipeline, and the stats API server.
 */
import {
  startPublishingTelemetry,
  startStatsServer,
  type PublishingTelemetry,
  type StatsServer,
} from '../../src/index.js';
import type { PipelinePorts } from './pipeline/pipeline.js';
import type { Recorders } from './recorders.js';
import { StatsViewSource, type QueueDepths } from './stats-view-source.js';
import type { ViewSource } from './view.js';

export interface TelemetryOptions {
  serviceName: string;
  /** Prometheus scrape port (127.0.0.1). */
  metricsPort: number;
  /** Stats API port (127.0.0.1). */
  statsPort: number;
  /** Per-collector timeout, ms. */
  collectorTimeoutMs: number;
  /** `service.instance.id` resource attribute: on every OTLP series and in `target_info`. */
  instanceId: string;
  /** Where the live view takes per-target queue depth (the stats API has none). */
  queueDepths: QueueDepths;
}

/** What the pipeline offers telemetry: a way to swap in the recorders. */
export interface Instrumentable {
  instrument(recorders: Recorders): void;
}

export interface Telemetry {
  /** The live view's rows, from the stats API. */
  viewSource: ViewSource;
  /** URLs to print at start-up. */
  endpoints: readonly string[];
  instanceId: string;
  /** Counts one intake request by outcome (`alert_publisher_demo_intake_requests_total`). */
  countIntake(outcome: string): void;
  /** Stops the stats server, flushes the last OTLP export and stops exporters; called last. */
  shutdownTelemetry(): Promise<void>;
}

export async function wireTelemetry(
  ports: PipelinePorts,
  pipeline: Instrumentable,
  options: TelemetryOptions,
): Promise<Telemetry> {
  const telemetry: PublishingTelemetry = await startPublishingTelemetry({
    serviceName: process.env['OTEL_SERVICE_NAME'] ?? options.serviceName,
    sources: ports,
    resourceAttributes: { 'service.instance.id': options.instanceId },
    collectorTimeoutMs: options.collectorTimeoutMs,
    prometheus: { host: '127.0.0.1', port: options.metricsPort },
  });
  let stats: StatsServer;
  try {
    stats = await startStatsServer({
      source: telemetry.collector,
      host: '127.0.0.1',
      port: options.statsPort,
      metricsHandler: telemetry.prometheus?.handler,
    });
  } catch (error) {
    await telemetry.shutdown();
    throw error;
  }
  const { collector } = telemetry;
  pipeline.instrument({
    queue: collector.queue,
    publisher: collector.publisher,
    discovery: collector.discovery,
    refresh: collector.refresh,
  });
  const endpoints = [
    telemetry.prometheus?.url,
    `${stats.url}/api/v2/publishing/stats`,
    `${stats.url}/api/v2/publishing/health`,
    `${stats.url}/api/v2/publishing/trends`,
    telemetry.otlp !== undefined
      ? `OTLP ${telemetry.otlp.protocol} → ${telemetry.otlp.url}`
      : undefined,
  ].filter((e): e is string => e !== undefined);
  // The demo's own metric, outside the library's catalog: requests to the Alertmanager intake.
  // No MeterProvider (OTEL_SDK_DISABLED=true): not counted, like every other metric.
  const intakeRequests = telemetry.meterProvider
    ?.getMeter('alert-publisher-demo')
    .createCounter('alert_publisher_demo_intake_requests', {
      description: 'Requests to the Alertmanager webhook intake, by outcome',
      unit: '{request}',
    });
  return {
    instanceId: options.instanceId,
    countIntake: (outcome) => intakeRequests?.add(1, { outcome }),
    viewSource: new StatsViewSource(stats.url, options.queueDepths),
    endpoints,
    shutdownTelemetry: async () => {
      await stats.close();
      await telemetry.shutdown();
    },
  };
}
