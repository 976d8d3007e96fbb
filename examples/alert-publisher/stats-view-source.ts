/**
 * The live view's rows, read from the stats API over loopback HTTP exactly as an operator's tool
 * would: `GET /api/v2/publishing/stats`. Per-target queue depth is not a library metric (the queue
 * is per priority), so it comes from the pipeline.
 */
import type { CircuitState, TargetHealth } from './ports.js';
import type { ViewRow, ViewSource } from './view.js';

export interface QueueDepths {
  depthFor(target: string): number;
  headline?(): string;
}

interface TargetStatsJson {
  name: string;
  type: string;
  health: { status: TargetHealth };
  successRate: number | null;
  latency: { p95: number | null };
  circuitState: CircuitState | 'unknown';
  dlqSize: number;
  healthScore: { score: number };
}

export class StatsViewSource implements ViewSource {
  constructor(
    private readonly statsUrl: string,
    private readonly queue: QueueDepths,
  ) {}

  async rows(): Promise<ViewRow[]> {
    const response = await fetch(`${this.statsUrl}/api/v2/publishing/stats?limit=1000&sort=name`);
    if (!response.ok) throw new Error(`stats API answered ${response.status}`);
    const body = (await response.json()) as { targets: TargetStatsJson[] };
    return body.targets.map((t) => ({
      target: t.name,
      type: t.type,
      health: t.health.status,
      score: t.healthScore.score,
      successRate: t.successRate ?? undefined,
      p95Seconds: t.latency.p95 ?? undefined,
      circuit: t.circuitState === 'unknown' ? undefined : t.circuitState,
      dlq: t.dlqSize,
      queueDepth: this.queue.depthFor(t.name),
    }));
  }

  headline(): string {
    return this.queue.headline?.() ?? '';
  }
}
