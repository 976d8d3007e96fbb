/**
 * In-memory subsystems shared by the small examples: two targets (one healthy Slack, one degraded
 * PagerDuty) and a refresh loop that last succeeded now. In a real service these read the health
 * checker's and the refresh loop's cached state.
 */
import type { HealthMonitor, RefreshManager } from '../src/index.js';

const now = new Date();

export const healthMonitor: HealthMonitor = {
  getHealth: () => [
    {
      targetName: 'slack-oncall',
      targetType: 'slack',
      enabled: true,
      status: 'healthy',
      latencyMs: 42,
      lastCheck: now,
      consecutiveFailures: 0,
      totalChecks: 200,
      totalSuccesses: 199,
      totalFailures: 1,
      successRate: 0.995,
    },
    {
      targetName: 'pagerduty-primary',
      targetType: 'pagerduty',
      enabled: true,
      status: 'degraded',
      latencyMs: 1800,
      lastCheck: now,
      consecutiveFailures: 2,
      totalChecks: 200,
      totalSuccesses: 180,
      totalFailures: 20,
      successRate: 0.9,
    },
  ],
};

export const refreshManager: RefreshManager = {
  getStatus: () => ({
    state: 'success',
    lastRefresh: now,
    intervalMs: 300_000,
    refreshDurationMs: 850,
    targetsDiscovered: 2,
    targetsValid: 2,
    targetsInvalid: 0,
    consecutiveFailures: 0,
  }),
};
