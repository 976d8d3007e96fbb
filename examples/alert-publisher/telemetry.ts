/**
 * ════════════════════════════════════════════════════════════════════════════════════════════
 *  TELEMETRY WIRING: the one place the demo meets the library. REPLACE the body of
 *  `wireTelemetry` with the library's one-call setup once `src/index.ts` exports it:
 *
 *    const telemetry = await startPublishingTelemetry({
 *      serviceName: options.serviceName,
 *      sources: ports,                                   // health, refresh, discovery, queue
 *      prometheus: { host: '127.0.0.1', port: options.metricsPort },
 *      statsServer: { host: '127.0.0.1', port: options.statsPort },
 *      // OTLP push comes from OTEL_EXPORTER_OTLP_* in the environment.
 *    });
 *    pipeline.instrument(telemetry.recorders);
 *    return {
 *      viewSource: <ViewSource over telemetry's per-target stats>,
 *      endpoints: [`http://127.0.0.1:${options.metricsPort}/metrics`, `http://127.0.0.1:${options.statsPort}/api/v2/publishing/stats`],
 *      shutdownTelemetry: () => telemetry.shutdown(),   // flushes the last OTLP export
 *    };
 *
 *  Until then the pipeline runs with no-op recorders and no metrics endpoints.
 * ════════════════════════════════════════════════════════════════════════════════════════════
 */
import type { PipelinePorts } from './pipeline/pipeline.js';
import { noopRecorders, type Recorders } from './recorders.js';
import type { ViewSource } from './view.js';

export interface TelemetryOptions {
  serviceName: string;
  /** Prometheus scrape port (127.0.0.1). */
  metricsPort: number;
  /** Stats API port (127.0.0.1). */
  statsPort: number;
}

/** What the pipeline offers telemetry: a way to swap in the recorders. */
export interface Instrumentable {
  instrument(recorders: Recorders): void;
}

export interface Telemetry {
  /** A view fed from the library's derived stats; undefined: the view uses the pipeline's own state. */
  viewSource: ViewSource | undefined;
  /** URLs to print at start-up. */
  endpoints: readonly string[];
  /** Flushes and stops exporters; called last on shutdown. */
  shutdownTelemetry(): Promise<void>;
}

export function wireTelemetry(
  ports: PipelinePorts,
  pipeline: Instrumentable,
  options: TelemetryOptions,
): Promise<Telemetry> {
  void ports;
  void options;
  pipeline.instrument(noopRecorders());
  return Promise.resolve({
    viewSource: undefined,
    endpoints: [],
    shutdownTelemetry: () => Promise.resolve(),
  });
}
