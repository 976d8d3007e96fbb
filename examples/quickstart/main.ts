/**
 * Quickstart: the health and refresh collectors on in-memory subsystems, one `collectAll()`,
 * printed as a table. Run with `npm run quickstart`.
 */
import {
  HealthCollector,
  PublishingMetricsCollector,
  RefreshCollector,
  type HealthMonitor,
  type RefreshManager,
} from '../../src/index.js';

const now = new Date();

// In a real service these read the health checker's and the refresh loop's cached state.
const healthMonitor: HealthMonitor = {
  getHealth: () => [
    {
      targetName: 'slack-oncall',
      targetType: 'slack',
      enabled: true,
      status: 'healthy',
      latencyMs: 42,
      lastCheck: now,
      lastSuccess: now,
      consecutiveFailures: 0,
      totalChecks: 120,
      totalSuccesses: 119,
      totalFailures: 1,
      successRate: 119 / 120,
    },
    {
      targetName: 'pagerduty-primary',
      targetType: 'pagerduty',
      enabled: true,
      status: 'degraded',
      latencyMs: 1800,
      lastCheck: now,
      consecutiveFailures: 1,
      totalChecks: 120,
      totalSuccesses: 110,
      totalFailures: 10,
      successRate: 110 / 120,
    },
  ],
};

const refreshManager: RefreshManager = {
  getStatus: async () => ({
    state: 'success',
    lastRefresh: new Date(now.getTime() - 60_000),
    nextRefresh: new Date(now.getTime() + 240_000),
    refreshDurationMs: 850,
    intervalMs: 300_000,
    targetsDiscovered: 2,
    targetsValid: 2,
    targetsInvalid: 0,
    consecutiveFailures: 0,
  }),
};

const collector = new PublishingMetricsCollector();
collector.registerCollector(new HealthCollector(healthMonitor));
collector.registerCollector(new RefreshCollector(refreshManager));
collector.refresh.recordRefresh('success', 0.85);

const snapshot = await collector.collectAll();

const rows = [...snapshot.metrics]
  .filter(([key]) => !key.includes('_bucket{'))
  .map(([series, value]) => ({ series, value }));
console.table(rows);
console.log('collectors:');
console.table(snapshot.collectors);
console.log(`collected in ${snapshot.durationMs.toFixed(2)} ms`);
await collector.shutdown();
