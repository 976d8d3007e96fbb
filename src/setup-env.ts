/**
 * The standard OpenTelemetry environment variables `startPublishingTelemetry` falls back to when
 * an option is absent. Invalid values fail startup with a message naming the variable: a typo in
 * a port or protocol should not silently export nowhere.
 */

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

/** Prometheus' registered exporter port. */
export const DEFAULT_PROMETHEUS_PORT = 9464;
/** Loopback unless told otherwise: metrics can reveal target names and URLs. */
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';
/** OTEL_METRIC_EXPORT_INTERVAL default of the specification. */
export const DEFAULT_EXPORT_INTERVAL_MS = 60_000;
/** OTEL_EXPORTER_OTLP_TIMEOUT default of the specification. */
export const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;

export type Env = Readonly<Record<string, string | undefined>>;

export interface PrometheusEnv {
  host?: string;
  port?: number;
}

export interface OtlpEnv {
  /** Full metrics URL: the signal endpoint as given, or the base endpoint + `/v1/metrics`. */
  url?: string;
  /** The protocol variable, unchecked: only checked when OTLP is on and no option overrides it. */
  protocol?: { readonly value: string; readonly variable: string };
  intervalMs?: number;
  timeoutMs?: number;
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name}='${raw}' is not an integer in [${min}, ${max}]`);
  }
  return n;
}

/** Checks an OTLP protocol name; `source` names the option or variable in the error. */
export function otlpProtocol(raw: string, source: string): OtlpProtocol {
  if ((OTLP_PROTOCOLS as readonly string[]).includes(raw)) return raw as OtlpProtocol;
  throw new Error(
    `${source}='${raw}' is not supported: use ${OTLP_PROTOCOLS.join(' or ')} (grpc is not bundled)`,
  );
}

/** Checks an absolute http(s) URL; `source` names the option or variable in the error. */
export function httpUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${source}='${raw}' is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${source}='${raw}' must be an http:// or https:// URL`);
  }
  return raw;
}

/**
 * The metrics URL from a base OTLP endpoint: per the OTLP exporter specification the signal path
 * `v1/metrics` is appended to the base endpoint (but not to a signal-specific one).
 */
export function metricsUrlFromBase(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/metrics`;
}

/** The Prometheus variables; throws on a malformed port. */
export function readPrometheusEnv(env: Env = process.env): PrometheusEnv {
  const out: PrometheusEnv = {};
  const host = value(env, 'OTEL_EXPORTER_PROMETHEUS_HOST');
  if (host !== undefined) out.host = host;
  const port = integer(env, 'OTEL_EXPORTER_PROMETHEUS_PORT', 0, 65_535);
  if (port !== undefined) out.port = port;
  return out;
}

/**
 * The OTLP variables; read only when OTLP (or the console exporter) is on, so a host whose traces
 * go out over grpc (`OTEL_EXPORTER_OTLP_PROTOCOL=grpc`) does not fail a setup that pushes no
 * metrics. `url` is absent when neither endpoint variable is set.
 */
export function readOtlpEnv(env: Env = process.env): OtlpEnv {
  const out: OtlpEnv = {};
  const signalEndpoint = value(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const baseEndpoint = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (signalEndpoint !== undefined) {
    out.url = httpUrl(signalEndpoint, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  } else if (baseEndpoint !== undefined) {
    out.url = metricsUrlFromBase(httpUrl(baseEndpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT'));
  }
  for (const variable of ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = value(env, variable);
    if (protocol !== undefined) {
      out.protocol = { value: protocol, variable };
      break;
    }
  }
  const interval = integer(env, 'OTEL_METRIC_EXPORT_INTERVAL', 1, 2 ** 31 - 1);
  if (interval !== undefined) out.intervalMs = interval;
  const timeout =
    integer(env, 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 1, 2 ** 31 - 1) ??
    integer(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 1, 2 ** 31 - 1);
  if (timeout !== undefined) out.timeoutMs = timeout;
  return out;
}
