/**
 * The health score (0–100). System = 0.4·SuccessRate + 0.3·Availability + 0.2·Performance +
 * 0.1·QueueHealth; per target = 0.4·SuccessRate + 0.3·Health + 0.2·Performance + 0.1·Circuit.
 * Every component is reported with its inputs so a score can be explained, not just read.
 */
import type { CircuitState, TargetHealth } from '../sources.js';

export interface SystemWeights {
  successRate: number;
  availability: number;
  performance: number;
  queueHealth: number;
}

export interface TargetWeights {
  successRate: number;
  health: number;
  performance: number;
  circuit: number;
}

export interface SloOptions {
  /** p95 delivery latency at which Performance reaches 0, seconds (default 2). */
  p95LatencySeconds?: number;
  /**
   * Fewer finished jobs than this in the window and the success rate comes from health checks
   * instead (default 10): a rate over three jobs says little.
   */
  minWindowJobs?: number;
  /** Weights of the system score; they must sum to 1. */
  systemWeights?: Partial<SystemWeights>;
  /** Weights of the per-target score; they must sum to 1. */
  targetWeights?: Partial<TargetWeights>;
}

export interface Slo {
  readonly p95LatencySeconds: number;
  readonly minWindowJobs: number;
  readonly systemWeights: Readonly<SystemWeights>;
  readonly targetWeights: Readonly<TargetWeights>;
}

export const DEFAULT_SLO: Slo = Object.freeze({
  p95LatencySeconds: 2,
  minWindowJobs: 10,
  systemWeights: Object.freeze({
    successRate: 0.4,
    availability: 0.3,
    performance: 0.2,
    queueHealth: 0.1,
  }),
  targetWeights: Object.freeze({ successRate: 0.4, health: 0.3, performance: 0.2, circuit: 0.1 }),
});

function checkWeights<T extends object>(name: string, weights: T): T {
  let sum = 0;
  for (const [key, w] of Object.entries(weights) as Array<[string, number]>) {
    if (!(w >= 0 && w <= 1)) throw new RangeError(`${name}.${key} must be within [0, 1], got ${w}`);
    sum += w;
  }
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`${name} must sum to 1, got ${sum}`);
  return Object.freeze({ ...weights });
}

export function resolveSlo(options: SloOptions = {}): Slo {
  const p95 = options.p95LatencySeconds ?? DEFAULT_SLO.p95LatencySeconds;
  if (!(p95 > 0) || !Number.isFinite(p95)) {
    throw new RangeError(`p95LatencySeconds must be a positive number, got ${p95}`);
  }
  const minJobs = options.minWindowJobs ?? DEFAULT_SLO.minWindowJobs;
  if (!Number.isInteger(minJobs) || minJobs < 0) {
    throw new RangeError(`minWindowJobs must be a non-negative integer, got ${minJobs}`);
  }
  return Object.freeze({
    p95LatencySeconds: p95,
    minWindowJobs: minJobs,
    systemWeights: checkWeights('systemWeights', {
      ...DEFAULT_SLO.systemWeights,
      ...options.systemWeights,
    }),
    targetWeights: checkWeights('targetWeights', {
      ...DEFAULT_SLO.targetWeights,
      ...options.targetWeights,
    }),
  });
}

/** One weighted term of a score: `value` is 0–100, its contribution is `value · weight`. */
export interface ScoreComponent {
  readonly value: number;
  readonly weight: number;
}

/**
 * Where a success rate came from: finished jobs in the window, health checks (too few jobs), or
 * nothing at all (counted as 100: no evidence of failure).
 */
export type SuccessRateSource = 'window' | 'health_checks' | 'none';

export interface SuccessRateComponent extends ScoreComponent {
  /** The ratio used, 0–1; null when there was none. */
  readonly successRate: number | null;
  readonly source: SuccessRateSource;
  /** Finished jobs in the window. */
  readonly windowJobs: number;
}

export interface PerformanceComponent extends ScoreComponent {
  /** p95 delivery latency in the window; null without jobs (Performance counts as 100). */
  readonly p95Seconds: number | null;
  readonly sloSeconds: number;
}

export interface SystemHealthScore {
  readonly score: number;
  readonly components: {
    readonly successRate: SuccessRateComponent;
    readonly availability: ScoreComponent & { readonly healthy: number; readonly total: number };
    readonly performance: PerformanceComponent;
    /** `utilization` is total queue size / total capacity, null when no queue is observed. */
    readonly queueHealth: ScoreComponent & { readonly utilization: number | null };
  };
}

export interface TargetHealthScore {
  readonly score: number;
  readonly components: {
    readonly successRate: SuccessRateComponent;
    readonly health: ScoreComponent & { readonly status: TargetHealth };
    readonly performance: PerformanceComponent;
    readonly circuit: ScoreComponent & { readonly state: CircuitState | 'unknown' };
  };
}

export function clamp100(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(100, Math.max(0, value));
}

export interface SuccessRateInput {
  /** Finished jobs (succeeded + failed + dlq) in the window. */
  windowJobs: number;
  /** succeeded / finished in the window, 0–1, null without jobs. */
  windowSuccessRate: number | null;
  /** Health-check success ratio 0–1, the fallback below `minWindowJobs`; null when unknown. */
  checkSuccessRate: number | null;
}

function successRateComponent(
  input: SuccessRateInput,
  slo: Slo,
  weight: number,
): SuccessRateComponent {
  let rate: number | null;
  let source: SuccessRateSource;
  if (
    input.windowSuccessRate !== null &&
    input.windowJobs > 0 &&
    input.windowJobs >= slo.minWindowJobs
  ) {
    rate = input.windowSuccessRate;
    source = 'window';
  } else if (input.checkSuccessRate !== null) {
    rate = input.checkSuccessRate;
    source = 'health_checks';
  } else {
    rate = null;
    source = 'none';
  }
  return {
    value: rate === null ? 100 : clamp100(rate * 100),
    weight,
    successRate: rate,
    source,
    windowJobs: input.windowJobs,
  };
}

/** Performance = 100·(1 − min(p95 / SLO, 1)); 100 when nothing was delivered in the window. */
function performanceComponent(
  p95Seconds: number | null,
  slo: Slo,
  weight: number,
): PerformanceComponent {
  const value =
    p95Seconds === null
      ? 100
      : clamp100(100 * (1 - Math.min(p95Seconds / slo.p95LatencySeconds, 1)));
  return { value, weight, p95Seconds, sloSeconds: slo.p95LatencySeconds };
}

function weighted(components: Record<string, ScoreComponent>): number {
  let score = 0;
  for (const c of Object.values(components)) score += c.value * c.weight;
  return clamp100(score);
}

export interface SystemScoreInput extends SuccessRateInput {
  healthyTargets: number;
  totalTargets: number;
  p95Seconds: number | null;
  /** Total queue size / total capacity (may exceed 1); null when no queue is observed. */
  utilization: number | null;
}

export function systemHealthScore(
  input: SystemScoreInput,
  slo: Slo = DEFAULT_SLO,
): SystemHealthScore {
  const w = slo.systemWeights;
  const components = {
    successRate: successRateComponent(input, slo, w.successRate),
    availability: {
      // No targets: nothing is unavailable.
      value:
        input.totalTargets > 0 ? clamp100((input.healthyTargets / input.totalTargets) * 100) : 100,
      weight: w.availability,
      healthy: input.healthyTargets,
      total: input.totalTargets,
    },
    performance: performanceComponent(input.p95Seconds, slo, w.performance),
    queueHealth: {
      value:
        input.utilization === null
          ? 100
          : clamp100(100 * (1 - Math.min(Math.max(input.utilization, 0), 1))),
      weight: w.queueHealth,
      utilization: input.utilization,
    },
  };
  return { score: weighted(components), components };
}

const HEALTH_POINTS: Readonly<Record<TargetHealth, number>> = {
  healthy: 100,
  degraded: 50,
  unknown: 50,
  unhealthy: 0,
};

/** No breaker reported counts as closed: nothing is holding deliveries back. */
const CIRCUIT_POINTS: Readonly<Record<CircuitState | 'unknown', number>> = {
  closed: 100,
  half_open: 50,
  open: 0,
  unknown: 100,
};

export interface TargetScoreInput extends SuccessRateInput {
  health: TargetHealth;
  p95Seconds: number | null;
  circuit: CircuitState | 'unknown';
}

export function targetHealthScore(
  input: TargetScoreInput,
  slo: Slo = DEFAULT_SLO,
): TargetHealthScore {
  const w = slo.targetWeights;
  const components = {
    successRate: successRateComponent(input, slo, w.successRate),
    health: { value: HEALTH_POINTS[input.health], weight: w.health, status: input.health },
    performance: performanceComponent(input.p95Seconds, slo, w.performance),
    circuit: { value: CIRCUIT_POINTS[input.circuit], weight: w.circuit, state: input.circuit },
  };
  return { score: weighted(components), components };
}
