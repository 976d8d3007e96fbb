/**
 * `examples/nodesdk-env`: a service whose NodeSDK is configured by the environment only, with the
 * library added in three lines. Every reader NodeSDK builds from `OTEL_METRICS_EXPORTER` exports
 * every catalog metric by its catalog name: NodeSDK's own Prometheus endpoint, and OTLP
 * http/protobuf into a real VictoriaMetrics with Prometheus naming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  requireBackend,
  startVictoriaMetrics,
  vmForceFlush,
  type RunningBackend,
} from '../support/backends.js';
import { exposedNames, until } from '../setup/fixtures.js';
import { catalogSampleNames, startExample } from './support.js';

const victoriaBin = requireBackend('victoria-metrics');
const NS = 'alert_history_publishing';

describe('env-only NodeSDK example', () => {
  it('OTEL_METRICS_EXPORTER=prometheus: NodeSDK’s own /metrics serves every catalog metric', async () => {
    const port = await freePort();
    const example = startExample('nodesdk-env', ['--duration', '20'], {
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    try {
      const expected = catalogSampleNames();
      let missing: string[] = expected;
      await until(
        'every catalog metric on NodeSDK /metrics',
        async () => {
          const body = await fetch(`http://127.0.0.1:${port}/metrics`)
            .then((r) => r.text())
            .catch(() => '');
          const names = exposedNames(body);
          missing = expected.filter((n) => !names.has(n));
          return missing.length === 0 ? true : undefined;
        },
        25_000,
      ).catch(() => undefined);
      expect(missing, example.output()).toEqual([]);
    } finally {
      expect(await example.stop(), example.output()).toBe(0);
    }
    expect(example.output()).toContain('stopped');
  }, 40_000);

  describe.skipIf(!victoriaBin)('OTEL_METRICS_EXPORTER=otlp into VictoriaMetrics', () => {
    let victoria: RunningBackend;
    beforeAll(async () => {
      victoria = await startVictoriaMetrics();
    });
    afterAll(async () => {
      await victoria?.stop();
    });

    it('every catalog metric arrives by the same name', async () => {
      const example = startExample('nodesdk-env', ['--duration', '20'], {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${victoria.url}/opentelemetry/v1/metrics`,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        OTEL_SERVICE_NAME: 'nodesdk-env-example',
      });
      const expected = catalogSampleNames();
      let stored = new Set<string>();
      try {
        await until(
          'every catalog metric in VictoriaMetrics',
          async () => {
            await vmForceFlush(victoria.url);
            const res = await fetch(
              `${victoria.url}/api/v1/label/__name__/values?${new URLSearchParams({ 'match[]': `{__name__=~"${NS}_.+"}` })}`,
            );
            stored = new Set(((await res.json()) as { data?: string[] }).data ?? []);
            return expected.every((n) => stored.has(n)) ? true : undefined;
          },
          25_000,
        ).catch(() => undefined);
      } finally {
        expect(await example.stop(), example.output()).toBe(0);
      }
      expect(expected.filter((n) => !stored.has(n))).toEqual([]);
      // No name of VictoriaMetrics' own (a unit suffix, a second `_total`).
      expect([...stored].filter((n) => !expected.includes(n))).toEqual([]);
    }, 45_000);
  });
});
