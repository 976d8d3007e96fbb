import {
  metrics,
  type Attributes,
  type MeterProvider as ApiMeterProvider,
} from '@opentelemetry/api';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { PublishingMetricsCollector } from './collector.js';
import { createOtlpExport, type OtlpExport } from './export/otlp.js';
import { createPrometheusEndpoint } from './export/prometheus.js';
import { servePrometheus, type PrometheusServer } from './export/prometheus-server.js';
import type { MetricsHandler } from './export/prometheus-types.js';
import { isNoopMeterProvider } from './export/meter-provider.js';
import type { TelemetryLogger } from './export/reporting-exporter.js';
import { knownKeys, objectOrFalse, optionError, plainObject } from './options.js';
import type { TargetLabelMode } from './catalog.js';
import { checkSources, type TelemetrySources } from './setup-sources.js';
import { DEFAULT_EXPORT_INTERVAL_MS, readOtlpEnv, type OtlpProtocol } from './setup-env.js';
import {
  OTLP_KEYS,
  optionalBoolean,
  PROMETHEUS_KEYS,
  resolveOtlp,
  resolvePrometheus,
  type OtlpOptions,
  type PrometheusOptions,
} from './setup-export-options.js';
import { chooseExporters, sdkDisabled, type ExporterChoice } from './setup-exporters.js';
import { buildResource } from './setup-resource.js';
import type { MetricsSnapshot } from './snapshot/snapshot.js';

export interface PublishingTelemetryOptions {
  /** The host's subsystem ports; a collector is registered for each one given. */
  sources?: TelemetrySources;
  /** `service.name`; overrides `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Resource attributes; override `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /** A resource to start from instead of the SDK default (detectors and the options above merge over it). */
  resource?: Resource;
  /** Metric-name prefix; default `alert_history_publishing`. */
  namespace?: string;
  /** Per-collector timeout, ms (default 1000). */
  collectorTimeoutMs?: number;
  /** Distinct `target` label values before folding into `__overflow__` (default 500). */
  maxTargets?: number;
  /** `target` (default) or `type`: label per-target series by target type only. */
  targetLabel?: TargetLabelMode;
  /**
   * How long a target that left the pipeline keeps its counters, unexported, so a return within
   * it continues them (exact `increase()`), ms; default 15 minutes.
   */
  retiredTargetGraceMs?: number;
  /**
   * Where the metrics go. `'auto'` (default): join the MeterProvider already registered
   * globally (a service's NodeSDK) on the instrument path — no second Prometheus port or OTLP
   * pipeline — unless `prometheus` or `otlp` options are given, and otherwise build an own one.
   * `'own'`: always an own MeterProvider and exporters. A MeterProvider: join that one.
   */
  meterProvider?: ApiMeterProvider | 'auto' | 'own';
  /**
   * Prometheus pull endpoint. An object turns it on, `false` off; absent, it follows
   * `OTEL_METRICS_EXPORTER` (see `docs/setup.md`).
   */
  prometheus?: PrometheusOptions | false;
  /** OTLP push. An object turns it on, `false` off; absent, it follows `OTEL_METRICS_EXPORTER`. */
  otlp?: OtlpOptions | false;
  /** Periodic export to the console (`ConsoleMetricExporter`); absent, `OTEL_METRICS_EXPORTER`. */
  console?: boolean;
  /** Receives one line per failed OTLP export and one on recovery; default `console`. */
  logger?: TelemetryLogger | false;
}

/**
 * `own`: an own MeterProvider with the exporters chosen. `joined`: instruments on the host's
 * MeterProvider, whose readers export them. `disabled`: `OTEL_SDK_DISABLED=true`, nothing is
 * exported and no port is bound; recorders and `collectAll()` still work.
 */
export type TelemetryMode = 'own' | 'joined' | 'disabled';

export interface PublishingTelemetry {
  readonly mode: TelemetryMode;
  readonly collector: PublishingMetricsCollector;
  /** The own MeterProvider (`own`), the host's (`joined`), undefined when disabled. */
  readonly meterProvider: ApiMeterProvider | undefined;
  /** Present when the Prometheus endpoint runs; `url` only with the own server. */
  readonly prometheus?: { readonly url?: string; readonly handler: MetricsHandler };
  /** Present when OTLP export runs. */
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
   * Reads the ports a last time, sends the final OTLP export of everything recorded so far,
   * stops the Prometheus server and the own MeterProvider. Joined to a host's provider, it only
   * freezes the final values, which that provider's own shutdown exports. Idempotent: later
   * calls return the first call's promise. Resolves within `collectorTimeoutMs` + 4 ×
   * `otlp.timeoutMs` + `prometheus.shutdownGraceMs` whatever scrapers and the OTLP endpoint do:
   * scrapes in progress are answered with `Connection: close` (or their connection closed right
   * after), and every connection still open after the grace period is closed.
   */
  shutdown(): Promise<void>;
}

const OPTION_KEYS = [
  'sources',
  'serviceName',
  'resourceAttributes',
  'resource',
  'namespace',
  'collectorTimeoutMs',
  'maxTargets',
  'targetLabel',
  'retiredTargetGraceMs',
  'meterProvider',
  'prometheus',
  'otlp',
  'console',
  'logger',
];
function choice(value: unknown): ExporterChoice {
  return value === false ? 'off' : value === undefined ? undefined : 'on';
}

/** The provider to join, or undefined for an own pipeline. */
function providerToJoin(
  option: PublishingTelemetryOptions['meterProvider'],
  explicitExporters: boolean,
): ApiMeterProvider | undefined {
  if (option === 'own') return undefined;
  if (option !== undefined && option !== 'auto') {
    if (typeof option.getMeter !== 'function') {
      throw optionError('meterProvider', "a MeterProvider, 'auto' or 'own'", option);
    }
    return option;
  }
  if (explicitExporters) return undefined;
  const global = metrics.getMeterProvider();
  return isNoopMeterProvider(global) ? undefined : global;
}

/**
 * Wires everything in one call. With `OTEL_SDK_DISABLED=true` nothing is started. Next to a
 * MeterProvider already registered globally (a service's NodeSDK) the library joins it on the
 * instrument path. Otherwise it builds an own MeterProvider (resource as NodeSDK builds it) whose
 * readers take the library's series through the producer path: a Prometheus endpoint (own
 * server or a handler to mount), OTLP push in http/protobuf or http/json, the console — chosen
 * by the options and `OTEL_METRICS_EXPORTER`. Exporter packages are imported only for the
 * parts switched on. Rejects, leaving nothing running, when a part cannot start (a taken
 * Prometheus port, a missing exporter package, a malformed option or variable).
 */
export async function startPublishingTelemetry(
  options: PublishingTelemetryOptions = {},
): Promise<PublishingTelemetry> {
  knownKeys('startPublishingTelemetry options', plainObject('options', options), OPTION_KEYS);
  const prometheusOption = objectOrFalse<PrometheusOptions>(
    'prometheus',
    options.prometheus,
    PROMETHEUS_KEYS,
  );
  const otlpOption = objectOrFalse<OtlpOptions>('otlp', options.otlp, OTLP_KEYS);
  const consoleOption = optionalBoolean('console', options.console);
  const sources = checkSources(options.sources);
  const logger = options.logger === false ? undefined : (options.logger ?? console);
  const collectorOptions = {
    sources,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.collectorTimeoutMs !== undefined
      ? { collectorTimeoutMs: options.collectorTimeoutMs }
      : {}),
    ...(options.maxTargets !== undefined ? { maxTargets: options.maxTargets } : {}),
    ...(options.targetLabel !== undefined ? { targetLabel: options.targetLabel } : {}),
    ...(options.retiredTargetGraceMs !== undefined
      ? { retiredTargetGraceMs: options.retiredTargetGraceMs }
      : {}),
  };
  const handles = (
    mode: TelemetryMode,
    collector: PublishingMetricsCollector,
    meterProvider: ApiMeterProvider | undefined,
    shutdown: () => Promise<void>,
  ) => {
    let closing: Promise<void> | undefined;
    return {
      mode,
      collector,
      meterProvider,
      collectAll: (o?: { timeoutMs?: number }) => collector.collectAll(o),
      shutdown: () => (closing ??= shutdown()),
    };
  };

  if (sdkDisabled()) {
    const collector = new PublishingMetricsCollector({ ...collectorOptions, meterProvider: false });
    return handles('disabled', collector, undefined, () => collector.shutdown());
  }

  const explicit =
    (prometheusOption !== undefined && prometheusOption !== false) ||
    (otlpOption !== undefined && otlpOption !== false) ||
    consoleOption === true;
  const joined = providerToJoin(options.meterProvider, explicit);
  if (joined !== undefined) {
    const collector = new PublishingMetricsCollector({
      ...collectorOptions,
      meterProvider: joined,
    });
    return handles('joined', collector, joined, () => collector.shutdown());
  }

  const chosen = chooseExporters({
    prometheus: choice(prometheusOption),
    otlp: choice(otlpOption),
    console: choice(consoleOption === false ? false : consoleOption === true ? {} : undefined),
  });
  const promConfig = chosen.has('prometheus')
    ? resolvePrometheus(
        prometheusOption === undefined || prometheusOption === false ? {} : prometheusOption,
      )
    : undefined;
  const otlpConfig = chosen.has('otlp')
    ? resolveOtlp(otlpOption === undefined || otlpOption === false ? {} : otlpOption)
    : undefined;

  const collector = new PublishingMetricsCollector({ ...collectorOptions, meterProvider: false });
  const metricProducers = [collector.producer];
  const endpoint =
    promConfig !== undefined
      ? await createPrometheusEndpoint({ ...promConfig, metricProducers })
      : undefined;
  const otlpExport: OtlpExport | undefined =
    otlpConfig !== undefined
      ? await createOtlpExport({ ...otlpConfig, logger, metricProducers })
      : undefined;
  const readers: MetricReader[] = [];
  if (endpoint !== undefined) readers.push(endpoint.reader);
  if (otlpExport !== undefined) readers.push(otlpExport.reader);
  if (chosen.has('console')) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new ConsoleMetricExporter(),
        exportIntervalMillis: readOtlpEnv().intervalMs ?? DEFAULT_EXPORT_INTERVAL_MS,
        metricProducers,
      }),
    );
  }
  const meterProvider = new MeterProvider({ readers, resource: buildResource(options) });

  let server: PrometheusServer | undefined;
  try {
    if (endpoint !== undefined && promConfig?.server !== undefined) {
      server = await servePrometheus(endpoint.handler, promConfig.server);
    }
  } catch (err) {
    // Nothing may keep running (the OTLP interval timer) and nothing may be exported.
    otlpExport?.exporter.seal();
    await collector.shutdown();
    await meterProvider.shutdown();
    throw err;
  }

  const shutdown = async (): Promise<void> => {
    // The final port read first: every later export carries these final values.
    await collector.shutdown();
    if (otlpExport !== undefined) {
      // Everything recorded before shutdown() goes out in this export; the reader's own flush
      // during the provider shutdown is then skipped.
      await otlpExport.reader.forceFlush();
      otlpExport.exporter.seal();
    }
    await server?.close();
    await meterProvider.shutdown();
  };

  return {
    ...handles('own', collector, meterProvider, shutdown),
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
  };
}
