/**
 * P6 — memory: the heap of a collector with N=1000 targets after many collections (with a round of
 * events of every recorder before each) must stay within 5% of the heap after fewer; and what
 * 1000 targets cost in heap. Heap figures are `heapUsed` after a full garbage collection.
 */
import { progress, round, settledHeapUsed, type CaseResult, type RunOptions } from '../harness.js';
import { readyWorkload } from '../workload.js';

const N = 1000;

export async function run(options: RunOptions): Promise<CaseResult[]> {
  const [early, late] = options.quick ? [50, 200] : [1_000, 10_000];
  const baseline = settledHeapUsed();
  const workload = await readyWorkload(N);
  const { collector } = workload;
  let done = 0;
  let heapEarly = 0;
  const started = performance.now();
  while (done < late) {
    workload.recordAll();
    await collector.collectAll();
    done++;
    if (done === early) heapEarly = settledHeapUsed();
    if (done % 500 === 0) {
      const perCollection = (performance.now() - started) / done;
      progress(`P6 ${done}/${late} collections (${round(perCollection)} ms each)`);
    }
  }
  const heapLate = settledHeapUsed();
  await workload.shutdown();
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const mode = options.quick ? 'quick mode: ' : '';
  return [
    {
      id: 'P6.growth',
      what: `heap, N=${N}, after ${late} collections vs after ${early}`,
      ours: round(mb(heapLate)),
      reference: round(mb(heapEarly)),
      unit: 'MB',
      ratio: round(heapEarly / heapLate),
      goal: 'ours ≤ 1.05× (ratio ≥ 0.952)',
      pass: heapLate <= heapEarly * 1.05,
      ...(options.quick
        ? { note: `${mode}${early} vs ${late} collections (full: 1000 vs 10000)` }
        : {}),
    },
    {
      id: 'P6.perTarget',
      what: `heap per 1000 targets (full catalog, ${N} targets, after ${early} collections)`,
      ours: round((mb(heapEarly - baseline) * 1000) / N),
      reference: null,
      unit: 'MB',
      ratio: null,
      goal: 'information',
      pass: null,
    },
  ];
}
