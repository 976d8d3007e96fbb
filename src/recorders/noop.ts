import type { DiscoveryRecorder } from './discovery.js';
import type { PublisherRecorder } from './publisher.js';
import type { QueueRecorder } from './queue.js';
import type { RefreshRecorder } from './refresh.js';

/** The host-facing methods of `collector.queue`. */
export type QueueRecorderApi = Pick<
  QueueRecorder,
  | 'recordSubmission'
  | 'recordJob'
  | 'recordRetry'
  | 'recordCircuitTransition'
  | 'recordDlqWrite'
  | 'recordDlqReplay'
>;

/** The host-facing methods of `collector.publisher`. */
export type PublisherRecorderApi = Pick<
  PublisherRecorder,
  | 'recordRequest'
  | 'recordError'
  | 'recordRateLimitHit'
  | 'recordSlackCacheLookup'
  | 'recordSlackThreadReply'
  | 'setSlackCacheSize'
  | 'recordRootlyIncident'
  | 'setRootlyActiveIncidents'
  | 'recordPagerDutyEvent'
  | 'recordWebhookPayload'
  | 'recordWebhookAuthFailure'
>;

/** The host-facing methods of `collector.discovery`. */
export type DiscoveryRecorderApi = Pick<
  DiscoveryRecorder,
  'recordDiscovery' | 'recordError' | 'recordSecret' | 'recordLookup'
>;

/** The host-facing methods of `collector.refresh`. */
export type RefreshRecorderApi = Pick<RefreshRecorder, 'recordRefresh'>;

/**
 * The four hot-path recorders as a host's pipeline holds them: a `PublishingMetricsCollector`
 * satisfies it (`{ queue, publisher, discovery, refresh } = collector`), and so does
 * `noopRecorders()`.
 */
export interface PublishingRecorders {
  queue: QueueRecorderApi;
  publisher: PublisherRecorderApi;
  discovery: DiscoveryRecorderApi;
  refresh: RefreshRecorderApi;
}

const ignore = (): void => undefined;

/**
 * Recorders with the same methods that do nothing: a pipeline runs uninstrumented with them (a
 * switch for tests, for measuring what instrumentation costs, or until telemetry is wired).
 */
export function noopRecorders(): PublishingRecorders {
  return {
    queue: {
      recordSubmission: ignore,
      recordJob: ignore,
      recordRetry: ignore,
      recordCircuitTransition: ignore,
      recordDlqWrite: ignore,
      recordDlqReplay: ignore,
    },
    publisher: {
      recordRequest: ignore,
      recordError: ignore,
      recordRateLimitHit: ignore,
      recordSlackCacheLookup: ignore,
      recordSlackThreadReply: ignore,
      setSlackCacheSize: ignore,
      recordRootlyIncident: ignore,
      setRootlyActiveIncidents: ignore,
      recordPagerDutyEvent: ignore,
      recordWebhookPayload: ignore,
      recordWebhookAuthFailure: ignore,
    },
    discovery: {
      recordDiscovery: ignore,
      recordError: ignore,
      recordSecret: ignore,
      recordLookup: ignore,
    },
    refresh: { recordRefresh: ignore },
  };
}
