import {
  DiscoveryCollector,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  RefreshCollector,
} from '../../src/index.js';
import { FakeDiscovery, queueStats, target } from '../collectors/fakes.js';
import { refreshStatus, targetHealth } from './fakes.js';

/**
 * A registry with every collector over a fake port and one event of each recorder family whose
 * series appear only once recorded: every catalog metric has a series.
 */
export function fullyWired(namespace?: string): PublishingMetricsCollector {
  const pm = new PublishingMetricsCollector({
    meterProvider: false,
    ...(namespace !== undefined ? { namespace } : {}),
  });
  pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth('hook')] }));
  pm.registerCollector(new RefreshCollector({ getStatus: () => refreshStatus() }));
  pm.registerCollector(new DiscoveryCollector(new FakeDiscovery([target('hook', 'webhook')])));
  pm.registerCollector(new QueueCollector({ getStats: () => queueStats() }));
  pm.refresh.recordRefresh('success', 1.2);
  pm.discovery.recordDiscovery('load', 0.01);
  pm.discovery.recordError('parse');
  pm.discovery.recordSecret('found');
  pm.discovery.recordLookup('get', 'found');
  pm.publisher.recordWebhookAuthFailure('hook', 'bearer');
  return pm;
}
