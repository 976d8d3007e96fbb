/**
 * An OTLP endpoint that refuses, hangs, fails, crawls or trickles while the host records jobs at full
 * speed: the host's event loop keeps its pace, memory stays flat, nothing rejects unhandled, and
 * once the endpoint recovers the real backend (VictoriaMetrics, behind a fault-injecting proxy)
 * holds exactly the cumulative counts that were recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import {
  promQuery,
  requireBackend,
  startVictoriaMetrics,
  vmForceFlush,
  waitForQuery,
  type PromSample,
  type RunningBackend,
} from '../support/backends.js';
import { settledHeapUsed } from '../support/gc.js';
import { FakePipeline, memoryLogger, until } from '../setup/fixtures.js';
import { LoopDelayProbe, type LoopDelay } from './support/event-loop.js';
import { startFaultProxy, type FaultProxy, type ProxyMode } from './support/fault-proxy.js';
import { LONG, mib, writeFigures, type Figure } from './support/figures.js';
import { JobLoop } from './support/job-loop.js';

const victoriaBin = requireBackend('victoria-metrics');

const SERVICE = 'reliability-exporter-faults';
const INTERVAL_MS = 200;
/** Each phase spans this many export intervals (`RELIABILITY_LONG=1`: a minute each). */
const PHASE_MS = LONG ? 60_000 : 8 * INTERVAL_MS;
const TARGETS = [
  'slack-oncall',
  'slack-platform',
  'pagerduty-primary',
  'pagerduty-secondary',
  'rootly-incidents',
  'webhook-audit',
  'webhook-billing',
  'webhook-ops ✓',
];
/**
 * How late the host's timers may fire. A loop blocked for an export (its timeout is 200 ms, one
 * per interval) would put p99 at 200 ms or more; a hang would put max at the phase length. The
 * margins leave room for a shared, loaded 2-core machine descheduling the process: there, with
 * no exporter at all, max reaches ~100 ms and p99 ~90 ms (measured).
 */
const MAX_LOOP_P99_MS = INTERVAL_MS;
const MAX_LOOP_DELAY_MS = 1_000;
/** Two in-flight payloads of ~10 KB and the SDK's retry timers; a leak per export is far more. */
const MAX_HEAP_GROWTH = 3 * 2 ** 20;

interface Phase {
  name: string;
  mode: ProxyMode;
}

const PHASES: Phase[] = [
  { name: 'healthy', mode: { kind: 'pass' } },
  { name: 'refused (port closed)', mode: { kind: 'refuse' } },
  { name: 'hanging (accepts, never answers)', mode: { kind: 'hang' } },
  { name: 'HTTP 500', mode: { kind: 'status', status: 500 } },
  {
    name: 'HTTP 429, Retry-After: 0',
    mode: { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
  },
  { name: 'slow, within the timeout (100 ms)', mode: { kind: 'slow', delayMs: 100 } },
  { name: 'slow, beyond the timeout (500 ms)', mode: { kind: 'slow', delayMs: 500 } },
  // Before: the exporter's idle timeout never fired, two exports held both slots for good and
  // every later one failed with "Concurrent export limit reached".
  {
    name: 'trickling (200, then a byte every 50 ms, never ending)',
    mode: { kind: 'trickle', everyMs: 50 },
  },
];

interface PhaseFigures {
  phase: string;
  requests: number;
  delivered: number;
  maxOpen: number;
  failedExports: number;
  jobsRecorded: number;
  loop: LoopDelay;
  heapMiB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!victoriaBin)('OTLP exporter faults against VictoriaMetrics', () => {
  let victoria: RunningBackend;
  let proxy: FaultProxy;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    victoria = await startVictoriaMetrics();
    proxy = await startFaultProxy(victoria.url);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy?.close();
    await victoria?.stop();
  });

  it(
    'refused, hanging, 500, 429, slow and trickling endpoints: loop on time, heap flat, no count lost',
    async () => {
      const pipeline = new FakePipeline(TARGETS.map((name) => ({ name, type: 'webhook' })));
      const logger = memoryLogger();
      const telemetry: PublishingTelemetry = await startPublishingTelemetry({
        sources: pipeline.sources,
        serviceName: SERVICE,
        prometheus: false,
        otlp: {
          endpoint: `${proxy.url}/opentelemetry/v1/metrics`,
          protocol: 'http/protobuf',
          intervalMs: INTERVAL_MS,
          timeoutMs: INTERVAL_MS,
        },
        logger,
      });
      const loop = new JobLoop(telemetry.collector, TARGETS);
      const probe = new LoopDelayProbe();
      const phases: PhaseFigures[] = [];
      let heapHealthy = 0;
      try {
        loop.start();
        // Warm-up: JIT, the first exports and VictoriaMetrics' new-series path.
        await sleep(1000);
        for (const phase of PHASES) {
          await proxy.setMode(phase.mode);
          const warnsBefore = logger.warns.length;
          const jobsBefore = loop.total;
          probe.start();
          await sleep(PHASE_MS);
          const loopDelay = probe.stop();
          const figures: PhaseFigures = {
            phase: phase.name,
            requests: proxy.counts.received,
            delivered: proxy.counts.delivered,
            maxOpen: proxy.maxOpen,
            failedExports: logger.warns.length - warnsBefore,
            jobsRecorded: loop.total - jobsBefore,
            loop: loopDelay,
            heapMiB: mib(settledHeapUsed()),
          };
          phases.push(figures);
          if (phase.name === 'healthy') heapHealthy = figures.heapMiB;
        }
        const failuresBeforeRecovery = telemetry.otlp!.failures;

        // Recovery: the loop stops, the endpoint answers again, the next exports carry the totals.
        await loop.stop();
        await proxy.setMode({ kind: 'pass' });
        await until('a successful export after recovery', () =>
          telemetry.otlp!.failures === 0 && proxy.counts.delivered > 0 ? true : undefined,
        );
        await telemetry.otlp!.reader.forceFlush();
        const recorded = loop.recorded();
        await vmForceFlush(victoria.url);
        const query = `alert_history_publishing_jobs_processed_total{service_name="${SERVICE}"}`;
        const stored = await waitForQuery(
          victoria.url,
          query,
          (result) => lost(recorded, result) === 0,
          15_000,
          200,
          // Still unequal after 15 s: the assertions below say by how much.
        ).catch(() => promQuery(victoria.url, query));
        const heapEnd = mib(settledHeapUsed());

        // Figures first, so a failing assertion still leaves them for inspection.
        const faults = phases.filter((p) => p.phase !== 'healthy');
        writeFigures('exporter-faults', {
          intervalMs: INTERVAL_MS,
          phaseMs: PHASE_MS,
          targets: TARGETS.length,
          jobsRecorded: loop.total,
          jobsInBackend: sum(stored),
          countsLost: lost(recorded, stored),
          heapAfterHealthyMiB: heapHealthy,
          heapAfterFaultsMiB: phases.at(-1)!.heapMiB,
          heapAfterRecoveryMiB: heapEnd,
          maxLoopDelayMs: Math.max(...phases.map((p) => p.loop.maxMs)),
          unhandledRejections: unhandled.length,
          phases: phases as unknown as Figure[],
        });

        expect(unhandled).toEqual([]);
        expect(loop.total).toBeGreaterThan(100_000);
        for (const p of phases) {
          expect(p.loop.maxMs, `max event-loop delay while ${p.phase}`).toBeLessThan(
            MAX_LOOP_DELAY_MS,
          );
          expect(p.loop.p99Ms, `p99 event-loop delay while ${p.phase}`).toBeLessThan(
            MAX_LOOP_P99_MS,
          );
          expect(p.jobsRecorded, `jobs recorded while ${p.phase}`).toBeGreaterThan(0);
        }
        for (const p of faults) {
          // The exporter holds at most two requests, whatever the endpoint does.
          expect(p.maxOpen, `requests open at once while ${p.phase}`).toBeLessThanOrEqual(2);
        }
        const byName = new Map(phases.map((p) => [p.phase, p]));
        expect(byName.get('refused (port closed)')!.requests).toBe(0);
        expect(byName.get('refused (port closed)')!.failedExports).toBeGreaterThanOrEqual(4);
        expect(byName.get('hanging (accepts, never answers)')!.delivered).toBe(0);
        expect(byName.get('hanging (accepts, never answers)')!.failedExports).toBeGreaterThan(0);
        expect(byName.get('HTTP 500')!.failedExports).toBeGreaterThanOrEqual(4);
        // 429 with Retry-After: 0 is retried (five times at most) within each export's timeout.
        const throttled = byName.get('HTTP 429, Retry-After: 0')!;
        expect(throttled.requests).toBeGreaterThan(throttled.failedExports);
        expect(throttled.requests).toBeLessThanOrEqual(6 * (throttled.failedExports + 2));
        expect(byName.get('slow, within the timeout (100 ms)')!.delivered).toBeGreaterThan(0);
        const trickling = byName.get('trickling (200, then a byte every 50 ms, never ending)')!;
        // Every interval sends an export (none refused for want of a slot), each abandoned.
        expect(trickling.requests).toBeGreaterThanOrEqual(4);
        expect(trickling.failedExports).toBeGreaterThanOrEqual(trickling.requests - 2);
        expect(failuresBeforeRecovery).toBeGreaterThan(0);
        expect(phases.at(-1)!.heapMiB - heapHealthy).toBeLessThan(mib(MAX_HEAP_GROWTH));
        expect(lost(recorded, stored)).toBe(0);
        expect(sum(stored)).toBe(loop.total);
      } finally {
        await loop.stop();
        await telemetry.shutdown();
      }
    },
    LONG ? 15 * 60_000 : 60_000,
  );
});

function sum(result: PromSample[]): number {
  return result.reduce((total, s) => total + Number(s.value[1]), 0);
}

/** Jobs recorded but missing from the backend (absolute differences summed over series). */
function lost(recorded: Map<string, Map<string, number>>, result: PromSample[]): number {
  const stored = new Map(
    result.map((s) => [`${s.metric['target']}\u0000${s.metric['state']}`, Number(s.value[1])]),
  );
  let missing = 0;
  for (const [target, byState] of recorded) {
    for (const [state, count] of byState) {
      missing += Math.abs(count - (stored.get(`${target}\u0000${state}`) ?? 0));
    }
  }
  return missing;
}
