export type {
  MaybePromise,
  TargetHealth,
  TargetHealthStatus,
  HealthMonitor,
  RefreshState,
  RefreshStatus,
  RefreshManager,
  PublishingTarget,
  DiscoveryStats,
  TargetDiscoveryManager,
  Priority,
  CircuitState,
  PriorityQueueStats,
  QueueStats,
  PublishingQueue,
} from './sources.js';
export {
  CATALOG,
  DEFAULT_NAMESPACE,
  HEALTH_STATUS_VALUE,
  CIRCUIT_STATE_VALUE,
  DELIVERY_BUCKETS,
  COLLECTION_BUCKETS,
  PAYLOAD_BUCKETS,
  metricDefinition,
  prometheusName,
  instrumentName,
} from './catalog.js';
export type { MetricDefinition, MetricKind, MetricSource, CollectorName } from './catalog.js';
export { OVERFLOW_TARGET, DEFAULT_MAX_TARGETS } from './series/target-guard.js';
export { DEFAULT_RETIRED_TARGET_GRACE_MS } from './series/retired-targets.js';
export { MAX_LABEL_VALUE_LENGTH } from './series/label-value.js';
export { MAX_DURATION_SECONDS } from './recorders/limits.js';
export { REJECT_REASONS } from './recorders/rejections.js';
export type { RejectReason } from './recorders/rejections.js';
export type { OverflowView, DroppedView } from './stats/dropped.js';
export { PublishingMetricsCollector, DEFAULT_COLLECTOR_TIMEOUT_MS } from './collector.js';
export type { PublishingMetricsCollectorOptions } from './collector.js';
export type {
  MetricsCollector,
  CollectorContext,
  CollectorRun,
} from './collectors/port-collector.js';
export { PortCollector } from './collectors/port-collector.js';
export type { Observations } from './collectors/observations.js';
export { HealthCollector } from './collectors/health.js';
export { RefreshCollector } from './collectors/refresh.js';
export { RefreshRecorder } from './recorders/refresh.js';
export type { RefreshOutcome } from './recorders/refresh.js';
export { DiscoveryCollector } from './collectors/discovery.js';
export { QueueCollector } from './collectors/queue.js';
export { QueueRecorder } from './recorders/queue.js';
export type { SubmissionResult, JobState, ErrorType, ReplayResult } from './recorders/queue.js';
export { PublisherRecorder } from './recorders/publisher.js';
export type { RootlyIncidentAction, PagerDutyAction } from './recorders/publisher.js';
export { DiscoveryRecorder } from './recorders/discovery.js';
export { noopRecorders } from './recorders/noop.js';
export type {
  DiscoveryRecorderApi,
  PublisherRecorderApi,
  PublishingRecorders,
  QueueRecorderApi,
  RefreshRecorderApi,
} from './recorders/noop.js';
export { OTHER_LABEL_VALUE } from './series/open-label.js';
export { UNKNOWN_TYPE } from './series/target-labels.js';
export type { TargetLabelMode } from './catalog.js';
export { classifyPublishError, PUBLISHER_ERROR_REASONS } from './publish-errors.js';
export type { PublisherErrorReason } from './publish-errors.js';
export { SnapshotReader } from './snapshot/reader.js';
export type { SnapshotReaderOptions, CollectorStatusSource } from './snapshot/reader.js';
export { MetricsSnapshot } from './snapshot/snapshot.js';
export type {
  MetricFamily,
  FamilyType,
  Series,
  CollectorStatus,
  HistogramView,
} from './snapshot/snapshot.js';
export type { HistogramValue } from './snapshot/histogram.js';
export { estimateQuantile, subtractHistogram } from './snapshot/histogram.js';
export { seriesKey } from './snapshot/series-key.js';
export { escapeLabelValue } from './label-escaping.js';
export type { Labels } from './snapshot/series-key.js';
export { CollectorTimeoutError } from './timeout.js';
export { SCOPE_NAME, SCOPE_VERSION } from './version.js';
export { startPublishingTelemetry } from './setup.js';
export type { PublishingTelemetry, PublishingTelemetryOptions, TelemetryMode } from './setup.js';
export type { OtlpOptions, PrometheusOptions } from './setup-export-options.js';
export type { TelemetrySources } from './setup-sources.js';
export type { OtlpProtocol } from './setup-env.js';
export type { MetricsHandler } from './export/prometheus-types.js';
export type { TelemetryLogger } from './export/reporting-exporter.js';
export { StatsAggregator, DEFAULT_STATS_WINDOW_MS } from './stats/aggregator.js';
export type { StatsAggregatorOptions, PublishingStats, StatsWindow } from './stats/aggregator.js';
export type { SystemStats, QueueView, PriorityQueueView } from './stats/system-stats.js';
export type {
  TargetStats,
  TargetCheckStats,
  JobCounts,
  LatencyQuantiles,
} from './stats/target-stats.js';
export {
  DEFAULT_SLO,
  resolveSlo,
  systemHealthScore,
  targetHealthScore,
} from './stats/health-score.js';
export type {
  Slo,
  SloOptions,
  SystemWeights,
  TargetWeights,
  ScoreComponent,
  SuccessRateComponent,
  SuccessRateSource,
  PerformanceComponent,
  SystemHealthScore,
  TargetHealthScore,
  SystemScoreInput,
  TargetScoreInput,
} from './stats/health-score.js';
export { assessHealth } from './stats/health-report.js';
export type {
  HealthReport,
  HealthReason,
  HealthReasonCode,
  HealthReportOptions,
  OverallHealth,
} from './stats/health-report.js';
export { TrendsDetector } from './stats/trends.js';
export type {
  TrendsOptions,
  TrendsReport,
  TrendDirection,
  QueueDirection,
  InsufficientData,
  SuccessRateTrend,
  LatencyTrend,
  QueueTrend,
  ErrorSpike,
  TargetTrends,
  SnapshotSource,
} from './stats/trends-report.js';
export { createStatsHandler, DEFAULT_BASE_PATH } from './http/handler.js';
export type { StatsHandlerOptions, StatsRequestHandler } from './http/handler.js';
export { startStatsServer } from './http/server.js';
export type { StatsServer, StatsServerOptions } from './http/server.js';
export {
  FleetStatsSource,
  DEFAULT_FLEET_CACHE_TTL_MS,
  DEFAULT_FLEET_EVALUATION_DELAY_MS,
} from './fleet/fleet-stats.js';
export type { FleetStatsOptions, FleetTrendsOptions, StatsEntry } from './fleet/fleet-stats.js';
export { createQueryClient, BackendError, DEFAULT_QUERY_TIMEOUT_MS } from './fleet/query-client.js';
export type {
  QueryClient,
  QueryClientOptions,
  BackendErrorKind,
  VectorSample,
  MatrixSeries,
} from './fleet/query-client.js';
export { FLEET_GAUGES } from './fleet/fleet-queries.js';
export type { FleetGauge, FleetAggregation } from './fleet/fleet-queries.js';
export type { StatsSource } from './stats/aggregator.js';
