/**
 * Load on the endpoints users get: the stats API at sustained load (autocannon, 10 connections
 * over loopback: every request answered 2xx, one collection per TTL whatever the rate), and the
 * library's own `/metrics` server (`startPublishingTelemetry({ prometheus: { port: 0 } })`) at
 * 1,000 targets under a flood of 200 concurrent and 1,000 pipelined scrapes from another process:
 * the scrapes share collections and encoded bodies, so the server's heap grows by at most two
 * bodies and its event loop is never blocked for longer than two scrapes alone would take.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import { REPO_ROOT } from '../support/backends.js';
import { settledHeapUsed } from '../support/gc.js';
import { startFixture, type Fixture } from '../http/fixture.js';
import { FakePipeline, type FakeTarget } from '../setup/fixtures.js';
import { LoopDelayProbe } from './support/event-loop.js';
import { LONG, mib, ms, writeFigures, type Figure } from './support/figures.js';
import type { FloodOptions, FloodResult } from './support/scrape-flood.js';

interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<{ method: 'GET'; path: string }>;
}) => Promise<AutocannonResult>;

// autocannon ships no type declarations.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const BASE = '/api/v2/publishing';
/** The JSON endpoints, then the own /metrics server (a collection per request at this rate). */
const SECONDS = LONG ? 60 : 4;
const METRICS_SECONDS = LONG ? 15 : 1;
const CONNECTIONS = 10;
const CACHE_TTL_MS = 1000;

const figures: Record<string, Figure> = {};
afterAll(() => writeFigures('load', figures));

async function load(url: string, seconds: number, paths: string[]) {
  const probe = new LoopDelayProbe();
  probe.start();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    // Each connection cycles through these in turn.
    requests: paths.map((path) => ({ method: 'GET' as const, path })),
  });
  const loop = probe.stop();
  // The server shares this process with the load generator: throughput figures are a floor.
  return {
    result,
    figures: {
      connections: CONNECTIONS,
      seconds,
      requests: result.requests.total,
      requestsPerSecond: Math.round(result.requests.average),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      maxEventLoopDelayMs: ms(loop.maxMs),
    },
  };
}

function expectAllAnswered(result: AutocannonResult): void {
  expect(result.errors).toBe(0);
  expect(result.timeouts).toBe(0);
  expect(result.non2xx).toBe(0);
  expect(result['2xx']).toBe(result.requests.total);
}

function targets(n: number): FakeTarget[] {
  const types = ['slack', 'rootly', 'pagerduty', 'webhook'];
  return Array.from({ length: n }, (_, i) => ({ name: `target-${i}`, type: types[i % 4]! }));
}

/**
 * The library's own Prometheus server over `n` targets: every port reporting each target, and a
 * job, a retry and a publisher request recorded for each (~12 KB of exposition per target).
 * `portCalls()` counts health-port reads: one per collection, whoever asked for it.
 */
async function ownEndpoint(n: number) {
  const pipeline = new FakePipeline(targets(n));
  let portCalls = 0;
  const getHealth = pipeline.health.getHealth;
  const sources = {
    ...pipeline.sources,
    health: {
      getHealth: () => {
        portCalls++;
        return getHealth();
      },
    },
  };
  const telemetry = await startPublishingTelemetry({
    sources,
    prometheus: { port: 0 },
    otlp: false,
    logger: false,
    maxTargets: 2 * n,
    collectorTimeoutMs: 10_000,
  });
  for (const t of pipeline.targets) {
    telemetry.collector.queue.recordJob(t.name, 'high', 'succeeded', 0.3, 0.01);
    telemetry.collector.queue.recordRetry(t.name, 'transient');
    telemetry.collector.publisher.recordRequest(t.type, t.name, 200, 0.2);
  }
  return { telemetry, url: telemetry.prometheus!.url!, portCalls: () => portCalls };
}

/**
 * Runs the flood in a child process; resolves with its result. `onFirstByte` runs when the first
 * answer starts arriving (the shared body is made and being written).
 */
function runFlood(options: FloodOptions, onFirstByte: () => void = () => {}): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'test/reliability/support/scrape-flood.ts'),
        JSON.stringify(options),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let fired = false;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!fired && out.includes('first-byte\n')) {
        fired = true;
        onFirstByte();
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`scrape flood exited ${code}: ${err}`));
      else resolve(JSON.parse(last) as FloodResult);
    });
  });
}

/** Memory in use: heapUsed + arrayBuffers (the encoded bodies are Buffers, outside the JS heap). */
function inUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function settledMemory(): number {
  const heap = settledHeapUsed();
  return heap + process.memoryUsage().arrayBuffers;
}

/** Samples memory in use every 5 ms while a flood runs (garbage included): the peak growth. */
function memorySampler(baseline: number) {
  let peak = inUse();
  const timer = setInterval(() => (peak = Math.max(peak, inUse())), 5);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, inUse()) - baseline;
    },
  };
}

/**
 * Measures what the server holds once every answer is being written: 300 ms after the first byte
 * arrived, a full GC and the memory in use (one GC pause, in the flood and in the reference run
 * alike).
 */
function liveProbe(baseline: number) {
  let live: Promise<number> | undefined;
  return {
    onFirstByte: () => {
      live = new Promise((r) => setTimeout(() => r(settledMemory() - baseline), 300));
    },
    held: async () => (live === undefined ? Number.NaN : await live),
  };
}

describe('stats API under sustained load', () => {
  let fixture: Fixture;
  let own: Awaited<ReturnType<typeof ownEndpoint>>;
  beforeAll(async () => {
    fixture = await startFixture({ cacheTtlMs: CACHE_TTL_MS });
    own = await ownEndpoint(4);
  });
  afterAll(async () => {
    await fixture?.close();
    await own?.telemetry.shutdown();
  });

  it(`${CONNECTIONS} connections for ${SECONDS} s on the JSON endpoints and ${METRICS_SECONDS} s on the own /metrics server: 0 errors, 0 non-2xx, one collection per TTL`, async () => {
    const collectionsBefore = fixture.collections();
    const json = await load(fixture.server.url, SECONDS, [
      `${BASE}/stats`,
      `${BASE}/stats?sort=-score&limit=2`,
      `${BASE}/stats/slack-ops`,
      `${BASE}/snapshot`,
      `${BASE}/health`,
    ]);
    const collections = fixture.collections() - collectionsBefore;
    const { origin, pathname } = new URL(own.url);
    const metrics = await load(origin, METRICS_SECONDS, [pathname]);
    figures['json'] = { ...json.figures, collections };
    figures['metrics'] = metrics.figures;

    expectAllAnswered(json.result);
    expectAllAnswered(metrics.result);
    // Enough requests that the figures mean something, even on a loaded machine.
    expect(json.result.requests.total).toBeGreaterThan(50 * SECONDS);
    expect(metrics.result.requests.total).toBeGreaterThan(10 * METRICS_SECONDS);
    // One collection per TTL at most (plus one in flight at either end), whatever the load.
    expect(collections).toBeLessThanOrEqual(Math.ceil((SECONDS * 1000) / CACHE_TTL_MS) + 2);
  }, 180_000);
});

const TARGETS = 1_000;
const CONCURRENT = 200;
const PIPELINED = 1_000;
/** Answers the pipelining client reads before it closes; the rest are abandoned with it. */
const PIPELINED_READ = 3;

describe(`the own /metrics server at ${TARGETS.toLocaleString('en')} targets`, () => {
  let own: Awaited<ReturnType<typeof ownEndpoint>> | undefined;
  let telemetry: PublishingTelemetry | undefined;
  afterAll(async () => {
    await telemetry?.shutdown();
  });

  it(`${CONCURRENT} concurrent + ${PIPELINED} pipelined scrapes share collections and bodies: heap growth ≤ 2 bodies, loop delay ≤ 2 scrapes alone`, async () => {
    own = await ownEndpoint(TARGETS);
    telemetry = own.telemetry;
    const url = own.url;
    const flood = (
      concurrent: number,
      pipelined: number,
      pipelinedRead: number,
      onFirstByte?: () => void,
    ) => runFlood({ url, concurrent, pipelined, pipelinedRead, timeoutMs: 60_000 }, onFirstByte);

    // Warm-up (JIT, first-use costs), then one scrape alone: the reference.
    await flood(1, 0, 0);
    const aloneBaseline = settledMemory();
    const aloneLive = liveProbe(aloneBaseline);
    const aloneSampler = memorySampler(aloneBaseline);
    const aloneProbe = new LoopDelayProbe();
    aloneProbe.start();
    const alone = await flood(1, 0, 0, aloneLive.onFirstByte);
    const aloneLoop = aloneProbe.stop();
    const alonePeak = aloneSampler.stop();
    const aloneHeld = await aloneLive.held();
    const bodyBytes = alone.concurrentBytes.max;
    expect(alone.concurrentStatuses).toEqual({ 200: 1 });
    expect(bodyBytes).toBeGreaterThan(TARGETS * 5_000);

    // The flood: the event loop, memory as it is (garbage included) and what it holds.
    const callsBefore = own.portCalls();
    const baseline = settledMemory();
    const live = liveProbe(baseline);
    const sampler = memorySampler(baseline);
    const probe = new LoopDelayProbe();
    probe.start();
    const result = await flood(CONCURRENT, PIPELINED, PIPELINED_READ, live.onFirstByte);
    const loop = probe.stop();
    const rawPeak = sampler.stop();
    const held = await live.held();
    const collections = own.portCalls() - callsBefore;
    // The server has seen every connection of the flood close.
    await new Promise((r) => setTimeout(r, 200));
    const after = settledMemory();

    figures['flood'] = {
      targets: TARGETS,
      concurrent: CONCURRENT,
      pipelined: PIPELINED,
      pipelinedRead: PIPELINED_READ,
      bodyMiB: mib(bodyBytes),
      scrapeAloneMs: alone.ms,
      scrapeAloneLoopMaxMs: ms(aloneLoop.maxMs),
      scrapeAlonePeakRawMiB: mib(alonePeak),
      scrapeAloneHeldMiB: mib(aloneHeld),
      floodMs: result.ms,
      collections,
      concurrentStatuses: result.concurrentStatuses,
      pipelinedAnswers: result.pipelinedAnswers,
      peakRawMiB: mib(rawPeak),
      heldMiB: mib(held),
      heldBodies: Math.round((held / bodyBytes) * 100) / 100,
      loopMaxMs: ms(loop.maxMs),
      loopP99Ms: ms(loop.p99Ms),
      loopMaxScrapesAlone: Math.round((loop.maxMs / alone.ms) * 100) / 100,
      retainedAfterMiB: mib(after - baseline),
    };

    // Every concurrent scrape answered 200 in full, all with the same bytes (the bodies of
    // separate collections differ by a few bytes: the library's self-monitoring counters).
    expect(result.concurrentStatuses).toEqual({ 200: CONCURRENT });
    expect(result.concurrentBytes.max - result.concurrentBytes.min).toBeLessThan(100);
    expect(Math.abs(result.concurrentBytes.max - bodyBytes)).toBeLessThan(100);
    expect(result.pipelinedAnswers).toBeGreaterThanOrEqual(PIPELINED_READ);
    // 1,210 answers from a handful of collections (before: one each).
    expect(collections).toBeLessThanOrEqual(Math.ceil(result.ms / Math.max(alone.ms, 1)) + 2);
    expect(collections).toBeLessThan(20);
    // The goals. Before: 200 concurrent scrapes took the heap 41 → 1,151 MiB with a 4 s stall,
    // 1,000 pipelined ones killed the process out of memory.
    // Held at once: one body (MAX_LIVE_BODIES), the requests and responses, and the working
    // set of a collection in progress.
    expect(held).toBeLessThanOrEqual(2 * bodyBytes);
    expect(loop.maxMs).toBeLessThanOrEqual(2 * alone.ms);
    // No body kept once the flood is over. What remains (~7 MiB measured) are the ~1,000
    // abandoned pipelined requests, kept until their 30 s response deadline timers fire.
    expect(after - baseline).toBeLessThan(bodyBytes);
    // And the server still answers.
    expect((await flood(1, 0, 0)).concurrentStatuses).toEqual({ 200: 1 });
  }, 120_000);
});
