/**
 * Lifecycle under stress: shutdown in the middle of a collection or a scrape, shutdown twice,
 * collectors registered and unregistered while collections run, and 10,000 targets arriving and
 * leaving — after which every series and every recorder slot is gone again.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiscoveryCollector,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  RefreshCollector,
  startPublishingTelemetry,
  type MetricsCollector,
  type MetricsSnapshot,
  type TargetHealthStatus,
} from '../../src/index.js';
import { HistogramStore } from '../../src/series/histogram-store.js';
import { NumberStore } from '../../src/series/number-store.js';
import { refreshStatus, targetHealth } from '../support/fakes.js';
import { settledHeapUsed } from '../support/gc.js';
import { scrape } from '../support/scrape.js';
import { FakePipeline, recordersOf } from '../setup/fixtures.js';
import { mib, ms, writeFigures, type Figure } from './support/figures.js';
import { Rng } from './support/prng.js';
import { providerOf, prometheusExporterFor } from '../support/producer-readers.js';
import { sdkRetained } from './support/sdk-state.js';

const NS = 'alert_history_publishing';
// Scheduling slack on a shared, loaded 2-core machine; a hang would exceed any bound.
const EPSILON_MS = 500;
const TARGETS = 10_000;

const figures: Record<string, Figure> = {};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  figures['unhandledRejections'] = unhandled.length;
  writeFigures('lifecycle', figures);
});

const sleep = (milliseconds: number) => new Promise((r) => setTimeout(r, milliseconds));
const slowRefresh = (delayMs: number) => ({
  getStatus: () =>
    new Promise<ReturnType<typeof refreshStatus>>((r) => {
      setTimeout(() => r(refreshStatus()), delayMs);
    }),
});

function seriesCount(snapshot: MetricsSnapshot): number {
  let n = 0;
  for (const family of snapshot.families.values()) n += family.series.length;
  return n;
}

/** Sample lines of a Prometheus text body. */
function sampleLines(body: string): number {
  return body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

/** Recorder series and the bytes their typed arrays hold (kept at peak size for reuse). */
function recorderState(collector: PublishingMetricsCollector): { series: number; bytes: number } {
  let series = 0;
  let bytes = 0;
  for (const recorder of recordersOf(collector)) {
    for (const store of recorder.stores) {
      series += store.seriesCount;
      if (store instanceof NumberStore) {
        bytes += store.values.byteLength;
      } else if (store instanceof HistogramStore) {
        bytes +=
          store.counts.byteLength +
          store.sums.byteLength +
          store.mins.byteLength +
          store.maxs.byteLength;
      }
    }
  }
  return { series, bytes };
}

type ScrapeResult = { status: number; body: string } | { error: string };

/** One scrape over a kept-alive connection, as Prometheus sends it; `sent` once it is written. */
function startScrape(
  url: string,
  agent: Agent,
): { sent: Promise<void>; done: Promise<ScrapeResult> } {
  let sent!: () => void;
  const written = new Promise<void>((resolve) => (sent = resolve));
  const done = new Promise<ScrapeResult>((resolve) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('finish', sent);
    req.on('error', (err: NodeJS.ErrnoException) => {
      sent();
      resolve({ error: err.code ?? err.message });
    });
    req.end();
  });
  return { sent: written, done };
}

const scrapeOnce = (url: string, agent: Agent) => startScrape(url, agent).done;

describe('shutdown', () => {
  it('during a collection: both settle within the collector timeout, later collections answer the frozen final values', async () => {
    const pm = new PublishingMetricsCollector({ collectorTimeoutMs: 1000, meterProvider: false });
    let reads = 0;
    const refresh = slowRefresh(300);
    pm.registerCollector(
      new RefreshCollector({
        getStatus: () => {
          reads++;
          return refresh.getStatus();
        },
      }),
    );
    pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth('slack-a')] }));
    const started = performance.now();
    const collecting = pm.collectAll();
    await sleep(20);
    await pm.shutdown();
    const shutdownMs = performance.now() - started;
    const snapshot = await collecting;
    const collectionMs = performance.now() - started;
    // The collection that overlapped shutdown completes whole, and is the final one: shutdown
    // shares its port reads instead of starting another.
    expect(snapshot.collectors['refresh']?.ok).toBe(true);
    expect(snapshot.get('refresh_interval_seconds')).toBe(300);
    expect(snapshot.get('target_success_rate', { target: 'slack-a' })).toBe(0.9);
    expect(reads).toBe(1);
    // After shutdown every way out reports those final values without reading a port again.
    const after = await pm.collectAll();
    expect(after.get('refresh_interval_seconds')).toBe(300);
    expect(after.get('collector_up', { collector: 'refresh' })).toBe(1);
    expect(reads).toBe(1);
    expect(shutdownMs).toBeLessThan(1000 + EPSILON_MS);
    expect(collectionMs).toBeLessThan(1000 + EPSILON_MS);
    figures['shutdownDuringCollectionMs'] = ms(shutdownMs);
    figures['collectionOverlappingShutdownMs'] = ms(collectionMs);
  });

  it('twice, or concurrently: one shutdown, every call resolves', async () => {
    const pm = new PublishingMetricsCollector();
    await Promise.all([pm.shutdown(), pm.shutdown()]);
    await pm.shutdown();

    const telemetry = await startPublishingTelemetry({
      sources: new FakePipeline([{ name: 'slack-ops', type: 'slack' }]).sources,
      prometheus: { port: 0 },
      otlp: false,
      logger: false,
    });
    const first = telemetry.shutdown();
    expect(telemetry.shutdown()).toBe(first);
    await first;
    await telemetry.shutdown();
  });

  it('while scrapes are in flight: each answers 200 in full, shutdown does not wait on kept-alive connections, later scrapes are refused', async () => {
    const PORT_MS = 500;
    const telemetry = await startPublishingTelemetry({
      sources: { refresh: slowRefresh(PORT_MS) },
      prometheus: { port: 0 },
      otlp: false,
      logger: false,
    });
    const url = telemetry.prometheus!.url!;
    const agent = new Agent({ keepAlive: true });
    try {
      const started = performance.now();
      const scrapes = Array.from({ length: 8 }, () => startScrape(url, agent));
      // Every request has reached the server (same process: a few turns of the loop after it is
      // written) and waits on the port. A connection whose request is still on the wire when
      // shutdown starts is closed, as any closing server does.
      await Promise.all(scrapes.map((s) => s.sent));
      await sleep(100);
      await telemetry.shutdown();
      const shutdownMs = performance.now() - started;
      const answers = await Promise.all(scrapes.map((s) => s.done));
      for (const answer of answers) {
        expect(answer).toEqual({
          status: 200,
          body: expect.stringContaining(`${NS}_refresh_interval_seconds 300`),
        });
      }
      // Before: ~4.3 s, held by the kept-alive scrape connections (the server's keep-alive timeout).
      expect(shutdownMs).toBeLessThan(PORT_MS + 1000 + EPSILON_MS);
      expect(await scrapeOnce(url, agent)).toEqual({ error: 'ECONNREFUSED' });

      // A handler mounted in the host's server answers 503 after shutdown, never hangs or 500s.
      const mounted = await new Promise<number>((resolve) => {
        const res = {
          writeHead: (status: number) => {
            resolve(status);
            return res;
          },
          end: () => res,
          // The handler releases its scrape slot when the response finishes or closes.
          once: () => res,
        };
        telemetry.prometheus!.handler({ method: 'GET', url: '/metrics' } as never, res as never);
      });
      expect(mounted).toBe(503);
      figures['shutdownWithScrapesInFlightMs'] = ms(shutdownMs);
      figures['scrapesInFlightAnswered'] = answers.length;
    } finally {
      agent.destroy();
      await telemetry.shutdown();
    }
  });
});

/** The library's own Prometheus server over 1,000 targets: an ~11 MB body, more than a socket buffers. */
async function largeTelemetry(shutdownGraceMs: number) {
  const types = ['slack', 'rootly', 'pagerduty', 'webhook'];
  const pipeline = new FakePipeline(
    Array.from({ length: 1_000 }, (_, i) => ({ name: `target-${i}`, type: types[i % 4]! })),
  );
  const telemetry = await startPublishingTelemetry({
    sources: pipeline.sources,
    prometheus: { port: 0, shutdownGraceMs },
    otlp: false,
    logger: false,
    maxTargets: 2_000,
    collectorTimeoutMs: 10_000,
  });
  return { telemetry, url: new URL(telemetry.prometheus!.url!) };
}

/** One full scrape; resolves with its body length. */
function fetchBody(url: URL): Promise<number> {
  return fetch(url).then(async (r) => (await r.arrayBuffer()).byteLength);
}

describe('shutdown with scrapers mid-body', () => {
  it('a scraper that stopped reading: shutdown() resolves within the grace period and its connection is cut', async () => {
    const GRACE_MS = 500;
    const { telemetry, url } = await largeTelemetry(GRACE_MS);
    const full = await fetchBody(url);
    const stalled = connect(Number(url.port), url.hostname);
    stalled.pause();
    let received = 0;
    stalled.on('data', (c: Buffer) => (received += c.length));
    stalled.on('error', () => undefined);
    const closed = new Promise<void>((r) => stalled.on('close', () => r()));
    stalled.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    // A scrape sent after it shares its collection: once it is answered, the stalled one's body
    // is being written and has filled the socket's buffers.
    await fetchBody(url);
    const started = performance.now();
    await telemetry.shutdown();
    const shutdownMs = performance.now() - started;
    stalled.resume();
    await closed;
    figures['shutdownWithStalledScraperMs'] = ms(shutdownMs);
    // Before: never resolved (server.close() waited for the response to finish).
    expect(shutdownMs).toBeLessThan(GRACE_MS + EPSILON_MS);
    expect(received).toBeLessThan(full);
  }, 60_000);

  it('a reading client mid-scrape gets its whole body, then its connection closes: shutdown() does not wait for keep-alive', async () => {
    const { telemetry, url } = await largeTelemetry(5_000);
    const full = await fetchBody(url);
    const agent = new Agent({ keepAlive: true });
    try {
      const started = performance.now();
      let shutdownMs = -1;
      const answer = await new Promise<{
        bytes: number;
        complete: boolean;
        closedAfterEndMs: number;
      }>((resolve) => {
        const req = request(url, { agent }, (res) => {
          let bytes = 0;
          let endedAt = 0;
          res.on('data', (c: Buffer) => {
            // Shutdown starts after the head (saying keep-alive) and the first piece.
            if (bytes === 0) {
              void telemetry.shutdown().then(() => (shutdownMs = performance.now() - started));
            }
            bytes += c.length;
          });
          res.on('end', () => (endedAt = performance.now()));
          res.socket.once('close', () =>
            resolve({
              bytes,
              complete: res.complete,
              closedAfterEndMs: performance.now() - endedAt,
            }),
          );
        });
        req.end();
      });
      await telemetry.shutdown();
      figures['shutdownWithReadingScraperMs'] = ms(shutdownMs);
      expect(answer.complete).toBe(true);
      // The same body but for the library's own counters (a few bytes).
      expect(Math.abs(answer.bytes - full)).toBeLessThan(100);
      // Closed right after the body, not after the 5 s keep-alive (before: shutdown took 6 s).
      expect(answer.closedAfterEndMs).toBeLessThan(EPSILON_MS);
      expect(shutdownMs).toBeGreaterThan(0);
      expect(shutdownMs).toBeLessThan(3_000);
    } finally {
      agent.destroy();
      await telemetry.shutdown();
    }
  }, 60_000);
});

describe('registration churn', () => {
  it('collectors registered and unregistered while collections run: every collection completes with exact values, and the series return to baseline', async () => {
    const pipeline = new FakePipeline([
      { name: 'slack-ops', type: 'slack' },
      { name: 'webhook-audit', type: 'webhook' },
    ]);
    const rng = new Rng(20_260_301);
    const jitter = async <T>(value: () => T): Promise<Awaited<T>> => {
      await sleep(rng.int(3));
      return await value();
    };
    const make: Record<string, () => MetricsCollector> = {
      health: () => new HealthCollector({ getHealth: () => jitter(pipeline.health.getHealth) }),
      refresh: () => new RefreshCollector({ getStatus: () => jitter(pipeline.refresh.getStatus) }),
      discovery: () =>
        new DiscoveryCollector({
          listTargets: () => jitter(pipeline.discovery.listTargets),
          getStats: pipeline.discovery.getStats,
        }),
      queue: () => new QueueCollector({ getStats: () => jitter(pipeline.queue.getStats) }),
    };
    const names = Object.keys(make);
    const pm = new PublishingMetricsCollector({ collectorTimeoutMs: 500 });
    const baseline = seriesCount(await pm.collectAll());
    const baselineRecorders = recorderState(pm).series;

    const registered = new Set<string>();
    const pending: Array<Promise<MetricsSnapshot>> = [];
    let changes = 0;
    for (let i = 0; i < 600; i++) {
      const name = rng.pick(names);
      if (registered.has(name)) {
        expect(pm.unregisterCollector(name)).toBe(true);
        registered.delete(name);
      } else {
        pm.registerCollector(make[name]!());
        registered.add(name);
      }
      changes++;
      pending.push(pm.collectAll());
      if (rng.chance(0.5)) await sleep(rng.int(4));
    }
    const outcomes = await Promise.allSettled(pending);
    const snapshots = [...new Set(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o)))];
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    for (const s of snapshots as MetricsSnapshot[]) {
      for (const name of Object.keys(s.collectors)) expect(names).toContain(name);
      // Whatever a snapshot shows is exact, never a half-registered or stale value.
      const rate = s.get('target_success_rate', { target: 'slack-ops' });
      if (rate !== undefined) expect(rate).toBe(0.9);
      const interval = s.get('refresh_interval_seconds');
      if (interval !== undefined) expect(interval).toBe(60);
      const capacity = s.get('queue_capacity', { priority: 'high' });
      if (capacity !== undefined) expect(capacity).toBe(100);
    }

    for (const name of names) if (!registered.has(name)) pm.registerCollector(make[name]!());
    await pm.collectAll();
    const full = await pm.collectAll();
    for (const name of names) expect(full.collectors[name], name).toMatchObject({ ok: true });
    expect(full.get('target_success_rate', { target: 'webhook-audit' })).toBe(0.9);
    expect(full.get('collector_up', { collector: 'queue' })).toBe(1);

    for (const name of names) pm.unregisterCollector(name);
    const after = await pm.collectAll();
    expect(after.collectors).toEqual({});
    expect(after.series('collector_up')).toEqual([]);
    // Recorder series of the two targets stay (they were recorded); everything else is gone.
    expect(seriesCount(after) - recorderState(pm).series).toBe(baseline - baselineRecorders);
    expect(unhandled).toEqual([]);
    figures['registrationChanges'] = changes;
    figures['concurrentCollections'] = pending.length;
    figures['distinctCollections'] = snapshots.length;
    await pm.shutdown();
  }, 60_000);
});

describe(`${TARGETS.toLocaleString('en')} targets`, () => {
  it('port gauges follow target churn past the 2,000 attribute sets an SDK observable admits', async () => {
    // Generations of 500 new target names, each leaving before the next: 2,500 distinct names
    // over the process's life. SDK observable instruments stop admitting new attribute sets at
    // 2,000 per instrument and reader (every further set folds into an overflow set); the port
    // series must follow every generation, and leave nothing behind in the SDK.
    let targets: TargetHealthStatus[] = [];
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const exporter = prometheusExporterFor(pm);
    pm.registerCollector(new HealthCollector({ getHealth: () => targets }));
    const visible: number[] = [];
    const between: number[] = [];
    for (let generation = 0; generation < 5; generation++) {
      targets = Array.from({ length: 500 }, (_, i) => targetHealth(`g${generation}-webhook-${i}`));
      const snapshot = await pm.collectAll();
      visible.push(snapshot.series('target_success_rate').length);
      expect(snapshot.get('target_success_rate', { target: `g${generation}-webhook-499` })).toBe(
        targets[499]!.successRate,
      );
      targets = [];
      between.push((await pm.collectAll()).series('target_success_rate').length);
    }
    await exporter.collect();
    const kept = sdkRetained(providerOf(exporter));
    await pm.shutdown();
    expect(visible).toEqual([500, 500, 500, 500, 500]);
    expect(between).toEqual([0, 0, 0, 0, 0]);
    expect(kept?.memoised ?? 0).toBe(0);
    figures['churn'] = {
      generations: visible.length,
      targetsPerGeneration: 500,
      targetSuccessRateSeriesPerGeneration: visible,
      // undefined: no asynchronous-instrument storage in the SDK at all (the library creates none).
      sdkAttributeSetsKept: kept?.memoised ?? 0,
    };
  });

  it('reported by the health port, then none: series, recorder slots and cardinality places return to baseline', async () => {
    let targets: TargetHealthStatus[] = [];
    const pm = new PublishingMetricsCollector({
      maxTargets: TARGETS,
      meterProvider: false,
      collectorTimeoutMs: 10_000,
    });
    const exporter = prometheusExporterFor(pm);
    pm.registerCollector(new HealthCollector({ getHealth: () => targets }));
    const names = Array.from({ length: TARGETS }, (_, i) => `webhook-${i}`);

    // Warm-up with 100 targets, so JIT and first-use costs are not counted as retained.
    targets = names.slice(0, 100).map((n) => targetHealth(n));
    for (const n of names.slice(0, 100)) pm.queue.recordJob(n, 'high', 'succeeded', 0.1, 0.01);
    await pm.collectAll();
    targets = [];
    await pm.collectAll();
    const baseline = seriesCount(await pm.collectAll());
    const baselineLines = sampleLines(await scrape(exporter));
    const baselineRecorders = recorderState(pm);
    const heapBefore = settledHeapUsed();
    const sdkBefore = sdkRetained(providerOf(exporter));

    targets = names.map((n) => targetHealth(n));
    let started = performance.now();
    for (const n of names) pm.queue.recordJob(n, 'high', 'succeeded', 0.1, 0.01);
    const firstRecordMs = performance.now() - started;
    started = performance.now();
    // Only figures are kept from the big snapshots, so the heap after removal does not hold them.
    const peak = await pm.collectAll().then((s) => ({
      series: seriesCount(s),
      jobSeries: s.series('jobs_processed_total').length,
      gaugeSeries: s.series('target_success_rate').length,
    }));
    const peakCollectMs = performance.now() - started;
    const peakRecorders = recorderState(pm);
    const heapPeak = settledHeapUsed();
    expect(peak.jobSeries).toBe(3 * TARGETS);
    expect(peak.gaugeSeries).toBe(TARGETS);
    expect(pm.targets.admittedTargets).toBe(TARGETS);

    targets = [];
    started = performance.now();
    const removedSeries = seriesCount(await pm.collectAll());
    const removalCollectMs = performance.now() - started;
    started = performance.now();
    const settledSeries = seriesCount(await pm.collectAll());
    const nextCollectMs = performance.now() - started;
    const afterLines = sampleLines(await scrape(exporter));
    const afterRecorders = recorderState(pm);
    const heapAfter = settledHeapUsed();
    const sdkAfter = sdkRetained(providerOf(exporter));

    expect(removedSeries).toBe(baseline);
    expect(settledSeries).toBe(baseline);
    expect(afterLines).toBe(baselineLines);
    expect(afterRecorders.series).toBe(baselineRecorders.series);
    expect(pm.targets.admittedTargets).toBe(0);
    // The removal is linear: it once scanned every slot per target (3.3 s for 4,000 targets).
    expect(removalCollectMs).toBeLessThan(Math.max(5 * peakCollectMs, 2_000));
    // Heap at the peak: measured 11.7–14.3 KiB per target (114–143 MiB for 10,000); a copy per
    // series or per collection would break this bound. The heap after removal is a measurement
    // only: what removed targets leave behind depends on how long their counters are kept.
    const perTargetBytes = (heapPeak - heapBefore) / TARGETS;
    expect(perTargetBytes).toBeLessThan(20 * 1024);

    // Port series live in the library's stores: the SDK holds no per-target state at all.
    expect(sdkBefore?.memoised ?? 0).toBe(0);
    expect(sdkAfter?.memoised ?? 0).toBe(0);
    figures['targets'] = {
      count: TARGETS,
      baselineSeries: baseline,
      peakSeries: peak.series,
      portSeriesPerTargetGaugeAtPeak: peak.gaugeSeries,
      afterSeries: settledSeries,
      metricsLinesBaseline: baselineLines,
      metricsLinesAfter: afterLines,
      recorderSeriesPeak: peakRecorders.series,
      recorderSeriesAfter: afterRecorders.series,
      recorderArraysMiBAfter: mib(afterRecorders.bytes),
      firstRecordingMs: ms(firstRecordMs),
      peakCollectMs: ms(peakCollectMs),
      removalCollectMs: ms(removalCollectMs),
      nextCollectMs: ms(nextCollectMs),
      heapBeforeMiB: mib(heapBefore),
      heapPeakMiB: mib(heapPeak),
      heapAfterMiB: mib(heapAfter),
      heapRetainedMiB: mib(heapAfter - heapBefore),
      sdkAttributeSetsKept: sdkAfter?.memoised ?? 0,
    };
    await pm.shutdown();
  }, 120_000);

  it('recorded by recorders only, then forgotten: every slot is freed and reused', async () => {
    const pm = new PublishingMetricsCollector({ maxTargets: TARGETS });
    const names = Array.from({ length: TARGETS }, (_, i) => `slack-${i}`);
    const record = () => {
      for (const n of names) {
        pm.queue.recordJob(n, 'medium', 'failed', 0.2, 0.02);
        pm.publisher.recordRequest('slack', n, 503, 0.2);
      }
    };
    const baseline = seriesCount(await pm.collectAll());
    const baselineRecorders = recorderState(pm);
    record();
    const peakRecorders = recorderState(pm);
    let started = performance.now();
    for (const n of names) pm.forgetTarget(n);
    const forgetMs = performance.now() - started;
    const after = recorderState(pm);
    expect(seriesCount(await pm.collectAll())).toBe(baseline);
    expect(after.series).toBe(baselineRecorders.series);
    expect(pm.targets.admittedTargets).toBe(0);

    // A second generation reuses the freed slots: the arrays do not grow.
    started = performance.now();
    record();
    const secondRecordMs = performance.now() - started;
    expect(recorderState(pm)).toEqual(peakRecorders);
    for (const n of names) pm.forgetTarget(n);
    expect(recorderState(pm).series).toBe(baselineRecorders.series);
    figures['forgetTarget'] = {
      count: TARGETS,
      baselineSeries: baseline,
      peakSeries: baseline - baselineRecorders.series + peakRecorders.series,
      forgetAllMs: ms(forgetMs),
      secondGenerationRecordMs: ms(secondRecordMs),
      recorderArraysMiBAtPeak: mib(peakRecorders.bytes),
    };
    await pm.shutdown();
  }, 60_000);
});
