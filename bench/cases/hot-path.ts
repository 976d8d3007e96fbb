/**
 * P1 — the hot path: one finished job, as the queue reports it on the delivery path. Ours is
 * `collector.queue.recordJob(...)` (jobs_processed_total + job_duration_seconds +
 * job_wait_time_seconds); the references make the same three updates through OTel synchronous
 * instruments (one MeterProvider, one reader) and through prom-client (a Counter and two
 * Histograms with labels), each written the way their documentation shows.
 */
import { fileURLToPath } from 'node:url';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter, Histogram, Registry } from 'prom-client';
import {
  DELIVERY_BUCKETS,
  PublishingMetricsCollector,
  type QueueRecorderApi,
} from '../../src/index.js';
import {
  allocationPerOp,
  costRow,
  interleaveLoops,
  progress,
  round,
  type CaseResult,
  type RunOptions,
} from '../harness.js';
import { PRIORITIES, STATES, targetNames } from '../workload.js';

const TARGETS = targetNames(100);
/** Typical delivery durations and queue waits, seconds; the same inputs for every contestant. */
const DURATIONS = [0.012, 0.25, 1.3, 0.08];
const WAITS = [0.002, 0.04, 0.3, 0.01];

class PlainReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

type Loop = (count: number) => void;

function jobLoop(queue: QueueRecorderApi): Loop {
  let k = 0;
  return (count) => {
    for (let i = 0; i < count; i++, k++) {
      queue.recordJob(
        TARGETS[k % 100]!,
        PRIORITIES[k % 3]!,
        STATES[k & 1]!,
        DURATIONS[k & 3]!,
        WAITS[k & 3]!,
      );
    }
  };
}

/** Ours on the producer path (`meterProvider: false`). */
function ours(): Loop {
  return jobLoop(new PublishingMetricsCollector({ maxTargets: 100, meterProvider: false }).queue);
}

/**
 * Ours on the instrument path, over an SDK MeterProvider with one reader: each recorder histogram
 * value is also recorded into an OTel sync histogram (OTel has no observable histogram). Its own
 * copy of the loop: a call site that has seen two collectors' `recordJob` (each recorder binds
 * its methods) is no longer inlined, and the caller then boxes the two durations it passes (32
 * B/op measured, with two producer-path collectors as well) — one host holds one collector.
 */
function oursInstrument(): Loop {
  const meterProvider = new MeterProvider({ readers: [new PlainReader()] });
  const { queue } = new PublishingMetricsCollector({ maxTargets: 100, meterProvider });
  let k = 0;
  return (count) => {
    for (let i = 0; i < count; i++, k++) {
      queue.recordJob(
        TARGETS[k % 100]!,
        PRIORITIES[k % 3]!,
        STATES[k & 1]!,
        DURATIONS[k & 3]!,
        WAITS[k & 3]!,
      );
    }
  };
}

function otelSync(): Loop {
  const provider = new MeterProvider({ readers: [new PlainReader()] });
  const meter = provider.getMeter('bench');
  const jobs = meter.createCounter('jobs_processed', { unit: '{job}' });
  const duration = meter.createHistogram('job_duration_seconds', {
    unit: 's',
    advice: { explicitBucketBoundaries: [...DELIVERY_BUCKETS] },
  });
  const wait = meter.createHistogram('job_wait_time_seconds', {
    unit: 's',
    advice: { explicitBucketBoundaries: [...DELIVERY_BUCKETS] },
  });
  let k = 0;
  return (count) => {
    for (let i = 0; i < count; i++, k++) {
      const target = TARGETS[k % 100]!;
      const priority = PRIORITIES[k % 3]!;
      jobs.add(1, { target, state: STATES[k & 1]! });
      duration.record(DURATIONS[k & 3]!, { target, priority });
      wait.record(WAITS[k & 3]!, { priority });
    }
  };
}

function promClient(): Loop {
  const registers = [new Registry()];
  const jobs = new Counter({
    name: 'jobs_processed_total',
    help: 'Jobs processed',
    labelNames: ['target', 'state'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Job duration',
    labelNames: ['target', 'priority'] as const,
    buckets: [...DELIVERY_BUCKETS],
    registers,
  });
  const wait = new Histogram({
    name: 'job_wait_time_seconds',
    help: 'Job wait time',
    labelNames: ['priority'] as const,
    buckets: [...DELIVERY_BUCKETS],
    registers,
  });
  let k = 0;
  return (count) => {
    for (let i = 0; i < count; i++, k++) {
      const target = TARGETS[k % 100]!;
      const priority = PRIORITIES[k % 3]!;
      jobs.inc({ target, state: STATES[k & 1]! });
      duration.observe({ target, priority }, DURATIONS[k & 3]!);
      wait.observe({ priority }, WAITS[k & 3]!);
    }
  };
}

const CONTESTANTS: Record<string, () => Loop> = {
  ours,
  instrument: oursInstrument,
  otel: otelSync,
  promClient,
};

/** For the allocation probe (a child process): the contestants named. */
export function allocationContestants(names: readonly string[]): Record<string, Loop> {
  return Object.fromEntries(names.map((name) => [name, CONTESTANTS[name]!()]));
}

export async function run(options: RunOptions): Promise<CaseResult[]> {
  const loopOptions = {
    opsPerSample: 2_000,
    samplesPerRound: options.quick ? 20 : 100,
    rounds: options.quick ? 8 : 30,
    warmupRounds: 3,
  };
  progress('P1 hot path: timing');
  const time = interleaveLoops(allocationContestants(['ours', 'otel', 'promClient']), loopOptions);
  // The instrument path afterwards, beside a new producer-path collector: once the JIT has seen
  // a second collector (here the instrument path's mirrored histograms), recordJob is no longer
  // inlined into the caller's loop, which then boxes the durations it passes (~100 ns more). The
  // producer-path figures above are from a process with one collector, as a host has.
  progress('P1 hot path: instrument path');
  const paths = interleaveLoops(allocationContestants(['ours', 'instrument']), loopOptions);
  progress('P1 hot path: allocation');
  // Ours over 100k calls (64 KB would be 0.6 B/op); the references allocate KBs per call. The
  // instrument path in a probe of its own, for the same reason.
  const bytes = {
    ...(await allocationPerOp(fileURLToPath(import.meta.url), {
      ours: 100_000,
      otel: 5_000,
      promClient: 10_000,
    })),
    ...(await allocationPerOp(fileURLToPath(import.meta.url), { instrument: 5_000 })),
  };
  const o = time['ours']!;
  const what = 'recordJob (3 updates)';
  return [
    {
      id: 'P1.time',
      what: `${what}, ours`,
      ours: round(o.median),
      reference: null,
      unit: 'ns/op',
      ratio: null,
      goal: 'median ≤ 100 ns/op',
      pass: o.median <= 100,
      p99: { ours: round(o.p99) },
      note: 'p99 of 2,000-call sample means',
    },
    costRow(
      {
        id: 'P1.otel',
        what: `${what} vs OTel sync Counter + 2 Histograms`,
        ours: o.median,
        reference: time['otel']!.median,
        unit: 'ns/op',
        p99: { ours: round(o.p99), reference: round(time['otel']!.p99) },
      },
      { atLeast: 20, text: 'ratio ≥ 20' },
    ),
    costRow(
      {
        id: 'P1.prom',
        what: `${what} vs prom-client Counter + 2 Histograms`,
        ours: o.median,
        reference: time['promClient']!.median,
        unit: 'ns/op',
        p99: { ours: round(o.p99), reference: round(time['promClient']!.p99) },
      },
      { atLeast: 10, text: 'ratio ≥ 10' },
    ),
    costRow({
      id: 'P1.instrument',
      what: `${what}: producer path (ours) vs instrument path (reference; histograms mirrored into OTel sync histograms; ${round(bytes['instrument']!, 4)} B/op)`,
      ours: paths['ours']!.median,
      reference: paths['instrument']!.median,
      unit: 'ns/op',
      p99: { ours: round(paths['ours']!.p99), reference: round(paths['instrument']!.p99) },
    }),
    costRow({
      id: 'P1.instrument.otel',
      what: `${what} on the instrument path vs OTel sync Counter + 2 Histograms`,
      ours: paths['instrument']!.median,
      reference: time['otel']!.median,
      unit: 'ns/op',
    }),
    {
      id: 'P1.alloc',
      what: `${what}, heap allocated per call (OTel: ${round(bytes['otel']!, 4)}, prom-client: ${round(bytes['promClient']!, 4)})`,
      ours: round(bytes['ours']!, 2),
      reference: null,
      unit: 'B/op',
      ratio: null,
      goal: '0 B/op (< 1 B/op: noise floor)',
      pass: bytes['ours']! < 1,
    },
  ];
}
