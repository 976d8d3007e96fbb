import type { RefreshStatus, TargetHealthStatus } from '../../src/index.js';

/** A health record as a health monitor would report it, with overrides. */
export function targetHealth(
  targetName: string,
  overrides: Partial<TargetHealthStatus> = {},
): TargetHealthStatus {
  return {
    targetName,
    targetType: 'webhook',
    enabled: true,
    status: 'healthy',
    latencyMs: 25,
    lastCheck: new Date('2026-01-01T00:00:00Z'),
    consecutiveFailures: 0,
    totalChecks: 10,
    totalSuccesses: 9,
    totalFailures: 1,
    successRate: 0.9,
    ...overrides,
  };
}

export function refreshStatus(overrides: Partial<RefreshStatus> = {}): RefreshStatus {
  return {
    state: 'success',
    lastRefresh: new Date('2026-01-01T00:00:00Z'),
    nextRefresh: new Date('2026-01-01T00:05:00Z'),
    refreshDurationMs: 1500,
    intervalMs: 300_000,
    targetsDiscovered: 5,
    targetsValid: 4,
    targetsInvalid: 1,
    consecutiveFailures: 0,
    ...overrides,
  };
}

/** A promise that never settles: a hung subsystem. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
