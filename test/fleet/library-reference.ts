/**
 * The reference the fleet figures are held to: the library's own health-score and quantile
 * functions applied to counters and buckets summed over the replicas, read with plain PromQL at
 * one instant. Written independently of src/fleet (no code shared with what it checks).
 */
import {
  estimateQuantile,
  HEALTH_STATUS_VALUE,
  CIRCUIT_STATE_VALUE,
  systemHealthScore,
  targetHealthScore,
  type CircuitState,
  type HistogramValue,
  type TargetHealth,
} from '../../src/index.js';

const NS = 'alert_history_publishing';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Instant query at `time` (Unix seconds) against Prometheus or VictoriaMetrics. */
export async function queryAt(url: string, query: string, time: number): Promise<Sample[]> {
  const res = await fetch(
    `${url}/api/v1/query?${new URLSearchParams({ query, time: String(time) })}`,
  );
  const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${query}: ${body.error}`);
  return body.data.result;
}

function byTarget(samples: Sample[]): Map<string, number> {
  return new Map(samples.map((s) => [s.metric['target'] ?? '', Number(s.value[1])]));
}

function histogram(rows: Sample[]): HistogramValue | undefined {
  const cumulative = rows
    .map((r) => ({
      le: r.metric['le'] === '+Inf' ? Infinity : Number(r.metric['le']),
      n: Number(r.value[1]),
    }))
    .sort((a, b) => a.le - b.le);
  if (cumulative.length === 0) return undefined;
  let previous = 0;
  const counts = cumulative.map(({ n }) => {
    const value = Math.max(previous, n);
    const count = value - previous;
    previous = value;
    return count;
  });
  return {
    boundaries: cumulative.filter((c) => c.le !== Infinity).map((c) => c.le),
    counts,
    sum: 0,
    count: previous,
  };
}

const HEALTH = new Map<number, TargetHealth>(
  Object.entries(HEALTH_STATUS_VALUE).map(([k, v]) => [v, k as TargetHealth]),
);
const CIRCUIT = new Map<number, CircuitState>(
  Object.entries(CIRCUIT_STATE_VALUE).map(([k, v]) => [v, k as CircuitState]),
);

export interface ReferenceScores {
  targets: Map<string, { score: number; jobs: number; successRate: number | null }>;
  system: number;
  jobs: number;
}

/**
 * Scores at `time` over `window` seconds from summed counters and buckets; per target the worst
 * health status and most open breaker over replicas, the mean health-check ratio.
 */
export async function referenceScores(
  url: string,
  time: number,
  window = 300,
): Promise<ReferenceScores> {
  const q = (expr: string) => queryAt(url, expr, time);
  const [jobs, succeeded, buckets, status, circuit, checks, size, capacity] = await Promise.all([
    q(`sum by (target) (increase(${NS}_jobs_processed_total[${window}s]))`),
    q(`sum by (target) (increase(${NS}_jobs_processed_total{state="succeeded"}[${window}s]))`),
    q(`sum by (target, le) (increase(${NS}_job_duration_seconds_bucket[${window}s]))`),
    q(`max by (target) (${NS}_target_health_status)`),
    q(`max by (target) (${NS}_circuit_breaker_state)`),
    q(`avg by (target) (${NS}_target_success_rate)`),
    q(`sum(${NS}_queue_size)`),
    q(`sum(${NS}_queue_capacity)`),
  ]);
  const jobsBy = byTarget(jobs);
  const okBy = byTarget(succeeded);
  const statusBy = byTarget(status);
  const circuitBy = byTarget(circuit);
  const checkBy = byTarget(checks);
  const names = new Set([...jobsBy.keys(), ...statusBy.keys(), ...circuitBy.keys()]);
  names.delete('');
  const targets = new Map<string, { score: number; jobs: number; successRate: number | null }>();
  for (const name of names) {
    const n = jobsBy.get(name) ?? 0;
    const successRate = n > 0 ? (okBy.get(name) ?? 0) / n : null;
    const h = histogram(buckets.filter((b) => b.metric['target'] === name));
    const p95 = h === undefined ? undefined : estimateQuantile(h, 0.95);
    const score = targetHealthScore({
      windowJobs: n,
      windowSuccessRate: successRate,
      checkSuccessRate: checkBy.get(name) ?? null,
      health: HEALTH.get(statusBy.get(name) ?? 0) ?? 'unknown',
      p95Seconds: p95 ?? null,
      circuit: circuitBy.has(name) ? (CIRCUIT.get(circuitBy.get(name)!) ?? 'unknown') : 'unknown',
    }).score;
    targets.set(name, { score, jobs: n, successRate });
  }
  const total = [...jobsBy.values()].reduce((a, b) => a + b, 0);
  const ok = [...okBy.values()].reduce((a, b) => a + b, 0);
  const all = histogram(
    Object.values(
      buckets.reduce<Record<string, Sample>>((acc, b) => {
        const le = b.metric['le']!;
        const prev = acc[le];
        acc[le] = {
          metric: { le },
          value: [0, String(Number(prev?.value[1] ?? 0) + Number(b.value[1]))],
        };
        return acc;
      }, {}),
    ),
  );
  const checkRates = [...checkBy.values()];
  const cap = Number(capacity[0]?.value[1] ?? Number.NaN);
  const system = systemHealthScore({
    windowJobs: total,
    windowSuccessRate: total > 0 ? ok / total : null,
    checkSuccessRate:
      checkRates.length === 0 ? null : checkRates.reduce((a, b) => a + b, 0) / checkRates.length,
    healthyTargets: [...statusBy.values()].filter((v) => v === 1).length,
    totalTargets: statusBy.size,
    p95Seconds: (all && estimateQuantile(all, 0.95)) ?? null,
    utilization: cap > 0 ? Number(size[0]!.value[1]) / cap : null,
  }).score;
  return { targets, system, jobs: total };
}
