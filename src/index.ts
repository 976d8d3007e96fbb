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
export { OVERFLOW_TARGET, DEFAULT_MAX_TARGETS } from './cardinality.js';
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
export { SnapshotReader } from './snapshot/reader.js';
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
export { seriesKey, escapeLabelValue } from './snapshot/series-key.js';
export type { Labels } from './snapshot/series-key.js';
export { CollectorTimeoutError } from './timeout.js';
export { SCOPE_NAME, SCOPE_VERSION } from './version.js';
