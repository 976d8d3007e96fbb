/**
 * The instrumentation seam: the hot-path recorder interfaces the pipeline reports through, and the
 * publish-error classifier. They mirror the API the library is implementing; until `src/index.ts`
 * exports them they are defined here. Every call site in the demo goes through these types, so the
 * final wiring is this file turning into re-exports from '../../src/index.js'.
 */
import type { CircuitState, Priority } from './ports.js';

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

export type PublisherErrorReason =
  | 'clientError'
  | 'serverError'
  | 'authError'
  | 'rateLimited'
  | 'timeout'
  | 'network'
  | 'format';

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

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Maps an HTTP status or a thrown transport error to the closed set of publisher error reasons.
 * Returns undefined for a status that is not an error (1xx–3xx). Stand-in for the library's
 * `classifyPublishError`, kept in this one place so swapping it is an import change.
 */
export function classifyPublishError(statusOrError: unknown): PublisherErrorReason | undefined {
  if (typeof statusOrError === 'number') {
    if (statusOrError === 401 || statusOrError === 403) return 'authError';
    if (statusOrError === 429) return 'rateLimited';
    if (statusOrError >= 400 && statusOrError < 500) return 'clientError';
    if (statusOrError >= 500) return 'serverError';
    return undefined;
  }
  if (!(statusOrError instanceof Error)) return statusOrError === undefined ? undefined : 'network';
  if (statusOrError instanceof SyntaxError) return 'format';
  // fetch reports its own deadline as TimeoutError and a caller's abort as AbortError; the
  // transport's error hides in `cause` ("fetch failed" → ECONNREFUSED, ECONNRESET, …).
  if (statusOrError.name === 'TimeoutError' || statusOrError.name === 'AbortError')
    return 'timeout';
  const code = errorCode(statusOrError) ?? errorCode(statusOrError.cause);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'timeout';
  return 'network';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
