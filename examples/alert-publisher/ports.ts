/**
 * The subsystem ports the library observes (HealthMonitor, RefreshManager, TargetDiscoveryManager,
 * PublishingQueue) and their value types. The demo takes them from the library's `src/sources.ts`;
 * once `src/index.ts` re-exports them, point this one line at '../../src/index.js'.
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
} from '../../src/sources.js';
