/**
 * Child process of P8: the demo's alert pipeline (examples/alert-publisher) delivering to 50
 * webhook targets at `targetUrl`, fully instrumented (`instrumented`: recorders, every collector,
 * a Prometheus endpoint on the producer path) or not at all (`bare`: `noopRecorders()`, no
 * collector). Prints `{"metricsUrl"}` once delivering, then after `warmup` + `seconds` one JSON
 * line: CPU used and jobs finished in the measured window. `rate` is alerts per second (each is
 * delivered to every target), or `saturate`: the queue is kept topped up, so the jobs finished per
 * second are the highest rate the process sustains.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertGenerator } from '../../examples/alert-publisher/pipeline/alert-generator.js';
import { AlertPipeline } from '../../examples/alert-publisher/pipeline/pipeline.js';
import { createPrometheusEndpoint } from '../../src/export/prometheus.js';
import { noopRecorders, PublishingMetricsCollector } from '../../src/index.js';

const [mode, targetUrl, rateArg, warmupArg, secondsArg] = process.argv.slice(2);
if (mode !== 'instrumented' && mode !== 'bare') throw new Error('mode: instrumented | bare');
export const TARGETS = 50;
const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
const targetsFile = join(dir, 'targets.json');
writeFileSync(
  targetsFile,
  JSON.stringify({
    targets: Array.from({ length: TARGETS }, (_, i) => ({
      name: `webhook-${String(i).padStart(2, '0')}`,
      type: 'webhook',
      url: `${targetUrl}/hook/${i}`,
      enabled: true,
    })),
  }),
);

const pipeline = new AlertPipeline({
  targetsFile,
  recorders: noopRecorders(),
  health: { intervalMs: 5_000 },
  refresh: { intervalMs: 60_000 },
});
let metricsUrl: string | undefined;
let close = async (): Promise<void> => undefined;
if (mode === 'instrumented') {
  const collector = new PublishingMetricsCollector({
    meterProvider: false,
    sources: pipeline.ports,
  });
  pipeline.instrument(collector);
  const endpoint = await createPrometheusEndpoint({
    withoutScopeInfo: true,
    withoutTargetInfo: false,
    metricProducers: [collector.producer],
  });
  const server = createServer((req, res) => endpoint.handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await collector.shutdown();
  };
}
await pipeline.start();

const offer = (alert: Parameters<AlertPipeline['offer']>[0]) => void pipeline.offer(alert);
let stopFeeding: () => void;
if (rateArg === 'saturate') {
  const generator = new AlertGenerator({ ratePerSecond: 1, seed: 7 }, offer);
  // Topped up every 5 ms: workers never wait, and few offers are refused (a refused one still
  // costs the fan-out).
  const feeder = setInterval(() => {
    while (pipeline.queue.size < 2_000) pipeline.offer(generator.next());
  }, 5);
  stopFeeding = () => clearInterval(feeder);
} else {
  const generator = new AlertGenerator({ ratePerSecond: Number(rateArg), seed: 7 }, offer);
  generator.start();
  stopFeeding = () => generator.stop();
}
process.stdout.write(`${JSON.stringify({ metricsUrl })}\n`);

const finished = () => pipeline.totals.succeeded + pipeline.totals.failed + pipeline.totals.dlq;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await sleep(Number(warmupArg) * 1000);
const cpu = process.cpuUsage();
const jobs = finished();
const started = performance.now();
await sleep(Number(secondsArg) * 1000);
const used = process.cpuUsage(cpu);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    cpuMs: (used.user + used.system) / 1000,
    jobs: finished() - jobs,
    seconds,
    succeeded: pipeline.totals.succeeded,
    dlq: pipeline.totals.dlq,
    failed: pipeline.totals.failed,
  })}\n`,
);
stopFeeding();
await pipeline.stop(1_000);
await close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
