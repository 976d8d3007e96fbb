/**
 * The instrumentation seam: the hot-path recorder interfaces the pipeline reports through, as
 * the library exports them. The library's recorders (`collector.queue`, `.publisher`,
 * `.discovery`, `.refresh`) satisfy them, and so do the library's `noopRecorders()` (the pipeline
 * runs uninstrumented until telemetry is wired) and the tests' counting double. Errors are
 * classified by the library's `classifyPublishError`.
 */
export { classifyPublishError, noopRecorders } from '../../src/index.js';
export type {
  PublisherErrorReason,
  SubmissionResult,
  JobState,
  ErrorType,
  ReplayResult,
  RootlyIncidentAction,
  PagerDutyAction,
  QueueRecorderApi as QueueRecorder,
  PublisherRecorderApi as PublisherRecorder,
  DiscoveryRecorderApi as DiscoveryRecorder,
  RefreshRecorderApi as RefreshRecorder,
  PublishingRecorders as Recorders,
} from '../../src/index.js';
