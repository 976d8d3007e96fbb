/**
 * Run as `node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 --import tsx
 * instrument-hot-path-probe.ts`: prints bytes per call and nanoseconds per call of hot-path
 * recorder calls on the instrument path (the library's instruments on a host MeterProvider with
 * one reader) and on the producer path, measured the way `test/collectors/hot-path-probe.ts`
 * measures allocation.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { leastHeapGrowth } from '../../bench/heap-growth.js';
import { PublishingMetricsCollector } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

class PlainReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const CALLS = 20_000;
const targets = Array.from({ length: 64 }, (_, i) => `target-${i}`);
const reader = new PlainReader();
const instrumented = new PublishingMetricsCollector({
  meterProvider: new MeterProvider({ readers: [reader] }),
});
const produced = new PublishingMetricsCollector({ meterProvider: false });

function loops(pm: PublishingMetricsCollector): Record<string, () => void> {
  const { queue } = pm;
  return {
    recordJob() {
      for (let i = 0; i < CALLS; i++)
        queue.recordJob(targets[i & 63]!, 'high', 'succeeded', 0.25, 0.01);
    },
    recordRetry() {
      for (let i = 0; i < CALLS; i++) queue.recordRetry(targets[i & 63]!, 'transient');
    },
  };
}

const out: Record<string, { bytesPerCall: number; nsPerCall: number }> = {};
for (const [path, pm] of [
  ['instruments', instrumented],
  ['producer', produced],
] as const) {
  for (const [name, loop] of Object.entries(loops(pm))) {
    for (let round = 0; round < 3; round++) loop();
    const bytes = leastHeapGrowth(loop);
    const started = process.hrtime.bigint();
    loop();
    const ns = Number(process.hrtime.bigint() - started);
    out[`${path}.${name}`] = { bytesPerCall: bytes / CALLS, nsPerCall: ns / CALLS };
  }
}
await reader.collect();
process.stdout.write(JSON.stringify(out));
