import { DiscoveryCollector } from './collectors/discovery.js';
import { HealthCollector } from './collectors/health.js';
import type { MetricsCollector } from './collectors/port-collector.js';
import { QueueCollector } from './collectors/queue.js';
import { RefreshCollector } from './collectors/refresh.js';
import type {
  HealthMonitor,
  PublishingQueue,
  RefreshManager,
  TargetDiscoveryManager,
} from './sources.js';

/** The host's subsystem ports, each optional: a collector is registered for each one given. */
export interface TelemetrySources {
  health?: HealthMonitor;
  refresh?: RefreshManager;
  discovery?: TargetDiscoveryManager;
  queue?: PublishingQueue;
}

/** The port collectors for the given sources, in catalog order. */
export function sourceCollectors(sources: TelemetrySources): MetricsCollector[] {
  const out: MetricsCollector[] = [];
  if (sources.health !== undefined) out.push(new HealthCollector(sources.health));
  if (sources.refresh !== undefined) out.push(new RefreshCollector(sources.refresh));
  if (sources.discovery !== undefined) out.push(new DiscoveryCollector(sources.discovery));
  if (sources.queue !== undefined) out.push(new QueueCollector(sources.queue));
  return out;
}
