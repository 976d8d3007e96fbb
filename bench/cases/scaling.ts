/**
 * P5 — scaling: `collectAll()` and a Prometheus scrape (library default endpoint, HTTP on
 * loopback) at N = 10, 100, 1000 and, in full mode, 10000 targets. The goal compares the cost
 * per exported series at the largest N with that at N=100. A snapshot builds its series objects
 * on first access, so `collectAll()` followed by reading every family's series is measured too
 * (information): that is what a reader of the whole snapshot, such as the stats API, pays.
 */
import {
  costRow,
  fullGc,
  interleaveAsync,
  progress,
  round,
  type CaseResult,
  type RunOptions,
} from '../harness.js';
import type { MetricsSnapshot } from '../../src/index.js';
import { fetchBytes } from '../http.js';
import { createPlainOtel } from '../plain-otel.js';
import { fakePorts } from '../workload.js';
import { dataPoints, PlainReader } from './collect-all.js';
import { scrapeSetup } from './scrape.js';
import type { CollectionResult } from '@opentelemetry/sdk-metrics';

/** Data points the SDK folded into its overflow series (`otel.metric.overflow`). */
function overflowPoints(result: CollectionResult): number {
  let points = 0;
  for (const scope of result.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const p of metric.dataPoints)
        if (p.attributes['otel.metric.overflow'] === true) points++;
    }
  }
  return points;
}

/** Touches every family's series, which a snapshot builds on first access. */
function readEverySeries(snapshot: MetricsSnapshot): number {
  let series = 0;
  for (const family of snapshot.families.values()) series += family.series.length;
  return series;
}

interface Point {
  readonly n: number;
  readonly series: number;
  /** CPU time medians. */
  readonly collectMs: number;
  readonly readMs: number;
  readonly scrapeMs: number;
  /** Elapsed-time medians. */
  readonly wall: { readonly collectMs: number; readonly scrapeMs: number };
  /** The plain-OTel reference: a plain reader's collect() CPU median, its series, overflow series. */
  readonly otel: { readonly collectMs: number; readonly series: number; readonly overflow: number };
}

function roundsFor(n: number, quick: boolean): number {
  if (n <= 100) return quick ? 30 : 60;
  if (n <= 1000) return quick ? 3 : 8;
  return 7;
}

export async function run(options: RunOptions): Promise<CaseResult[]> {
  const sizes = options.quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  const points: Point[] = [];
  for (const n of sizes) {
    fullGc();
    const setup = await scrapeSetup(n, ['library']);
    progress(`P5 N=${n} (${setup.series} series)`);
    const plainReader = new PlainReader();
    const plain = createPlainOtel(fakePorts(n), [plainReader]);
    plain.recordAll();
    const plainResult = await plainReader.collect();
    const time = await interleaveAsync(
      {
        otel: () => plainReader.collect(),
        collectAll: () => setup.workload.collector.collectAll(),
        read: () => setup.workload.collector.collectAll().then(readEverySeries),
        scrape: () => fetchBytes(`${setup.served.url}/library`),
      },
      { samplesPerRound: 1, rounds: roundsFor(n, options.quick), warmupRounds: 1 },
    );
    points.push({
      n,
      series: setup.series,
      collectMs: time['collectAll']!.median,
      readMs: time['read']!.median,
      scrapeMs: time['scrape']!.median,
      wall: { collectMs: time['collectAll']!.wall.median, scrapeMs: time['scrape']!.wall.median },
      otel: {
        collectMs: time['otel']!.median,
        series: dataPoints(plainResult),
        overflow: overflowPoints(plainResult),
      },
    });
    await plain.shutdown();
    await setup.close();
  }

  const rows: CaseResult[] = points.map((p) => ({
    id: `P5.N${p.n}`,
    what: `N=${p.n}, ${p.series} series: collectAll ${round(p.collectMs)} ms, scrape ${round(p.scrapeMs)} ms CPU; per series: collectAll (ours), scrape (reference)`,
    ours: round((p.collectMs * 1000) / p.series),
    reference: round((p.scrapeMs * 1000) / p.series),
    unit: 'µs CPU/series',
    wall: {
      ours: round((p.wall.collectMs * 1000) / p.series),
      reference: round((p.wall.scrapeMs * 1000) / p.series),
    },
    ratio: null,
    goal: 'information',
    pass: null,
  }));
  for (const p of points) {
    rows.push(
      costRow({
        id: `P5.otel.N${p.n}`,
        what: `N=${p.n}: collectAll (${p.series} series) vs plain-OTel reader.collect() (${p.otel.series} series${p.otel.overflow > 0 ? `, ${p.otel.overflow} of them the SDK's overflow series: the default limit of 2,000 attribute sets per instrument folds the rest` : ''})`,
        ours: p.collectMs,
        reference: p.otel.collectMs,
        unit: 'ms CPU',
      }),
    );
  }
  const folding = points.find((p) => p.otel.overflow > 0);
  rows.push({
    id: 'P5.otel.folding',
    what: `smallest N measured at which plain OTel's default cardinality limit folds series (${folding === undefined ? 'none up to N=' + points[points.length - 1]!.n : `${folding.otel.overflow} overflow series at N=${folding.n}`}; the first instrument to pass 2,000 attribute sets is publisher_requests_total, 5 per target: N > 400)`,
    ours: folding?.n ?? Number.NaN,
    reference: null,
    unit: 'targets',
    ratio: null,
    goal: 'information',
    pass: null,
  });
  const base = points.find((p) => p.n === 100)!;
  const top = points[points.length - 1]!;
  for (const [kind, key] of [
    ['collectAll', 'collectMs'],
    ['scrape', 'scrapeMs'],
  ] as const) {
    rows.push(
      costRow(
        {
          id: `P5.${kind}`,
          what: `${kind} cost per series at N=${top.n} vs N=100`,
          ours: (top[key] * 1000) / top.series,
          reference: (base[key] * 1000) / base.series,
          unit: 'µs CPU/series',
          wall: {
            ours: (top.wall[key] * 1000) / top.series,
            reference: (base.wall[key] * 1000) / base.series,
          },
        },
        { atLeast: 1 / 1.5, text: 'ours ≤ 1.5× (ratio ≥ 0.667)' },
      ),
    );
  }
  rows.push({
    id: 'P5.read',
    what: `collectAll and every series read, per series at N=${top.n} vs N=100 (${round(top.readMs)} ms at N=${top.n})`,
    ours: round((top.readMs * 1000) / top.series),
    reference: round((base.readMs * 1000) / base.series),
    unit: 'µs CPU/series',
    ratio: round((base.readMs * top.series) / (top.readMs * base.series)),
    goal: 'information',
    pass: null,
  });
  if (options.quick) {
    for (const row of rows.slice(-3)) {
      (row as { note?: string }).note = 'quick mode: N=1000 is the largest size (full: 10000)';
    }
  }
  return rows;
}
