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
import { DELIVERY_BUCKETS, PublishingMetricsCollector } from '../../src/index.js';
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

function ours(): Loop {
  const { queue } = new PublishingMetricsCollector({ maxTargets: TARGETS.length });
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

/** For the allocation probe (a child process). */
export function allocationContestants(): Record<string, Loop> {
  return { ours: ours(), otel: otelSync(), promClient: promClient() };
}

export async function run(options: RunOptions): Promise<CaseResult[]> {
  progress('P1 hot path: timing');
  const time = interleaveLoops(allocationContestants(), {
    opsPerSample: 2_000,
    samplesPerRound: options.quick ? 20 : 100,
    rounds: options.quick ? 8 : 30,
    warmupRounds: 3,
  });
  progress('P1 hot path: allocation');
  // Ours over 100k calls (64 KB would be 0.6 B/op); the references allocate KBs per call.
  const bytes = await allocationPerOp(fileURLToPath(import.meta.url), {
    ours: 100_000,
    otel: 5_000,
    promClient: 10_000,
  });
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
