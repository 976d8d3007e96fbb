/**
 * The live view fed from the pipeline's own state. Stand-in until the library's derived stats are
 * wired (telemetry.ts may return a ViewSource built on them); the per-target health score follows
 * the spec's formula so the two agree.
 */
import type { CircuitState, TargetHealth } from './ports.js';
import type { AlertGenerator } from './pipeline/alert-generator.js';
import type { AlertPipeline } from './pipeline/pipeline.js';
import { PRIORITIES } from './pipeline/priority-queue.js';
import type { ViewRow, ViewSource } from './view.js';

const HEALTH_POINTS: Record<TargetHealth, number> = {
  healthy: 100,
  degraded: 50,
  unknown: 50,
  unhealthy: 0,
};
const CIRCUIT_POINTS: Record<CircuitState, number> = { closed: 100, half_open: 50, open: 0 };
/** Below this many jobs in the window the success ratio is noise; the probe success ratio stands in. */
const MIN_JOBS_FOR_SUCCESS_RATE = 10;
const P95_BUDGET_SECONDS = 2;

export interface ScoreInputs {
  successRate: number | undefined;
  jobs: number;
  probeSuccessRate: number;
  health: TargetHealth;
  p95Seconds: number | undefined;
  circuit: CircuitState | undefined;
}

/** Per-target score 0–100: 0.4·success + 0.3·health + 0.2·performance + 0.1·circuit. */
export function targetScore(inputs: ScoreInputs): number {
  const success =
    inputs.jobs >= MIN_JOBS_FOR_SUCCESS_RATE && inputs.successRate !== undefined
      ? inputs.successRate
      : inputs.probeSuccessRate;
  const performance =
    inputs.p95Seconds === undefined
      ? 100
      : 100 * (1 - Math.min(inputs.p95Seconds / P95_BUDGET_SECONDS, 1));
  const circuit = inputs.circuit === undefined ? 100 : CIRCUIT_POINTS[inputs.circuit];
  const score =
    0.4 * success * 100 + 0.3 * HEALTH_POINTS[inputs.health] + 0.2 * performance + 0.1 * circuit;
  return Math.min(100, Math.max(0, score));
}

export class PipelineViewSource implements ViewSource {
  private readonly startedAt = performance.now();

  constructor(
    private readonly pipeline: AlertPipeline,
    private readonly generator?: AlertGenerator,
  ) {}

  rows(): ViewRow[] {
    const { pipeline } = this;
    return pipeline.discovery.targets.map((target) => {
      const health = pipeline.health.statusOf(target.name);
      const runtime = pipeline.runtime(target.name);
      const delivery = pipeline.stats.summary(target.name);
      const status = health?.status ?? 'unknown';
      const circuit = runtime?.breaker.state;
      return {
        target: target.name,
        type: target.type,
        health: status,
        score: target.enabled
          ? targetScore({
              successRate: delivery.successRate,
              jobs: delivery.jobs,
              probeSuccessRate: health?.successRate ?? 0,
              health: status,
              p95Seconds: delivery.p95Seconds,
              circuit,
            })
          : undefined,
        successRate: delivery.successRate,
        p95Seconds: delivery.p95Seconds,
        circuit,
        dlq: pipeline.dlq.sizeOf(target.name),
        queueDepth: pipeline.queue.depthFor(target.name),
      };
    });
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
