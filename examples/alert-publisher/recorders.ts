/**
 * The instrumentation seam: the hot-path recorder interfaces the pipeline reports through. The
 * library's recorders (`collector.queue`, `.publisher`, `.discovery`, `.refresh`) satisfy them;
 * interfaces rather than the library's classes so the uninstrumented no-op recorders and the tests'
 * counting double can stand in. Errors are classified by the library's `classifyPublishError`.
 */
import type { PublisherErrorReason } from '../../src/index.js';
import type { CircuitState, Priority } from './ports.js';

export { classifyPublishError } from '../../src/index.js';
export type { PublisherErrorReason };

export type SubmissionResult = 'accepted' | 'rejected';
export type JobState = 'succeeded' | 'failed' | 'dlq';
export type ErrorType = 'transient' | 'permanent' | 'unknown';
export type ReplayResult = 'success' | 'failure';

export interface QueueRecorder {
  recordSubmission(priority: Priority, result: SubmissionResult): void;
  recordJob(
    target: string,
    priority: Priority,
    state: JobState,
    durationSeconds: number,
    waitSeconds: number,
  ): void;
  recordRetry(target: string, errorType: ErrorType): void;
  recordCircuitTransition(target: string, from: CircuitState, to: CircuitState): void;
  recordDlqWrite(target: string, errorType: ErrorType): void;
  recordDlqReplay(target: string, result: ReplayResult): void;
}

export type RootlyIncidentAction = 'created' | 'updated' | 'resolved';
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve' | 'change';

export interface PublisherRecorder {
  recordRequest(
    publisher: string,
    target: string,
    status: number | 'error',
    durationSeconds: number,
  ): void;
  recordError(publisher: string, target: string, reason: PublisherErrorReason): void;
  recordRateLimitHit(publisher: string, target: string): void;
  recordSlackCacheLookup(hit: boolean): void;
  recordSlackThreadReply(): void;
  setSlackCacheSize(entries: number): void;
  recordRootlyIncident(action: RootlyIncidentAction): void;
  setRootlyActiveIncidents(count: number): void;
  recordPagerDutyEvent(action: PagerDutyAction): void;
  recordWebhookPayload(target: string, bytes: number): void;
  recordWebhookAuthFailure(target: string, authType: string): void;
}

export interface DiscoveryRecorder {
  recordDiscovery(operation: string, durationSeconds: number): void;
  recordError(errorType: string): void;
  recordSecret(status: string): void;
  recordLookup(operation: string, status: string): void;
}

export interface RefreshRecorder {
  recordRefresh(status: 'success' | 'failed', durationSeconds: number): void;
}

/** The recorders the pipeline is instrumented with. */
export interface Recorders {
  queue: QueueRecorder;
  publisher: PublisherRecorder;
  discovery: DiscoveryRecorder;
  refresh: RefreshRecorder;
}

const ignore = (): void => undefined;

/** Recorders that drop everything: the pipeline runs uninstrumented until telemetry is wired. */
export function noopRecorders(): Recorders {
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
