import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Sampling interval of the probe, ms. */
const RESOLUTION_MS = 10;

export interface LoopDelay {
  /** How late the probe's timer fired, ms. */
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

/**
 * Event-loop delay of this process while a phase runs, from node's own sampler. Node records the
 * time between samples, which includes the sampling interval; that interval is subtracted, so
 * the figures are how late the loop was (an idle loop reads ~0.2 ms).
 */
export class LoopDelayProbe {
  private histogram: IntervalHistogram | undefined;

  start(): void {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  stop(): LoopDelay {
    const h = this.histogram;
    if (h === undefined) throw new Error('LoopDelayProbe.stop() before start()');
    h.disable();
    this.histogram = undefined;
    const late = (ns: number) =>
      Number.isFinite(ns) ? Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 100) / 100 : 0;
    return { maxMs: late(h.max), p99Ms: late(h.percentile(99)), meanMs: late(h.mean) };
  }
}
