import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { describe, expect, it } from 'vitest';
import { PrometheusTextSerializer } from '../../src/export/prometheus-text.js';
import { CATALOG, PublishingMetricsCollector, prometheusName } from '../../src/index.js';
import { fullyWired } from '../support/fully-wired.js';
import { prometheusExporterFor } from '../support/producer-readers.js';

/** `name → type` of every `# TYPE` line of an exposition body, `target_info` left out. */
function typeLines(body: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (match[1] !== 'target_info') types.set(match[1]!, match[2]!);
  }
  return types;
}

const PROMETHEUS_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

describe('metric names', () => {
  // `a__b` and `x_` make runs of `_` that the Prometheus exporter collapses; `_lead` and `ns9`
  // are valid prefixes as they are.
  it.each(['a__b', 'x_', '_lead', 'ns9', ''])(
    'namespace %j: one name per catalog metric in the snapshot, on /metrics, through the upstream serializer and in prometheusName',
    async (namespace) => {
      const pm = fullyWired(namespace);
      const exporter = prometheusExporterFor(pm);
      const snapshot = await pm.collectAll();
      const { resourceMetrics, errors } = await exporter.collect();
      expect(errors).toEqual([]);
      const options = { withoutScopeInfo: false, withoutTargetInfo: false };
      const ours = typeLines(new PrometheusTextSerializer(options).serialize(resourceMetrics));
      const upstream = typeLines(new PrometheusSerializer().serialize(resourceMetrics));

      const catalog = new Map(CATALOG.map((def) => [prometheusName(def, namespace), def.kind]));
      const snapshotTypes = new Map(
        [...snapshot.families.values()].map((f) => [f.name, f.type as string]),
      );
      for (const name of catalog.keys()) expect(name).toMatch(PROMETHEUS_NAME);
      expect(catalog.size).toBe(CATALOG.length);
      expect(snapshotTypes).toEqual(catalog);
      expect(ours).toEqual(catalog);
      expect(upstream).toEqual(catalog);
      for (const def of CATALOG) {
        expect(snapshot.family(def.name)?.name, def.name).toBe(prometheusName(def, namespace));
      }
      await pm.shutdown();
    },
  );

  it.each(['1abc', 'a.b-c', 'a b', 'ns:x'])(
    'rejects namespace %j with the rule it breaks',
    (ns) => {
      expect(() => new PublishingMetricsCollector({ meterProvider: false, namespace: ns })).toThrow(
        `namespace '${ns}' is not a valid Prometheus metric-name prefix`,
      );
    },
  );
});
