/**
 * The subsystem ports the library observes (HealthMonitor, RefreshManager, TargetDiscoveryManager,
 * PublishingQueue) and their value types, as the library exports them.
 */
export type {
  CircuitState,
  DiscoveryStats,
  HealthMonitor,
  Priority,
  PublishingQueue,
  PublishingTarget,
  QueueStats,
  RefreshManager,
  RefreshState,
  RefreshStatus,
  TargetDiscoveryManager,
  TargetHealth,
  TargetHealthStatus,
} from '../../src/index.js';
