import { describe, expect, it } from 'vitest';
import { readOtlpEnv, readPrometheusEnv } from '../../src/setup-env.js';

const BASE = 'http://collector:4318';

describe('OTEL_EXPORTER_OTLP_* variables', () => {
  it('appends /v1/metrics to OTEL_EXPORTER_OTLP_ENDPOINT, with or without a trailing slash', () => {
    expect(readOtlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: BASE }).url).toBe(`${BASE}/v1/metrics`);
    expect(readOtlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `${BASE}/otlp/` }).url).toBe(
      `${BASE}/otlp/v1/metrics`,
    );
  });

  it('uses OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as given, ahead of the base endpoint', () => {
    const env = readOtlpEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: BASE,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://vm:8428/opentelemetry/v1/metrics',
    });
    expect(env.url).toBe('http://vm:8428/opentelemetry/v1/metrics');
  });

  it('has no url without an endpoint variable, and still reads the others (OTLP then uses its default endpoint)', () => {
    expect(readOtlpEnv({})).toEqual({});
    expect(readOtlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toEqual({});
    expect(readOtlpEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: '300' })).toEqual({ timeoutMs: 300 });
    expect(() => readOtlpEnv({ OTEL_METRIC_EXPORT_INTERVAL: 'soon' })).toThrow(
      "OTEL_METRIC_EXPORT_INTERVAL='soon' is not an integer",
    );
  });

  it('takes the metrics protocol first, then the general one, naming its variable', () => {
    expect(
      readOtlpEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: BASE,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      }).protocol,
    ).toEqual({ value: 'http/json', variable: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL' });
    expect(
      readOtlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: BASE, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })
        .protocol,
    ).toEqual({ value: 'http/json', variable: 'OTEL_EXPORTER_OTLP_PROTOCOL' });
  });

  it('reads the export interval and timeout in milliseconds and rejects malformed ones', () => {
    expect(
      readOtlpEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: BASE,
        OTEL_METRIC_EXPORT_INTERVAL: '15000',
        OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      }),
    ).toMatchObject({ intervalMs: 15_000, timeoutMs: 5_000 });
    expect(() =>
      readOtlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: BASE, OTEL_METRIC_EXPORT_INTERVAL: '0' }),
    ).toThrow(/OTEL_METRIC_EXPORT_INTERVAL='0' is not an integer/);
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    expect(() => readOtlpEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT='collector:4318' must be an http:\/\/ or https:\/\/ URL/,
    );
  });
});

describe('OTEL_EXPORTER_PROMETHEUS_* variables', () => {
  it('reads host and port and rejects a malformed port', () => {
    expect(
      readPrometheusEnv({
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9500',
      }),
    ).toEqual({ host: '0.0.0.0', port: 9500 });
    expect(() => readPrometheusEnv({ OTEL_EXPORTER_PROMETHEUS_PORT: '95OO' })).toThrow(
      /OTEL_EXPORTER_PROMETHEUS_PORT='95OO' is not an integer in \[0, 65535\]/,
    );
  });
});
