import type { JobState, PublishingMetricsCollector } from '../../../src/index.js';
import { seededRandom } from './prng.js';

const STATES: readonly JobState[] = ['succeeded', 'failed', 'dlq'];
/** Jobs recorded per turn of the event loop; one turn takes ~0.1 ms, so timers stay on time. */
const BATCH = 1000;

/**
 * The host's delivery path at full speed: finished jobs recorded in batches, one batch per turn
 * of the event loop, with an exact count of what was recorded per target and state.
 */
export class JobLoop {
  private readonly counts: Float64Array;
  private readonly random: () => number;
  private running = false;
  private stopped: Promise<void> | undefined;
  total = 0;

  constructor(
    private readonly collector: PublishingMetricsCollector,
    readonly targets: readonly string[],
    seed = 7,
  ) {
    this.counts = new Float64Array(targets.length * STATES.length);
    this.random = seededRandom(seed);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const queue = this.collector.queue;
    const targets = this.targets;
    const n = targets.length * STATES.length;
    this.stopped = new Promise<void>((resolve) => {
      const turn = () => {
        if (!this.running) {
          resolve();
          return;
        }
        for (let i = 0; i < BATCH; i++) {
          const k = Math.floor(this.random() * n);
          const target = targets[Math.floor(k / STATES.length)] as string;
          const state = STATES[k % STATES.length] as JobState;
          queue.recordJob(target, 'high', state, 0.05 + (k % 7) * 0.1, 0.01);
          this.counts[k]! += 1;
        }
        this.total += BATCH;
        setImmediate(turn);
      };
      setImmediate(turn);
    });
  }

  /** Resolves once the batch in progress has finished. */
  async stop(): Promise<void> {
    this.running = false;
    await this.stopped;
  }

  /** Jobs recorded so far, by `target` then `state` (zeros included). */
  recorded(): Map<string, Map<JobState, number>> {
    const out = new Map<string, Map<JobState, number>>();
    this.targets.forEach((target, t) => {
      const byState = new Map<JobState, number>();
      STATES.forEach((state, s) => byState.set(state, this.counts[t * STATES.length + s]!));
      out.set(target, byState);
    });
    return out;
  }
}
