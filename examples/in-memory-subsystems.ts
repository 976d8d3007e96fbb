/**
 * In-memory subsystems shared by the small examples: two targets (one healthy Slack, one degraded
 * PagerDuty), a refresh loop that last succeeded now, target discovery and a publishing queue;
 * and `recordSampleTraffic`, one round of every recorder event. Together they produce every
 * catalog metric. In a real service the ports read the health checker's, the refresh loop's,
 * discovery's and the queue's cached state, and the events come from the delivery path.
 */
import type {
  HealthMonitor,
  PublishingMetricsCollector,
  PublishingQueue,
  RefreshManager,
  TargetDiscoveryManager,
  TelemetrySources,
} from '../src/index.js';

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
    nextRefresh: new Date(now.getTime() + 300_000),
    intervalMs: 300_000,
    refreshDurationMs: 850,
    targetsDiscovered: 2,
    targetsValid: 2,
    targetsInvalid: 0,
    consecutiveFailures: 0,
  }),
};

export const discoveryManager: TargetDiscoveryManager = {
  listTargets: () => [
    {
      name: 'slack-oncall',
      type: 'slack',
      url: 'https://hooks.slack.example/oncall',
      enabled: true,
    },
    {
      name: 'pagerduty-primary',
      type: 'pagerduty',
      url: 'https://events.pagerduty.example/v2/enqueue',
      enabled: true,
    },
  ],
  getStats: () => ({
    totalTargets: 2,
    validTargets: 2,
    invalidTargets: 0,
    lastDiscovery: now,
    discoveryErrors: 0,
  }),
};

export const publishingQueue: PublishingQueue = {
  getStats: () => ({
    priorities: {
      high: { size: 2, capacity: 100 },
      medium: { size: 10, capacity: 200 },
      low: { size: 0, capacity: 500 },
    },
    workersActive: 3,
    workersIdle: 13,
    dlqSize: { 'slack-oncall': 0, 'pagerduty-primary': 1 },
    dlqOldestEntryAgeSeconds: 120,
    circuitBreakers: { 'slack-oncall': 'closed', 'pagerduty-primary': 'half_open' },
  }),
};

/** Every port, as `sources` of `PublishingMetricsCollector` or `startPublishingTelemetry`. */
export const inMemorySources: TelemetrySources = {
  health: healthMonitor,
  refresh: refreshManager,
  discovery: discoveryManager,
  queue: publishingQueue,
};

/** One round of every recorder event, as a pipeline delivering two alerts would record them. */
export function recordSampleTraffic(collector: PublishingMetricsCollector): void {
  const { queue, publisher, discovery, refresh } = collector;
  queue.recordSubmission('high', 'accepted');
  queue.recordJob('slack-oncall', 'high', 'succeeded', 0.12, 0.01);
  queue.recordJob('pagerduty-primary', 'high', 'failed', 2.4, 0.02);
  queue.recordRetry('pagerduty-primary', 'transient');
  queue.recordDlqWrite('pagerduty-primary', 'transient');
  queue.recordDlqReplay('pagerduty-primary', 'success');
  queue.recordCircuitTransition('pagerduty-primary', 'closed', 'open');
  queue.recordCircuitTransition('pagerduty-primary', 'open', 'half_open');
  publisher.recordRequest('slack', 'slack-oncall', 200, 0.12);
  publisher.recordRequest('pagerduty', 'pagerduty-primary', 503, 2.4);
  publisher.recordError('pagerduty', 'pagerduty-primary', 'serverError');
  publisher.recordRateLimitHit('slack', 'slack-oncall');
  publisher.recordSlackCacheLookup(true);
  publisher.recordSlackThreadReply();
  publisher.setSlackCacheSize(1);
  publisher.recordRootlyIncident('created');
  publisher.setRootlyActiveIncidents(1);
  publisher.recordPagerDutyEvent('trigger');
  publisher.recordWebhookPayload('slack-oncall', 1024);
  publisher.recordWebhookAuthFailure('slack-oncall', 'bearer');
  discovery.recordDiscovery('load', 0.004);
  discovery.recordError('parse');
  discovery.recordSecret('found');
  discovery.recordLookup('get', 'found');
  refresh.recordRefresh('success', 0.85);
}
