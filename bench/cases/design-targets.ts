/**
 * P10 — the design note's own targets for `CollectAll()`: under 100 µs, and under 25 µs after
 * optimisation. `collectAll()` with the full catalog (every collector, every recorder series) and
 * ports answering synchronously, at N=10 and N=100; CPU medians of many collections (a sample is
 * a batch of collections: one takes tens of µs, below what `process.cpuUsage` resolves well).
 */
import { interleaveAsync, progress, round, type CaseResult, type RunOptions } from '../harness.js';
import { readyWorkload } from '../workload.js';

const BATCH = 20;
const GOALS: ReadonlyArray<{ n: number; goalUs: number }> = [
  { n: 10, goalUs: 25 },
  { n: 100, goalUs: 100 },
];

export async function run(options: RunOptions): Promise<CaseResult[]> {
  const rows: CaseResult[] = [];
  for (const { n, goalUs } of GOALS) {
    const workload = await readyWorkload(n);
    const { collector } = workload;
    let series = 0;
    for (const family of (await collector.collectAll()).families.values()) {
      series += family.series.length;
    }
    progress(`P10 collectAll at N=${n} (${series} series)`);
    const time = await interleaveAsync(
      {
        batch: async () => {
          for (let i = 0; i < BATCH; i++) await collector.collectAll();
        },
      },
      { samplesPerRound: 20, rounds: options.quick ? 5 : 20, warmupRounds: 2 },
    );
    await workload.shutdown();
    const t = time['batch']!;
    const us = (t.median * 1000) / BATCH;
    rows.push({
      id: `P10.N${n}`,
      what: `collectAll, full catalog, N=${n} (${series} series), synchronous ports, per collection`,
      ours: round(us),
      reference: null,
      unit: 'µs CPU',
      ratio: null,
      goal: `median ≤ ${goalUs} µs`,
      pass: us <= goalUs,
      p99: { ours: round((t.p99 * 1000) / BATCH) },
      wall: { ours: round((t.wall.median * 1000) / BATCH) },
      note: `medians of ${BATCH}-collection batches`,
    });
  }
  return rows;
}
