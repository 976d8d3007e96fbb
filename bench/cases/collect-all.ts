/**
 * P2 — `collectAll()` at N=100 with the full catalog, against:
 * - `bare`: a plain MetricReader on the same MeterProvider, built with the library's
 *   MetricProducer: its `collect()` runs the same port collectors and returns the same series, so
 *   the difference is what the snapshot costs on top (families by Prometheus name, statuses);
 * - `otel`: a plain reader's `collect()` of the plain-OTel equivalent (bench/plain-otel.ts) over
 *   the same ports and events — what a user who wrote the catalog with OTel instruments pays;
 * - `instrument`: a plain reader's `collect()` on the instrument path (the library's series as
 *   observable instruments and mirrored histograms on the host's MeterProvider) vs the producer
 *   path's plain reader.
 */
import { MetricReader, type CollectionResult } from '@opentelemetry/sdk-metrics';
import {
  costRow,
  interleaveAsync,
  progress,
  timings,
  type CaseResult,
  type RunOptions,
} from '../harness.js';
import { createPlainOtel } from '../plain-otel.js';
import { fakePorts, readyWorkload } from '../workload.js';

export class PlainReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export function dataPoints(result: CollectionResult): number {
  let points = 0;
  for (const scope of result.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) points += metric.dataPoints.length;
  }
  return points;
}

const N = 100;
const CONCURRENT = 10;

export async function run(options: RunOptions): Promise<CaseResult[]> {
  let attached!: PlainReader;
  const workload = await readyWorkload(N, {
    readers: (metricProducers) => [(attached = new PlainReader({ metricProducers }))],
  });
  const { collector } = workload;
  const series = dataPoints(await attached.collect());
  const rounds = options.quick ? 25 : 100;

  progress(`P2 collectAll at N=${N} (${series} series)`);
  const time = await interleaveAsync(
    {
      ours: () => collector.collectAll(),
      attached: () => attached.collect(),
    },
    { samplesPerRound: 5, rounds, warmupRounds: 3 },
  );
  progress(`P2 vs plain OTel and on the instrument path`);
  const plainReader = new PlainReader();
  const plain = createPlainOtel(fakePorts(N), [plainReader]);
  plain.recordAll();
  const plainSeries = dataPoints(await plainReader.collect());
  let instrumentReader!: PlainReader;
  const instrumentWorkload = await readyWorkload(N, {
    path: 'instruments',
    readers: () => [(instrumentReader = new PlainReader())],
  });
  const instrumentSeries = dataPoints(await instrumentReader.collect());
  const versus = await interleaveAsync(
    {
      ours: () => collector.collectAll(),
      producer: () => attached.collect(),
      instrument: () => instrumentReader.collect(),
      otel: () => plainReader.collect(),
    },
    { samplesPerRound: 5, rounds, warmupRounds: 3 },
  );
  await instrumentWorkload.shutdown();
  await plain.shutdown();
  progress(`P2 ${CONCURRENT} concurrent callers`);
  const concurrency = await interleaveAsync(
    {
      one: () => collector.collectAll(),
      many: () => Promise.all(Array.from({ length: CONCURRENT }, () => collector.collectAll())),
    },
    { samplesPerRound: 5, rounds, warmupRounds: 3 },
  );
  await workload.shutdown();

  const ours = time['ours']!;
  return [
    costRow(
      {
        id: 'P2.bare',
        what: `collectAll, N=${N}, ${series} series, vs attached reader.collect()`,
        ...timings(ours, time['attached']!),
        unit: 'ms CPU',
      },
      { atLeast: 1 / 1.2, text: 'ours ≤ 1.2× (ratio ≥ 0.833)' },
    ),
    costRow(
      {
        id: 'P2.otel',
        what: `collectAll, N=${N}, ${series} series, vs plain reader.collect() of plain OTel (${plainSeries} series)`,
        ...timings(versus['ours']!, versus['otel']!),
        unit: 'ms CPU',
      },
      { atLeast: 10, text: 'ours ≥ 10× less CPU (ratio ≥ 10)' },
    ),
    costRow({
      id: 'P2.otel.producer',
      what: `producer path reader.collect(), N=${N}, vs plain reader.collect() of plain OTel`,
      ...timings(versus['producer']!, versus['otel']!),
      unit: 'ms CPU',
    }),
    costRow({
      id: 'P2.instrument',
      what: `plain reader.collect(), N=${N}: producer path (${series} series) vs instrument path (${instrumentSeries} series)`,
      ...timings(versus['producer']!, versus['instrument']!),
      unit: 'ms CPU',
      note: 'ours = producer path, reference = instrument path',
    }),
    costRow(
      {
        id: 'P2.concurrent',
        what: `${CONCURRENT} concurrent collectAll callers vs one`,
        ...timings(concurrency['many']!, concurrency['one']!),
        unit: 'ms CPU',
      },
      { atLeast: 1 / 1.3, text: 'ours ≤ 1.3× (ratio ≥ 0.769)' },
    ),
  ];
}
