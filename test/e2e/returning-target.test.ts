/**
 * A target that leaves the pipeline and comes back, scraped by a real Prometheus 2.42: its
 * counters must stay monotonic so that `increase()` counts exactly the jobs it finished.
 * Restarted at zero, a return with more events than before (seen by no scrape as zero) read as
 * a smaller increase (8 jobs after the return counted as +5).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  type TargetHealthStatus,
} from '../../src/index.js';
import {
  promQuery,
  requireBackend,
  startPrometheus,
  waitForQuery,
  type RunningBackend,
} from '../support/backends.js';
import { targetHealth } from '../support/fakes.js';
import { prometheusExporterFor } from '../support/producer-readers.js';

const prometheusBin = requireBackend('prometheus');
const JOBS = 'alert_history_publishing_jobs_processed_total{target="hook",state="succeeded"}';

describe.skipIf(!prometheusBin)('a returning target scraped by Prometheus', () => {
  let health: TargetHealthStatus[] = [targetHealth('hook'), targetHealth('other')];
  let pm: PublishingMetricsCollector;
  let server: Server;
  let prometheus: RunningBackend;

  const jobs = (n: number) => {
    for (let i = 0; i < n; i++) pm.queue.recordJob('hook', 'high', 'succeeded', 0.2, 0.01);
  };

  beforeAll(async () => {
    pm = new PublishingMetricsCollector({ meterProvider: false });
    pm.registerCollector(new HealthCollector({ getHealth: () => health }));
    const exporter = prometheusExporterFor(pm);
    server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    jobs(3);
    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`] });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await pm?.shutdown();
  });

  it('increase() counts exactly the jobs finished after the target came back', async () => {
    const value = (r: Awaited<ReturnType<typeof promQuery>>) => Number(r[0]?.value[1]);
    await waitForQuery(prometheus.url, JOBS, (r) => value(r) === 3);

    // The target leaves: the next scrape no longer has its series (a stale marker).
    health = [targetHealth('other')];
    await waitForQuery(prometheus.url, JOBS, (r) => r.length === 0, 15_000, 100);

    // It comes back and finishes 8 jobs before any scrape sees it.
    health = [targetHealth('hook'), targetHealth('other')];
    jobs(8);
    await waitForQuery(prometheus.url, JOBS, (r) => value(r) === 11, 15_000, 100);

    // increase() over exactly the span from the first to the last sample (no extrapolation).
    const [range] = await promQuery(prometheus.url, `${JOBS}[5m]`);
    const samples = (range as unknown as { values: Array<[number, string]> }).values;
    const first = Math.round(samples[0]![0] * 1000);
    const last = Math.round(samples[samples.length - 1]![0] * 1000);
    expect(samples.map(([, v]) => Number(v))).toEqual(
      expect.arrayContaining([3, 11]) as unknown as number[],
    );
    const at = `@ ${(last / 1000).toFixed(3)}`;
    const [increase] = await promQuery(
      prometheus.url,
      `increase(${JOBS}[${last - first}ms] ${at})`,
    );
    expect(Number(increase!.value[1])).toBe(8);
    const [resets] = await promQuery(prometheus.url, `resets(${JOBS}[${last - first}ms] ${at})`);
    expect(Number(resets!.value[1])).toBe(0);
  });
});
