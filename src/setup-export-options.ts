/**
 * The `prometheus` and `otlp` parts of `startPublishingTelemetry`'s options: their shapes, and
 * how each resolves against the OTEL_* environment variables and the defaults.
 */
import { integerIn, optionError, plainObject, stringOption } from './options.js';
import {
  DEFAULT_EXPORT_INTERVAL_MS,
  DEFAULT_EXPORT_TIMEOUT_MS,
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  httpUrl,
  metricsUrlFromBase,
  otlpProtocol,
  readOtlpEnv,
  readPrometheusEnv,
  type OtlpProtocol,
} from './setup-env.js';

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
  /**
   * A bearer token every request to the endpoint must send (`Authorization: Bearer <token>`;
   * in Prometheus, `authorization: { credentials: <token> }`), else 401; it guards the own
   * server's path and the mounted handler alike. Compared in constant time.
   */
  token?: string;
  /**
   * Shutdown: scrapes in progress get this long to finish before every connection of the own
   * server is closed, ms; default 2000.
   */
  shutdownGraceMs?: number;
}

export interface OtlpOptions {
  /**
   * Full metrics URL, e.g. `http://collector:4318/v1/metrics`. Default:
   * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/metrics`,
   * else `http://localhost:4318/v1/metrics` (the exporter's default).
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

export interface ResolvedPrometheus {
  withoutScopeInfo: boolean;
  withoutTargetInfo: boolean;
  /** The own server's address; absent in mount mode. */
  token?: string;
  server?: { host: string; port: number; path: string; shutdownGraceMs?: number };
}

export interface ResolvedOtlp {
  url: string;
  protocol: OtlpProtocol;
  intervalMs: number;
  timeoutMs: number;
  headers?: Record<string, string>;
}

/** The OTLP/HTTP exporter's default metrics URL, as NodeSDK's OTLP exporter would use. */
const DEFAULT_OTLP_URL = metricsUrlFromBase('http://localhost:4318');

export const PROMETHEUS_KEYS = [
  'host',
  'port',
  'path',
  'mount',
  'withoutScopeInfo',
  'withoutTargetInfo',
  'token',
  'shutdownGraceMs',
];
export const OTLP_KEYS = ['endpoint', 'protocol', 'intervalMs', 'timeoutMs', 'headers'];

export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw optionError(name, 'a boolean', value);
}

export function resolvePrometheus(o: PrometheusOptions): ResolvedPrometheus {
  const labels = {
    withoutScopeInfo: optionalBoolean('prometheus.withoutScopeInfo', o.withoutScopeInfo) ?? true,
    withoutTargetInfo:
      optionalBoolean('prometheus.withoutTargetInfo', o.withoutTargetInfo) ?? false,
    // Checked by the endpoint (a token that can never match is refused at startup).
    ...(o.token !== undefined ? { token: o.token } : {}),
  };
  // A mounted handler opens no port: the Prometheus server variables do not apply.
  if (optionalBoolean('prometheus.mount', o.mount) === true) return labels;
  const env = readPrometheusEnv();
  const port = integerIn(
    'prometheus.port',
    o.port ?? env.port ?? DEFAULT_PROMETHEUS_PORT,
    0,
    65_535,
  );
  const path = stringOption('prometheus.path', o.path ?? '/metrics');
  if (!path.startsWith('/')) throw new Error(`prometheus.path must start with '/', got '${path}'`);
  const host = stringOption('prometheus.host', o.host ?? env.host ?? DEFAULT_PROMETHEUS_HOST);
  if (host === '') {
    throw new Error(
      "prometheus.host must not be empty (it would listen on every interface): use '0.0.0.0' or '::' to mean that",
    );
  }
  const grace =
    o.shutdownGraceMs !== undefined
      ? { shutdownGraceMs: integerIn('prometheus.shutdownGraceMs', o.shutdownGraceMs, 0, 60_000) }
      : {};
  return { ...labels, server: { host, port, path, ...grace } };
}

export function resolveOtlp(o: OtlpOptions): ResolvedOtlp {
  const env = readOtlpEnv();
  const url =
    o.endpoint !== undefined
      ? httpUrl(stringOption('otlp.endpoint', o.endpoint), 'otlp.endpoint')
      : (env.url ?? DEFAULT_OTLP_URL);
  if (o.headers !== undefined) plainObject('otlp.headers', o.headers);
  return {
    url,
    protocol:
      o.protocol !== undefined
        ? otlpProtocol(stringOption('otlp.protocol', o.protocol), 'otlp.protocol')
        : env.protocol !== undefined
          ? otlpProtocol(env.protocol.value, env.protocol.variable)
          : 'http/protobuf',
    intervalMs: integerIn(
      'otlp.intervalMs',
      o.intervalMs ?? env.intervalMs ?? DEFAULT_EXPORT_INTERVAL_MS,
      1,
      2 ** 31 - 1,
    ),
    timeoutMs: integerIn(
      'otlp.timeoutMs',
      o.timeoutMs ?? env.timeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS,
      1,
      2 ** 31 - 1,
    ),
    ...(o.headers !== undefined ? { headers: o.headers } : {}),
  };
}
