/**
 * Same names on every path: each catalog metric, produced by a fully wired setup, is found under
 * one Prometheus name in the /metrics body, in Prometheus after scraping it, and in
 * VictoriaMetrics after an OTLP/protobuf push with `-opentelemetry.usePrometheusNaming`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOG,
  prometheusName,
  startPublishingTelemetry,
  type MetricDefinition,
  type MetricsSnapshot,
  type PublishingTelemetry,
} from '../../src/index.js';
import {
  promQuery,
  requireBackend,
  startPrometheus,
  startVictoriaMetrics,
  vmForceFlush,
  type RunningBackend,
} from '../support/backends.js';
import {
  exposedNames,
  FakePipeline,
  fillRecorders,
  sampleNames,
  until,
} from '../setup/fixtures.js';

const prometheusBin = requireBackend('prometheus');
const victoriaBin = requireBackend('victoria-metrics');
const NS = 'alert_history_publishing';

async function storedNames(url: string): Promise<Set<string>> {
  const res = await fetch(
    `${url}/api/v1/label/__name__/values?${new URLSearchParams({ 'match[]': `{__name__=~"${NS}_.+"}` })}`,
  );
  const body = (await res.json()) as { data?: string[] };
  return new Set(body.data ?? []);
}

/** Polls until `url` stores every expected name (or 15 s pass) and returns what it stores. */
async function namesOnceComplete(url: string, expected: readonly string[]): Promise<Set<string>> {
  let names = new Set<string>();
  await until(
    'names',
    async () => {
      names = await storedNames(url);
      return expected.every((n) => names.has(n)) ? true : undefined;
    },
    15_000,
  ).catch(() => undefined);
  return names;
}

describe.skipIf(!prometheusBin || !victoriaBin)('catalog names on every export path', () => {
  let telemetry: PublishingTelemetry;
  let prometheus: RunningBackend;
  let victoria: RunningBackend;
  let snapshot: MetricsSnapshot;
  let produced: MetricDefinition[];

  beforeAll(async () => {
    victoria = await startVictoriaMetrics();
    const pipeline = new FakePipeline([
      { name: 'slack-ops', type: 'slack' },
      { name: 'rootly-incidents', type: 'rootly' },
    ]);
    telemetry = await startPublishingTelemetry({
      sources: pipeline.sources,
      prometheus: { port: 0 },
      otlp: {
        endpoint: `${victoria.url}/opentelemetry/v1/metrics`,
        protocol: 'http/protobuf',
        intervalMs: 60_000,
      },
      logger: false,
    });
    fillRecorders(telemetry.collector, 'slack-ops');
    prometheus = await startPrometheus({ scrapeTargets: [telemetry.prometheus!.url!] });
    snapshot = await telemetry.collectAll();
    produced = CATALOG.filter((d) => snapshot.family(d.name) !== undefined);
  });

  afterAll(async () => {
    await telemetry?.shutdown();
    await prometheus?.stop();
    await victoria?.stop();
  });

  it('every catalog metric has a producer in a fully wired setup', () => {
    const missing = CATALOG.filter((d) => snapshot.family(d.name) === undefined).map(
      (d) => `${d.name} (${d.collector} ${d.source})`,
    );
    expect(missing, 'catalog metrics that nothing produces').toEqual([]);
  });

  it('each produced metric has one name on /metrics, in Prometheus and in VictoriaMetrics', async () => {
    expect(produced.length).toBeGreaterThan(0);
    const expected = produced.flatMap((d) => sampleNames(prometheusName(d), d.kind));
    await telemetry.otlp!.reader.forceFlush();
    await vmForceFlush(victoria.url);

    const body = exposedNames(await (await fetch(telemetry.prometheus!.url!)).text());
    const scraped = await namesOnceComplete(prometheus.url, expected);
    const pushed = await namesOnceComplete(victoria.url, expected);
    const missingIn = (names: Set<string>) => expected.filter((n) => !names.has(n));
    expect({
      '/metrics': missingIn(body),
      Prometheus: missingIn(scraped),
      VictoriaMetrics: missingIn(pushed),
    }).toEqual({ '/metrics': [], Prometheus: [], VictoriaMetrics: [] });

    // No path invents a name of its own (a unit suffix, a second `_total`).
    const ours = (names: Set<string>) => [...names].filter((n) => n.startsWith(`${NS}_`)).sort();
    expect(ours(pushed)).toEqual(ours(body));
    expect(ours(scraped)).toEqual(ours(body));
  });

  it('each produced metric answers a query by that name in VictoriaMetrics with the snapshot value', async () => {
    await vmForceFlush(victoria.url);
    for (const def of produced.filter((d) => d.kind === 'counter')) {
      const name = prometheusName(def);
      const want = snapshot.sum(def.name);
      await until(`${name} in VictoriaMetrics`, async () => {
        const result = await promQuery(victoria.url, `sum(${name})`);
        return result.length === 1 ? true : undefined;
      });
      const [sum] = await promQuery(victoria.url, `sum(${name})`);
      expect(Number(sum!.value[1]), name).toBe(want);
    }
    for (const def of produced.filter((d) => d.kind !== 'counter')) {
      const name = sampleNames(prometheusName(def), def.kind)[0]!;
      const result = await promQuery(victoria.url, name);
      expect(result.length, name).toBeGreaterThan(0);
    }
  });
});
