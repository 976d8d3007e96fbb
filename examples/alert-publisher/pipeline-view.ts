/**
 * What the live view takes from the pipeline itself: the headline (throughput, queue, workers, DLQ,
 * refresh) and per-target queue depth. Everything per target comes from the library's stats API.
 */
import type { AlertGenerator } from './pipeline/alert-generator.js';
import type { AlertPipeline } from './pipeline/pipeline.js';
import { PRIORITIES } from './pipeline/priority-queue.js';
import type { QueueDepths } from './stats-view-source.js';

export class PipelineViewSource implements QueueDepths {
  private readonly startedAt = performance.now();

  constructor(
    private readonly pipeline: AlertPipeline,
    private readonly generator?: AlertGenerator,
  ) {}

  depthFor(target: string): number {
    return this.pipeline.queue.depthFor(target);
  }

  headline(): string {
    const { pipeline, generator } = this;
    const seconds = (performance.now() - this.startedAt) / 1000;
    const { succeeded, failed, dlq } = pipeline.totals;
    const queue = PRIORITIES.map(
      (p) => `${p[0]?.toUpperCase()}${pipeline.queue.sizeOf(p)}/${pipeline.queue.capacityOf(p)}`,
    ).join(' ');
    const refresh = pipeline.refresh.getStatus();
    const alerts = generator
      ? `alerts ${generator.emitted} (${(generator.emitted / Math.max(seconds, 1)).toFixed(1)}/s) · `
      : '';
    return [
      `up ${formatUptime(seconds)}`,
      `${alerts}jobs ok ${succeeded} failed ${failed} dlq ${dlq}`,
      `queue ${queue}`,
      `workers ${pipeline.workers.active}/${pipeline.workers.size} busy`,
      `DLQ ${pipeline.dlq.total} (oldest ${pipeline.dlq.oldestAgeSeconds().toFixed(0)}s${pipeline.dlq.dropped ? `, ${pipeline.dlq.dropped} dropped` : ''})`,
      `refresh ${refresh.state}, ${refresh.targetsValid} targets${refresh.targetsInvalid ? ` (${refresh.targetsInvalid} invalid)` : ''}`,
    ].join(' · ');
  }
}

function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
