import type { Attributes } from '@opentelemetry/api';
import type { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import { PublishingMetricsCollector } from './collector.js';
import { createOtlpExport, type OtlpExport } from './export/otlp.js';
import {
  createPrometheusEndpoint,
  servePrometheus,
  type MetricsHandler,
  type PrometheusServer,
} from './export/prometheus.js';
import type { TelemetryLogger } from './export/reporting-exporter.js';
import type { TargetLabelMode } from './recorders/labels.js';
import { sourceCollectors, type TelemetrySources } from './setup-sources.js';
import {
  DEFAULT_EXPORT_INTERVAL_MS,
  DEFAULT_EXPORT_TIMEOUT_MS,
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  httpUrl,
  otlpProtocol,
  readOtlpEnv,
  readPrometheusEnv,
  type OtlpProtocol,
} from './setup-env.js';
import type { SnapshotReader } from './snapshot/reader.js';
import type { MetricsSnapshot } from './snapshot/snapshot.js';

export interface PrometheusOptions {
  /** Bind address of the own server; default `OTEL_EXPORTER_PROMETHEUS_HOST` or 127.0.0.1. */
  host?: string;
  /** Port of the own server (0: any free port); default `OTEL_EXPORTER_PROMETHEUS_PORT` or 9464. */
  port?: number;
  /** Path of the own server; default `/metrics`. */
  path?: string;
  /** No own server: serve the returned `prometheus.handler` from the host's server. */
  mount?: boolean;
  /**
   * Drop the `otel_scope_name`/`otel_scope_version` labels from every series; default true.
   * Every series here has the same scope, the labels double the bytes of a scrape, OTLP backends
   * with Prometheus naming do not add them (so series differed by path), and the version label
   * would start new series on every upgrade of this library.
   */
  withoutScopeInfo?: boolean;
  /** Drop the `target_info` series (resource attributes); default false: it costs one line. */
  withoutTargetInfo?: boolean;
}

export interface OtlpOptions {
  /**
   * Full metrics URL, e.g. `http://collector:4318/v1/metrics`. Default:
   * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/metrics`.
   * OTLP export is on only when one of them is set.
   */
  endpoint?: string;
  /** Default `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`, else http/protobuf. */
  protocol?: OtlpProtocol;
  /** Export interval, ms; default `OTEL_METRIC_EXPORT_INTERVAL` or 60000. */
  intervalMs?: number;
  /** Per-export timeout including retries, ms; default `OTEL_EXPORTER_OTLP_TIMEOUT` or 10000. */
  timeoutMs?: number;
  /** Request headers; `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS` are honoured by the exporter too. */
  headers?: Record<string, string>;
}

export interface PublishingTelemetryOptions {
  /** The host's subsystem ports; a collector is registered for each one given. */
  sources?: TelemetrySources;
  /** `service.name`; overrides `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Resource attributes; override `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /** A resource to start from instead of the SDK default (env and the options above still merge over it). */
  resource?: Resource;
  /** Metric-name prefix; default `alert_history_publishing`. */
  namespace?: string;
  /** Per-collector timeout, ms (default 1000). */
  collectorTimeoutMs?: number;
  /** Distinct `target` label values before folding into `__overflow__` (default 500). */
  maxTargets?: number;
  /** `target` (default) or `type`: label per-target series by target type only. */
  targetLabel?: TargetLabelMode;
  /** Prometheus pull endpoint; on by default, `false` turns it off. */
  prometheus?: PrometheusOptions | false;
  /** OTLP push; on when an endpoint is configured, `false` turns it off whatever the env says. */
  otlp?: OtlpOptions | false;
  /** Receives one line per failed OTLP export and one on recovery; default `console`. */
  logger?: TelemetryLogger | false;
}

export interface PublishingTelemetry {
  readonly collector: PublishingMetricsCollector;
  readonly snapshotReader: SnapshotReader;
  readonly meterProvider: MeterProvider;
  /** Present unless `prometheus: false`; `url` only with the own server. */
  readonly prometheus?: { readonly url?: string; readonly handler: MetricsHandler };
  /** Present when OTLP export is configured. */
  readonly otlp?: {
    readonly url: string;
    readonly protocol: OtlpProtocol;
    readonly intervalMs: number;
    readonly reader: MetricReader;
    /** Failed exports since the last successful one (0 while healthy). */
    readonly failures: number;
  };
  /** Collects every collector once (concurrent callers share one collection). */
  collectAll(options?: { timeoutMs?: number }): Promise<MetricsSnapshot>;
  /**
   * Stops the Prometheus server, sends a final OTLP export of everything recorded so far
   * (forceFlush, then shutdown), unregisters the collectors. Idempotent: later calls return the
   * first call's promise.
   */
  shutdown(): Promise<void>;
}

interface ResolvedPrometheus {
  withoutScopeInfo: boolean;
  withoutTargetInfo: boolean;
  /** The own server's address; absent in mount mode. */
  server?: { host: string; port: number; path: string };
}

interface ResolvedOtlp {
  url: string;
  protocol: OtlpProtocol;
  intervalMs: number;
  timeoutMs: number;
  headers?: Record<string, string>;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer (ms), got ${value}`);
  }
  return value;
}

function resolvePrometheus(
  options: PrometheusOptions | false | undefined,
): ResolvedPrometheus | undefined {
  if (options === false) return undefined;
  const o = options ?? {};
  const labels = {
    withoutScopeInfo: o.withoutScopeInfo ?? true,
    withoutTargetInfo: o.withoutTargetInfo ?? false,
  };
  // A mounted handler opens no port: the Prometheus server variables do not apply.
  if (o.mount === true) return labels;
  const env = readPrometheusEnv();
  const port = o.port ?? env.port ?? DEFAULT_PROMETHEUS_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`prometheus.port must be an integer in [0, 65535], got ${port}`);
  }
  const path = o.path ?? '/metrics';
  if (!path.startsWith('/')) throw new Error(`prometheus.path must start with '/', got '${path}'`);
  return { ...labels, server: { host: o.host ?? env.host ?? DEFAULT_PROMETHEUS_HOST, port, path } };
}

function resolveOtlp(options: OtlpOptions | false | undefined): ResolvedOtlp | undefined {
  if (options === false) return undefined;
  const o = options ?? {};
  const env = readOtlpEnv();
  const url = o.endpoint !== undefined ? httpUrl(o.endpoint, 'otlp.endpoint') : env.url;
  if (url === undefined) return undefined;
  return {
    url,
    protocol:
      o.protocol !== undefined
        ? otlpProtocol(o.protocol, 'otlp.protocol')
        : env.protocol !== undefined
          ? otlpProtocol(env.protocol.value, env.protocol.variable)
          : 'http/protobuf',
    intervalMs: positiveInteger(
      'otlp.intervalMs',
      o.intervalMs ?? env.intervalMs ?? DEFAULT_EXPORT_INTERVAL_MS,
    ),
    timeoutMs: positiveInteger(
      'otlp.timeoutMs',
      o.timeoutMs ?? env.timeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS,
    ),
    ...(o.headers !== undefined ? { headers: o.headers } : {}),
  };
}

/** Precedence, lowest first: SDK default (or `resource`), environment, options. */
function buildResource(options: PublishingTelemetryOptions): Resource {
  let resource = (options.resource ?? defaultResource()).merge(
    detectResources({ detectors: [envDetector] }),
  );
  if (options.resourceAttributes !== undefined) {
    resource = resource.merge(resourceFromAttributes(options.resourceAttributes));
  }
  if (options.serviceName !== undefined) {
    resource = resource.merge(resourceFromAttributes({ 'service.name': options.serviceName }));
  }
  return resource;
}

/**
 * Wires everything in one call: a MeterProvider (resource from options and the OTEL_* variables)
 * with the snapshot reader, a Prometheus endpoint (own server or a handler to mount) and, when an
 * endpoint is configured, periodic OTLP push in http/protobuf or http/json. Exporter packages are
 * imported only for the parts switched on. Rejects, leaving nothing running, when a part cannot
 * start (a taken Prometheus port, a missing exporter package, a malformed variable).
 */
export async function startPublishingTelemetry(
  options: PublishingTelemetryOptions = {},
): Promise<PublishingTelemetry> {
  const promConfig = resolvePrometheus(options.prometheus);
  const otlpConfig = resolveOtlp(options.otlp);
  const logger = options.logger === false ? undefined : (options.logger ?? console);
  const collectors = sourceCollectors(options.sources ?? {});

  const endpoint =
    promConfig !== undefined ? await createPrometheusEndpoint(promConfig) : undefined;
  const otlpExport: OtlpExport | undefined =
    otlpConfig !== undefined ? await createOtlpExport({ ...otlpConfig, logger }) : undefined;

  const readers: MetricReader[] = [];
  if (endpoint !== undefined) readers.push(endpoint.reader);
  if (otlpExport !== undefined) readers.push(otlpExport.reader);
  const collector = new PublishingMetricsCollector({
    readers,
    resource: buildResource(options),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.collectorTimeoutMs !== undefined
      ? { collectorTimeoutMs: options.collectorTimeoutMs }
      : {}),
    ...(options.maxTargets !== undefined ? { maxTargets: options.maxTargets } : {}),
    ...(options.targetLabel !== undefined ? { targetLabel: options.targetLabel } : {}),
  });

  let server: PrometheusServer | undefined;
  try {
    for (const c of collectors) collector.registerCollector(c);
    if (endpoint !== undefined && promConfig?.server !== undefined) {
      server = await servePrometheus(endpoint.handler, promConfig.server);
    }
  } catch (err) {
    // Nothing may keep running (the OTLP interval timer) and nothing may be exported.
    otlpExport?.exporter.seal();
    await collector.shutdown();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    await server?.close();
    if (otlpExport !== undefined) {
      // Everything recorded before shutdown() goes out in this export; the reader's own flush
      // during the provider shutdown is then skipped (it would find the collectors unregistered).
      await otlpExport.reader.forceFlush();
      otlpExport.exporter.seal();
    }
    await collector.shutdown();
  };

  return {
    collector,
    snapshotReader: collector.snapshotReader,
    meterProvider: collector.meterProvider!,
    ...(endpoint !== undefined
      ? {
          prometheus: {
            ...(server !== undefined ? { url: server.url } : {}),
            handler: endpoint.handler,
          },
        }
      : {}),
    ...(otlpExport !== undefined && otlpConfig !== undefined
      ? {
          otlp: {
            url: otlpConfig.url,
            protocol: otlpConfig.protocol,
            intervalMs: otlpConfig.intervalMs,
            reader: otlpExport.reader,
            get failures() {
              return otlpExport.exporter.failures;
            },
          },
        }
      : {}),
    collectAll: (o) => collector.collectAll(o),
    shutdown: () => (closing ??= shutdown()),
  };
}
