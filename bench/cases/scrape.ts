/**
 * P3 — a Prometheus scrape end to end at N=1000: HTTP GET on loopback (one keep-alive
 * connection) against the library's Prometheus endpoint (a PrometheusExporter reading the
 * library's MetricProducer, collected and serialized per request by the library's serializer), against
 * prom-client's `registry.metrics()` over the same series served by node:http. The endpoint runs
 * with the library's default (no scope labels, `target_info` kept), without both, and with the
 * exporter's defaults (scope labels on every series). Event-loop blocking is the largest delay
 * `monitorEventLoopDelay` (1 ms resolution) sees during a scrape.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { Registry } from 'prom-client';
import { createPrometheusEndpoint, type PrometheusEndpoint } from '../../src/export/prometheus.js';
import { PrometheusTextSerializer } from '../../src/export/prometheus-text.js';
import {
  costRow,
  interleaveAsync,
  progress,
  round,
  stats,
  type CaseResult,
  type Timing,
  timings,
  type RunOptions,
} from '../harness.js';
import { fetchBytes, serve, type Route, type Served } from '../http.js';
import { promClientRegistry } from '../prom-equivalent.js';
import { createPlainOtel } from '../plain-otel.js';
import { fakePorts, readyWorkload, type Workload } from '../workload.js';

export const VARIANTS = {
  /** The OTel exporter's defaults. */
  default: { withoutScopeInfo: false, withoutTargetInfo: false },
  /** Neither scope labels nor target_info. */
  lean: { withoutScopeInfo: true, withoutTargetInfo: true },
  /** What `startPublishingTelemetry` serves unless told otherwise. */
  library: { withoutScopeInfo: true, withoutTargetInfo: false },
} as const;
export type Variant = keyof typeof VARIANTS;

export interface ScrapeSetup {
  readonly workload: Workload;
  readonly served: Served;
  readonly endpoints: Readonly<Partial<Record<Variant, PrometheusEndpoint>>>;
  /** Series (data points) one collection exports. */
  readonly series: number;
  close(): Promise<void>;
}

/** A workload of `n` targets with a Prometheus endpoint per variant, served at `/<variant>`. */
export async function scrapeSetup(
  n: number,
  variants: readonly Variant[],
  extraRoutes: Record<string, Route> = {},
  path: 'producer' | 'instruments' = 'producer',
): Promise<ScrapeSetup> {
  const endpoints: Partial<Record<Variant, PrometheusEndpoint>> = {};
  const workload = await readyWorkload(n, {
    path,
    readers: async (metricProducers) => {
      for (const v of variants) {
        endpoints[v] = await createPrometheusEndpoint({ ...VARIANTS[v], metricProducers });
      }
      return Object.values(endpoints).map((e) => e.reader as MetricReader);
    },
  });
  const routes: Record<string, Route> = { ...extraRoutes };
  for (const [v, endpoint] of Object.entries(endpoints)) routes[`/${v}`] = endpoint.handler;
  const served = await serve(routes);
  const snapshot = await workload.collector.collectAll();
  let series = 0;
  for (const family of snapshot.families.values()) series += family.series.length;
  return {
    workload,
    served,
    endpoints,
    series,
    close: async () => {
      await served.close();
      await workload.shutdown();
    },
  };
}

/** A scrape op recording body size and the largest event-loop delay of each scrape. */
function scrapeOp(url: string): {
  op: () => Promise<void>;
  bytes: number[];
  blockedMs: number[];
} {
  const bytes: number[] = [];
  const blockedMs: number[] = [];
  return {
    bytes,
    blockedMs,
    op: async () => {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      bytes.push(await fetchBytes(url));
      delay.disable();
      blockedMs.push(delay.max / 1e6);
    },
  };
}

const N = 1000;

export async function run(options: RunOptions): Promise<CaseResult[]> {
  progress(`P3 scrape at N=${N}: building`);
  // Built from our own snapshot once the workload exists, then served as prom-client users do.
  const served: { registry?: Registry } = {};
  // Quick mode leaves out the in-process comparison.
  const variants: Variant[] = ['library', 'lean', 'default'];
  const setup = await scrapeSetup(N, variants, {
    '/prom-client': (_req, res) => {
      void served.registry!.metrics().then((body) => {
        res.writeHead(200, { 'content-type': served.registry!.contentType });
        res.end(body);
      });
    },
  });
  const promRegistry = promClientRegistry(await setup.workload.collector.collectAll());
  served.registry = promRegistry;

  // The references a user would otherwise deploy: OTel's PrometheusExporter over the plain-OTel
  // catalog (exporter defaults), and our own endpoint on the instrument path.
  const plainExporter = new PrometheusExporter({ preventServerStart: true });
  const plain = createPlainOtel(fakePorts(N), [plainExporter]);
  plain.recordAll();
  const plainServed = await serve({
    '/otel': (req, res) => plainExporter.getMetricsRequestHandler(req, res),
  });
  const instrument = await scrapeSetup(N, ['library'], {}, 'instruments');

  progress(`P3 scrape at N=${N} (${setup.series} series): end to end`);
  const ops = Object.fromEntries(
    [...variants, 'prom-client'].map((v) => [v, scrapeOp(`${setup.served.url}/${v}`)]),
  );
  ops['otel'] = scrapeOp(`${plainServed.url}/otel`);
  ops['instrument'] = scrapeOp(`${instrument.served.url}/library`);
  const rounds = options.quick ? 3 : 15;
  const e2e = await interleaveAsync(
    Object.fromEntries(Object.entries(ops).map(([v, o]) => [v, o.op])),
    { samplesPerRound: 1, rounds, warmupRounds: options.quick ? 1 : 2 },
  );

  let inProcess: Record<string, Timing> | undefined;
  if (!options.quick) {
    progress('P3 in process: collect + serialize vs registry.metrics()');
    const reader = setup.endpoints.lean!.reader;
    const ours = new PrometheusTextSerializer({ withoutScopeInfo: true, withoutTargetInfo: true });
    const otel = new PrometheusSerializer(undefined, false, undefined, true, true);
    inProcess = await interleaveAsync(
      {
        lean: async () => ours.serialize((await reader.collect()).resourceMetrics),
        otel: async () => otel.serialize((await reader.collect()).resourceMetrics),
        promClient: () => promRegistry.metrics(),
      },
      { samplesPerRound: 1, rounds, warmupRounds: 2 },
    );
  }
  await setup.close();
  await instrument.close();
  await plainServed.close();
  await plain.shutdown();

  const prom = e2e['prom-client']!;
  const promBytes = stats(ops['prom-client']!.bytes).median;
  const rows: CaseResult[] = [];
  // Judged: what the endpoint serves unless told otherwise (`library`) and without target_info
  // (`lean`), the series prom-client serves too. The exporter's defaults add scope labels to
  // every line (an opt-in here: `withoutScopeInfo: false`), so they are reported, not judged.
  for (const [v, label, judged] of [
    ['library', 'library default (no scope labels, target_info)', true],
    ['lean', 'withoutScopeInfo + withoutTargetInfo', true],
    ['default', 'exporter defaults (scope labels on every line)', false],
  ] as const) {
    const t = e2e[v]!;
    rows.push(
      costRow(
        {
          id: `P3.${v}.time`,
          what: `scrape N=${N} e2e, ${label}, vs prom-client`,
          ...timings(t, prom),
          unit: 'ms CPU',
        },
        judged ? { atLeast: 1 / 1.5, text: 'ours ≤ 1.5× (ratio ≥ 0.667)' } : undefined,
      ),
      costRow(
        {
          id: `P3.${v}.bytes`,
          what: `scrape N=${N} body, ${label}, vs prom-client`,
          ours: stats(ops[v]!.bytes).median / 1e6,
          reference: promBytes / 1e6,
          unit: 'MB',
        },
        judged ? { atLeast: 1 / 1.1, text: 'ours ≤ 1.1× (ratio ≥ 0.909)' } : undefined,
      ),
    );
  }
  if (inProcess !== undefined) {
    rows.push(
      costRow({
        id: 'P3.inprocess',
        what: `collect + serialize N=${N} in process (lean) vs registry.metrics()`,
        ...timings(inProcess['lean']!, inProcess['promClient']!),
        unit: 'ms CPU',
      }),
      costRow({
        id: 'P3.inprocess.otel',
        what: `collect + serialize N=${N} in process (lean), ours vs OTel's PrometheusSerializer`,
        ...timings(inProcess['lean']!, inProcess['otel']!),
        unit: 'ms CPU',
      }),
    );
  }
  rows.push(
    costRow(
      {
        id: 'P3.otel',
        what: `scrape N=${N} e2e, library default vs OTel PrometheusExporter over plain OTel (${round(stats(ops['otel']!.bytes).median / 1e6)} MB, default cardinality limit)`,
        ...timings(e2e['library']!, e2e['otel']!),
        unit: 'ms CPU',
      },
      { atLeast: 5, text: 'ours ≥ 5× less CPU (ratio ≥ 5)' },
    ),
    costRow({
      id: 'P3.instrument',
      what: `scrape N=${N} e2e, library default endpoint: producer path (ours) vs instrument path (reference, ${round(stats(ops['instrument']!.bytes).median / 1e6)} MB)`,
      ...timings(e2e['library']!, e2e['instrument']!),
      unit: 'ms CPU',
    }),
  );
  for (const v of ['library', 'default'] as const) {
    const blocked = stats(ops[v]!.blockedMs);
    const promBlocked = stats(ops['prom-client']!.blockedMs);
    rows.push({
      ...costRow({
        id: `P3.${v}.blocking`,
        what: `event loop blocked during a scrape (max delay, elapsed), ${v}, vs prom-client`,
        ours: blocked.median,
        reference: promBlocked.median,
        unit: 'ms',
        p99: { ours: blocked.p99, reference: promBlocked.p99 },
      }),
      note: `median of per-scrape maxima; worst ${round(blocked.p99)} ms (prom-client ${round(promBlocked.p99)} ms)`,
    });
  }
  return rows;
}
