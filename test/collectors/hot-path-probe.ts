/**
 * Run as `node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 --import tsx
 * hot-path-probe.ts`: prints, per hot-path call, the bytes 100k calls allocated after warm-up.
 * The young generation is made large enough that no scavenge runs during a measured loop, so the
 * growth of the object spaces is what the loop allocated. `heapUsed` is not used: after a full
 * GC, concurrent sweeping makes it jitter by ~200 KB between identical runs. Code space is left
 * out (compiled code is not per-call allocation). A deliberately allocating loop is measured
 * too, to prove the method sees allocation.
 */
import { leastHeapGrowth } from '../../bench/heap-growth.js';
import { PublishingMetricsCollector } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const CALLS = 100_000;
// The producer path: the hot path's cost of its own (the instrument path adds OTel's).
const pm = new PublishingMetricsCollector({ meterProvider: false });
const queue = pm.queue;
const publisher = pm.publisher;
const targets = Array.from({ length: 64 }, (_, i) => `target-${i}`);
const sink: object[] = [];

// Durations are constants: a computed double passed to a call is boxed by the caller, not by us.
const loops: Record<string, () => void> = {
  recordJob() {
    for (let i = 0; i < CALLS; i++) {
      queue.recordJob(targets[i & 63]!, 'high', (i & 1) === 0 ? 'succeeded' : 'failed', 0.25, 0.01);
    }
  },
  recordRetry() {
    for (let i = 0; i < CALLS; i++) queue.recordRetry(targets[i & 63]!, 'transient');
  },
  recordRequest() {
    for (let i = 0; i < CALLS; i++) {
      publisher.recordRequest('webhook', targets[i & 63]!, (i & 3) === 0 ? 503 : 200, 0.12);
    }
  },
  recordDlqWrite() {
    for (let i = 0; i < CALLS; i++) queue.recordDlqWrite(targets[i & 63]!, 'permanent');
  },
  allocatingControl() {
    for (let i = 0; i < CALLS; i++) {
      sink.length = 0;
      sink.push({ i });
    }
  },
};

for (let round = 0; round < 3; round++) for (const loop of Object.values(loops)) loop();

const grown: Record<string, number> = {};
for (const [name, loop] of Object.entries(loops)) grown[name] = leastHeapGrowth(loop);
process.stdout.write(JSON.stringify(grown));
