/**
 * P5 — scaling: `collectAll()` and a Prometheus scrape (library default endpoint, HTTP on
 * loopback) at N = 10, 100, 1000 and, in full mode, 10000 targets. The goal compares the cost
 * per exported series at the largest N with that at N=100.
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
import { fetchBytes } from '../http.js';
import { scrapeSetup } from './scrape.js';

interface Point {
  readonly n: number;
  readonly series: number;
  /** CPU time medians. */
  readonly collectMs: number;
  readonly scrapeMs: number;
  /** Elapsed-time medians. */
  readonly wall: { readonly collectMs: number; readonly scrapeMs: number };
}

function roundsFor(n: number, quick: boolean): number {
  if (n <= 100) return quick ? 30 : 60;
  if (n <= 1000) return quick ? 3 : 8;
  return 3;
}

export async function run(options: RunOptions): Promise<CaseResult[]> {
  const sizes = options.quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  const points: Point[] = [];
  for (const n of sizes) {
    fullGc();
    const setup = await scrapeSetup(n, ['library']);
    progress(`P5 N=${n} (${setup.series} series)`);
    const time = await interleaveAsync(
      {
        collectAll: () => setup.workload.collector.collectAll(),
        scrape: () => fetchBytes(`${setup.served.url}/library`),
      },
      { samplesPerRound: 1, rounds: roundsFor(n, options.quick), warmupRounds: 1 },
    );
    points.push({
      n,
      series: setup.series,
      collectMs: time['collectAll']!.median,
      scrapeMs: time['scrape']!.median,
      wall: { collectMs: time['collectAll']!.wall.median, scrapeMs: time['scrape']!.wall.median },
    });
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
  if (options.quick) {
    for (const row of rows.slice(-2)) {
      (row as { note?: string }).note = 'quick mode: N=1000 is the largest size (full: 10000)';
    }
  }
  return rows;
}
